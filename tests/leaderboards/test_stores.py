"""One contract, three stores (SQL, Redis, Redis Cluster): all answer the same
questions in the same order."""

import pytest

from leaderboards import stores
from leaderboards.boards import Increment
from tests.leaderboards.conftest import EVERY_STORE, chosen_store


@pytest.fixture(params=EVERY_STORE)
def store(request, settings, db):
    """The contract holds on every store, the Redis Cluster one included."""
    yield chosen_store(request, settings, request.param)
    stores.reset_store()


KEY = "lb:1:1:people:all"


def put(store, scores, key=KEY):
    store.apply([Increment(key, member, points) for member, points in scores.items()])


class TestRankingStoreContract:
    def test_orders_by_points_then_by_the_smaller_id(self, store):
        put(store, {7: 50, 3: 80, 12: 50, 5: 50, 9: 10})

        assert store.top(KEY, limit=10) == [
            (3, 80),
            (5, 50),
            (7, 50),
            (12, 50),
            (9, 10),
        ]

    def test_ties_share_a_rank(self, store):
        put(store, {7: 50, 3: 80, 12: 50, 5: 50, 9: 10})

        assert [store.rank(KEY, m) for m in (3, 5, 7, 12, 9)] == [1, 2, 2, 2, 5]
        assert [store.position(KEY, m) for m in (3, 5, 7, 12, 9)] == [0, 1, 2, 3, 4]

    def test_increments_add_up_and_may_be_negative(self, store):
        put(store, {1: 10})
        put(store, {1: 15})
        put(store, {1: -5})

        assert store.score(KEY, 1) == 20

    def test_pages_with_offset(self, store):
        put(store, {member: 100 - member for member in range(1, 21)})

        assert [m for m, _p in store.top(KEY, offset=5, limit=3)] == [6, 7, 8]
        assert store.count(KEY) == 20

    def test_unknown_members_and_boards_answer_nothing(self, store):
        put(store, {1: 10})

        assert store.score(KEY, 99) is None and store.rank(KEY, 99) is None
        assert (
            store.top("lb:9:9:people:all") == []
            and store.count("lb:9:9:people:all") == 0
        )

    def test_page_reads_top_rank_and_score_together(self, store):
        put(store, {1: 30, 2: 20, 3: 20, 4: 10})

        page = store.page(KEY, limit=2, member=3)

        assert page == {"rows": [(1, 30), (2, 20)], "count": 4, "rank": 2, "score": 20}

    def test_remove_takes_a_member_off_the_given_boards(self, store):
        other = "lb:1:2:people:all"
        put(store, {1: 10, 2: 5})
        put(store, {1: 10}, key=other)

        store.remove(1, [KEY, other])

        assert store.scores(KEY) == {2: 5} and store.scores(other) == {}

    def test_replace_all_swaps_every_board_at_once(self, store):
        put(store, {1: 10}, key="lb:1:1:village:all")
        put(store, {2: 10})

        store.replace_all({KEY: {3: 7, 4: 9}})

        assert store.scores(KEY) == {3: 7, 4: 9}
        assert store.scores("lb:1:1:village:all") == {}
        assert store.keys() == [KEY]

    def test_large_ids_keep_their_order(self, store):
        put(store, {10**9: 5, 2: 5, 10**6: 5})

        assert [m for m, _p in store.top(KEY)] == [2, 10**6, 10**9]

    def test_scores_of_reads_many_members_of_many_boards(self, store):
        other = "lb:1:2:people:all"
        put(store, {1: 10, 2: 0})
        put(store, {1: 4}, key=other)

        assert store.scores_of([(KEY, 1), (KEY, 2), (KEY, 3), (other, 1)]) == {
            (KEY, 1): 10,
            (KEY, 2): 0,
            (KEY, 3): None,
            (other, 1): 4,
        }

    def test_assign_sets_exact_points_and_none_takes_members_off(self, store):
        other = "lb:1:2:people:all"
        put(store, {1: 10, 2: 5, 3: 7})

        store.assign({(KEY, 1): 3, (KEY, 2): None, (other, 9): 0, (KEY, 44): None})

        assert store.scores(KEY) == {1: 3, 3: 7}
        assert store.scores(other) == {9: 0}
        assert other in store.keys()
        assert store.top(KEY) == [(3, 7), (1, 3)]
