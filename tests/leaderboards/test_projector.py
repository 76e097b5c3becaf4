"""The projector and the rebuild: the boards always equal the ledger, exactly."""

import io
import random
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from competitions import rules, services
from competitions.models import PointEntry, PointRule, UnprojectedEntry
from competitions.signals import entries_recorded
from leaderboards import projector, receivers
from leaderboards.boards import Board, Increment
from tests.competitions.conftest import (
    TEST_ORIGIN,
    a_credit,
    credit_one,
    make_submission,
    noisy_photo,
)
from tests.learning.conftest import make_person
from units.models import Person


def approve(submission, reviewer):
    return services.approve_submission(
        submission=submission, reviewer=reviewer, at=timezone.now(), origin=TEST_ORIGIN
    )


def current(store, today):
    return {
        key: store.scores(key) for key in projector._current_keys(store.keys(), today)
    }


@pytest.fixture
def awarded(
    store,
    tree,
    officer,
    reviewer,
    competition,
    community_class,
    django_capture_on_commit_callbacks,
):
    submission = make_submission(
        officer=officer,
        unit=tree["ho_lien"],
        competition=competition,
        activity_type=community_class,
        quantity=25,
        person=officer.person,
    )
    with django_capture_on_commit_callbacks(execute=True):
        approve(submission, reviewer)
    return submission


class TestProjection:
    def test_an_award_reaches_every_board_above_it_after_commit(
        self, store, awarded, tree, competition, officer, today
    ):
        week = Board(competition.pk, tree["province"].pk, "village").storage_key(today)

        assert store.scores(week) == {tree["ho_lien"].pk: 70}
        assert store.scores(
            Board(competition.pk, tree["province"].pk, "commune").storage_key(today)
        ) == {tree["ke_sat"].pk: 70}
        for scope in ("ho_lien", "ke_sat", "province"):
            assert (
                store.score(
                    Board(competition.pk, tree[scope].pk, "people").storage_key(today),
                    officer.person.pk,
                )
                == 70
            )
        assert not PointEntry.objects.unprojected().exists()

    def test_projecting_again_changes_nothing(self, store, awarded, today):
        before = current(store, today)

        projector.catch_up()
        projector.project(list(PointEntry.objects.values_list("pk", flat=True)))

        assert current(store, today) == before

    def test_a_rebuild_gives_exactly_what_the_increments_gave(
        self, store, awarded, today
    ):
        incremental = current(store, today)

        projector.rebuild()

        assert current(store, today) == incremental
        assert projector.reconcile().mismatches == []

    def test_a_deactivated_person_drops_off_the_boards(
        self,
        store,
        awarded,
        officer,
        tree,
        competition,
        today,
        django_capture_on_commit_callbacks,
    ):
        person = Person.objects.get(pk=officer.person.pk)
        person.is_active = False
        with django_capture_on_commit_callbacks(execute=True):
            person.save()

        board = Board(competition.pk, tree["province"].pk, "people").storage_key(today)
        assert store.score(board, person.pk) is None
        # The village keeps the points its people earned.
        assert (
            store.score(
                Board(competition.pk, tree["ke_sat"].pk, "village").storage_key(today),
                tree["ho_lien"].pk,
            )
            == 70
        )

    def test_reconcile_finds_a_tampered_store(
        self, store, awarded, tree, competition, today
    ):
        from leaderboards.boards import Increment

        store.apply(
            [
                Increment(
                    Board(competition.pk, tree["province"].pk, "village").storage_key(
                        today
                    ),
                    tree["ho_lien"].pk,
                    5,
                )
            ]
        )

        assert len(projector.reconcile().mismatches) == 1


class TestPropertyBoardsEqualLedger:
    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(seed=st.integers(min_value=0, max_value=100_000))
    def test_after_random_awards_reversals_and_rule_changes(
        self,
        store,
        tree,
        officer,
        outsider,
        reviewer,
        administrator,
        competition,
        initiative,
        community_class,
        today,
        django_capture_on_commit_callbacks,
        seed,
    ):
        rng = random.Random(seed)
        approved = []
        with django_capture_on_commit_callbacks(execute=True):
            for step in range(rng.randint(3, 10)):
                action = rng.choice(["award", "award", "reverse", "rule"])
                if action == "award":
                    village, who, judge = rng.choice(
                        [
                            ("ho_lien", officer, reviewer),
                            ("cay", outsider, administrator),
                        ]
                    )
                    activity = rng.choice([initiative, community_class])
                    submission = make_submission(
                        officer=who,
                        unit=tree[village],
                        competition=competition,
                        activity_type=activity,
                        on=today - timedelta(days=rng.randint(0, 40)),
                        quantity=rng.randint(1, 70),
                        person=who.person if activity.credits_person else None,
                        photo=noisy_photo(seed + step),
                    )
                    approved += approve(submission, judge)
                elif action == "reverse" and approved:
                    entry = approved.pop(rng.randrange(len(approved)))
                    services.revoke_entries(
                        submission=entry.submission,
                        by=administrator,
                        reason="thử",
                        at=timezone.now(),
                        origin=TEST_ORIGIN,
                    )
                elif action == "rule":
                    activity = rng.choice([initiative, community_class])
                    day = today - timedelta(days=rng.randint(0, 40))
                    if not PointRule.objects.filter(
                        competition=competition,
                        activity_type=activity,
                        effective_from=day,
                    ).exists():
                        rule = PointRule.objects.create(
                            competition=competition,
                            activity_type=activity,
                            effective_from=day,
                            version=rules.next_version(
                                competition=competition, activity_type=activity
                            ),
                            points_per_event=rng.randint(0, 150),
                        )
                        rules.apply_recalculation(
                            rule=rule, by=administrator, at=timezone.now()
                        )

        incremental = current(store, today)
        assert projector.reconcile().mismatches == []
        projector.rebuild()
        assert current(store, today) == incremental


def test_a_rebuild_rolls_up_people_credited_at_every_level(
    store, tree, officer, citizen, reviewer, competition, community_class, today
):
    """People credited at a commune itself and at its villages add up on the boards above."""
    now = timezone.now()
    credited = [
        (officer.person, tree["ke_sat"], 30),
        (citizen.person, tree["ho_lien"], 20),
        (citizen.person, tree["ke_sat"], 5),
        (officer.person, tree["province"], 7),
    ]
    for n, (person, unit, points) in enumerate(credited):
        credit_one(
            a_credit(
                competition,
                community_class,
                unit,
                person=person,
                points=points,
                key=f"levels:{n}",
                occurred_at=now,
            )
        )
    projector.catch_up()
    incremental = current(store, today)

    projector.rebuild()

    assert current(store, today) == incremental
    province = Board(competition.pk, tree["province"].pk, "people").storage_key(today)
    assert store.scores(province) == {officer.person.pk: 37, citizen.person.pk: 25}


class TestRebuildCommand:
    def test_rebuilds_with_a_progress_bar_and_check_finds_tampering(
        self, store, awarded, tree, competition, today
    ):
        out = io.StringIO()

        call_command("rebuild_leaderboards", stdout=out)

        assert "2/2" in out.getvalue() and "Rebuilt" in out.getvalue()
        call_command("rebuild_leaderboards", "--check", stdout=io.StringIO())
        village = Board(competition.pk, tree["province"].pk, "village")
        store.apply([Increment(village.storage_key(today), tree["ho_lien"].pk, 5)])
        report = io.StringIO()
        with pytest.raises(SystemExit) as exit_:
            call_command("rebuild_leaderboards", "--check", stdout=report)
        assert exit_.value.code == 1
        assert f"member {tree['ho_lien'].pk}: ledger 70, store 75" in report.getvalue()

        call_command("rebuild_leaderboards", stdout=io.StringIO())

        assert store.score(village.storage_key(today), tree["ho_lien"].pk) == 70


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_timer_projects_what_an_award_left_behind(
    sql_store, settings, tree, competition, community_class, today
):
    # The award's own projection is skipped (as when the projector lock is busy
    # or Redis is down); the entries wait in the queue for the timer.
    settings.LEADERBOARD_CATCH_UP_SECONDS = 0.1
    entries_recorded.disconnect(receivers.project_new_entries)
    try:
        credit_one(
            a_credit(
                competition, community_class, tree["ho_lien"], points=12, key="timer:1"
            )
        )
    finally:
        entries_recorded.connect(receivers.project_new_entries)
    assert UnprojectedEntry.objects.count() == 1

    projector.start_catch_up_timer()
    try:
        for _ in range(100):
            if not UnprojectedEntry.objects.exists():
                break
            time.sleep(0.05)
    finally:
        projector.stop_catch_up_timer()

    assert not UnprojectedEntry.objects.exists()
    village = Board(competition.pk, tree["province"].pk, "village")
    assert sql_store.score(village.storage_key(today), tree["ho_lien"].pk) == 12


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_award_does_not_wait_for_a_projector_holding_the_lock(
    sql_store, tree, competition, community_class, today
):
    # Another worker is projecting (or rebuilding): the award commits at once, its
    # entry stays queued, and the next projection once the lock is free applies it.
    holding, release, outcome = threading.Event(), threading.Event(), {}

    def other_worker():
        try:
            with transaction.atomic():
                outcome["took"] = projector.take_lock(wait=False)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    holding.wait(10)
    try:
        started = time.perf_counter()
        credit_one(
            a_credit(
                competition, community_class, tree["ho_lien"], points=7, key="lock:1"
            )
        )
        waited = time.perf_counter() - started
        with transaction.atomic():
            busy = not projector.take_lock(wait=False)
    finally:
        release.set()
        worker.join()

    assert outcome["took"] and busy
    assert waited < 5
    assert UnprojectedEntry.objects.count() == 1
    assert projector.project().entries == 1
    village = Board(competition.pk, tree["province"].pk, "village")
    assert sql_store.score(village.storage_key(today), tree["ho_lien"].pk) == 7


@pytest.mark.django_db(transaction=True)
def test_viewers_are_told_of_an_award_once_what_they_read_has_it(
    store, tree, competition, community_class, today, monkeypatch
):
    """A worker told of a change reads the board on its own connection: the award
    must be there by then. Redis has it as soon as it is applied, so its viewers
    are told before the projector's own (durable) commit; the SQL store's rows are
    readable only after that commit, so its viewers are told after it."""
    week = Board(competition.pk, tree["province"].pk, "village").storage_key(today)
    told = []

    def announce(keys):
        read = {}

        def as_a_worker_reads():
            try:
                read["scores"] = store.scores(week)
            finally:
                connection.close()

        reader = threading.Thread(target=as_a_worker_reads)
        reader.start()
        reader.join()
        told.append((week in keys, connection.in_atomic_block, read["scores"]))

    monkeypatch.setattr(projector.hub, "announce", announce)
    credit_one(
        a_credit(competition, community_class, tree["ho_lien"], points=9, key="told")
    )

    before_commit = store.name != "sql"
    assert told == [(True, before_commit, {tree["ho_lien"].pk: 9})]


@pytest.mark.services
def test_the_queue_taken_in_one_statement_reads_what_the_orm_reads(
    tree, competition, initiative
):
    """take_queued's PostgreSQL statement names ENTRY_FIELDS' columns by hand: the
    rows must be the ORM's, for a person active or not and for a unit's own credit."""
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement path is PostgreSQL's")
    active = make_person(tree["ho_lien"], "Chị Hoa")
    inactive = make_person(tree["ke_sat"], "Anh Bình")
    credits = [
        a_credit(competition, initiative, tree["ho_lien"], key="a", person=active),
        a_credit(competition, initiative, tree["ke_sat"], key="b", person=inactive),
        a_credit(competition, initiative, tree["ho_lien"], key="c", points=3),
    ]
    with transaction.atomic():
        ids = [credit_one(credit).pk for credit in credits]
        Person.objects.filter(pk=inactive.pk).update(is_active=False)
        expected = list(
            PointEntry.objects.filter(pk__in=ids)
            .order_by("pk")
            .values_list(*projector.ENTRY_FIELDS)
        )

        taken = projector.take_queued(ids[:2], limit=10)
        rest = projector.take_queued(None, limit=10)

    assert [tuple(row) for row in taken + rest] == expected
    assert expected[1][6] is False and expected[2][3] is None
    assert not UnprojectedEntry.objects.filter(entry_id__in=ids).exists()
