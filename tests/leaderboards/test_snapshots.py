"""Ranks kept at the start of the day: "places moved since yesterday" on the boards."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from leaderboards import selectors, snapshots, stores
from leaderboards.boards import Board, Increment
from tests.leaderboards.conftest import EVERY_STORE, chosen_store
from units import schedule


@pytest.fixture(params=EVERY_STORE)
def store(request, settings, db):
    """The contract holds on every store, the Redis Cluster one included."""
    yield chosen_store(request, settings, request.param)
    stores.reset_store()


KEY = "lb:1:1:people:all"


def put(store, scores, key=KEY):
    store.apply([Increment(key, member, points) for member, points in scores.items()])


@pytest.fixture(autouse=True)
def _fresh():
    snapshots.forget()
    yield
    snapshots.forget()


class TestKeptRanksInEveryStore:
    def test_keeps_shared_ranks_as_they_were_when_taken(self, store):
        put(store, {1: 50, 2: 80, 3: 50, 4: 10})

        store.take_rank_snapshot(at=1000.0)
        put(store, {4: 100, 1: 40})

        assert store.previous_ranks(KEY, [2, 1, 3, 4, 99]) == {
            2: 1,
            1: 2,
            3: 2,
            4: 4,
            99: None,
        }
        assert store.rank_snapshot_taken() == 1000.0

    def test_a_board_not_kept_has_nothing_to_compare_with(self, store):
        put(store, {1: 50})
        store.take_rank_snapshot(at=1000.0)
        put(store, {1: 5}, key="lb:1:1:people:w209901")

        assert store.previous_ranks("lb:1:1:people:w209901", [1]) is None

    def test_a_new_snapshot_replaces_the_last(self, store):
        put(store, {1: 50, 2: 10})
        store.take_rank_snapshot(at=1000.0)
        put(store, {2: 100})

        store.take_rank_snapshot(at=2000.0)

        assert store.previous_ranks(KEY, [1, 2]) == {2: 1, 1: 2}
        assert store.rank_snapshot_taken() == 2000.0

    def test_a_large_board_is_kept_slice_by_slice_exactly(self, store, monkeypatch):
        monkeypatch.setattr(type(store), "SNAPSHOT_SLICE", 3, raising=False)
        scores = {member: (member * 7) % 11 for member in range(1, 12)}
        put(store, scores)

        store.take_rank_snapshot(at=1000.0)
        put(store, dict.fromkeys(scores, 1000))

        expected = {
            m: 1 + sum(1 for v in scores.values() if v > p) for m, p in scores.items()
        }
        assert store.previous_ranks(KEY, list(scores)) == expected

    def test_never_taken(self, store):
        assert store.rank_snapshot_taken() is None


class TestTakenOnceADay:
    def test_the_first_check_of_a_day_takes_it_and_the_next_do_not(self, store):
        put(store, {1: 50})
        morning = timezone.make_aware(datetime(2026, 10, 9, 0, 3))

        assert snapshots.take_if_due(now=morning) is True
        assert snapshots.take_if_due(now=morning + timedelta(hours=5)) is False
        assert snapshots.take_if_due(now=morning + timedelta(days=1)) is True

    def test_is_a_scheduled_job_that_can_be_turned_off(self, settings):
        job = schedule.registered()["leaderboards.rank_snapshot"]

        settings.LEADERBOARD_SNAPSHOT_MINUTES = 0

        assert job.every() == 0 and job.run is snapshots.take_if_due


class TestBoardRowsCompareWithTheStartOfTheDay:
    def _board(self, store, tree, competition):
        return Board(competition.pk, tree["province"].pk, "village", period="all")

    def test_rows_say_how_many_places_each_moved(self, store, tree, competition):
        board = self._board(store, tree, competition)
        key = board.storage_key(timezone.localdate())
        ho_lien, cay = tree["ho_lien"].pk, tree["cay"].pk
        put(store, {ho_lien: 100, cay: 50}, key=key)
        snapshots.take_if_due()
        put(store, {cay: 80}, key=key)

        rows, _count = selectors.board_rows(board)

        assert [(r.member, r.rank, r.previous_rank, r.moved) for r in rows] == [
            (cay, 1, 2, 1),
            (ho_lien, 2, 1, -1),
        ]
        assert rows[0].as_dict()["previous_rank"] == 2

    def test_a_second_read_asks_the_store_nothing_more(
        self, store, tree, competition, monkeypatch
    ):
        board = self._board(store, tree, competition)
        key = board.storage_key(timezone.localdate())
        put(store, {tree["ho_lien"].pk: 100}, key=key)
        snapshots.take_if_due()
        selectors.board_rows(board)
        asked = []
        monkeypatch.setattr(
            type(store),
            "previous_ranks",
            lambda self, *args: asked.append(args) or {},
        )

        selectors.board_rows(board)

        assert asked == []

    def test_a_newcomer_is_new_and_without_a_snapshot_nothing_is_compared(
        self, store, tree, competition
    ):
        board = self._board(store, tree, competition)
        key = board.storage_key(timezone.localdate())
        put(store, {tree["ho_lien"].pk: 100}, key=key)

        before, _count = selectors.board_rows(board)
        snapshots.take_if_due()
        put(store, {tree["cay"].pk: 10}, key=key)
        snapshots.forget()
        after, _count = selectors.board_rows(board)

        assert [r.compared for r in before] == [False]
        assert "previous_rank" not in before[0].as_dict()
        assert [(r.compared, r.previous_rank, r.moved) for r in after] == [
            (True, 1, 0),
            (True, None, None),
        ]

    def test_yesterdays_snapshot_is_not_compared_with_today(
        self, store, tree, competition
    ):
        board = self._board(store, tree, competition)
        key = board.storage_key(timezone.localdate())
        put(store, {tree["ho_lien"].pk: 100}, key=key)
        snapshots.take_if_due(now=timezone.now() - timedelta(days=1))
        snapshots.forget()

        rows, _count = selectors.board_rows(board)

        assert [r.compared for r in rows] == [False]
