"""The scheduled reconciliation repairs the boards, logs each repair, and runs in one
worker at a time."""

import io
import logging
import threading
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from leaderboards import projector
from leaderboards.boards import PEOPLE, Board, Increment
from tests.competitions.conftest import a_credit, credit_one
from tests.competitions.test_postgresql import run_at_once
from units import schedule
from units.models import Person, ScheduledJob


@pytest.fixture(autouse=True)
def fresh_schedule(settings):
    settings.LEADERBOARD_RECONCILE_MINUTES = 30
    schedule.forget_local_state()
    yield
    schedule.forget_local_state()


@pytest.fixture
def credited(tree, officer, competition, initiative):
    credit_one(
        a_credit(
            competition, initiative, tree["ho_lien"], person=officer.person, points=70
        )
    )
    projector.catch_up()
    return officer.person


def village_board(competition, tree, today):
    return Board(competition.pk, tree["ke_sat"].pk, "village").storage_key(today)


class TestScheduledReconciliation:
    def test_a_store_ahead_of_the_ledger_is_repaired_and_the_repair_logged(
        self, store, tree, competition, credited, today, caplog
    ):
        key = village_board(competition, tree, today)
        store.apply([Increment(key, tree["ho_lien"].pk, 5)])

        with caplog.at_level(logging.WARNING, logger="leaderboards"):
            ran = schedule.run_due()

        assert ran == ["leaderboards.reconcile"]
        assert store.score(key, tree["ho_lien"].pk) == 70
        assert (
            f"leaderboard repaired: board {key} member {tree['ho_lien'].pk}: "
            "store 75, ledger 70"
        ) in caplog.messages
        assert projector.reconcile().mismatches == []

    def test_members_with_no_entries_and_people_left_behind_are_taken_off(
        self, store, tree, competition, credited, today, caplog
    ):
        people = Board(competition.pk, tree["province"].pk, PEOPLE).storage_key(today)
        store.apply([Increment(people, 987654, 3)])
        # Deactivated while the store was unreachable: the move never happened.
        Person.objects.filter(pk=credited.pk).update(is_active=False)

        with caplog.at_level(logging.WARNING, logger="leaderboards"):
            schedule.run_due()

        assert store.scores(people) == {}
        assert (
            f"leaderboard repaired: board {people} member 987654: store 3, ledger None"
        ) in caplog.messages
        assert projector.reconcile().mismatches == []

    def test_runs_again_only_when_the_interval_has_passed(
        self, store, credited, monkeypatch
    ):
        runs = []
        job = schedule.registered()["leaderboards.reconcile"]
        monkeypatch.setitem(
            schedule._jobs,
            job.name,
            schedule.Job(job.name, job.every, lambda: runs.append(1)),
        )
        start = timezone.now()

        schedule.run_due(now=start)
        schedule.run_due(now=start + timezone.timedelta(minutes=10))
        schedule.forget_local_state()  # another worker, which has not run it
        schedule.run_due(now=start + timezone.timedelta(minutes=20))
        schedule.run_due(now=start + timezone.timedelta(minutes=31))

        assert len(runs) == 2
        row = ScheduledJob.objects.get(name=job.name)
        assert row.succeeded is True and row.finished_at >= row.started_at

    def test_off_when_the_interval_is_zero(self, store, settings):
        settings.LEADERBOARD_RECONCILE_MINUTES = 0

        assert schedule.run_due() == []

    def test_the_command_runs_the_same_job(
        self, store, tree, competition, credited, today
    ):
        key = village_board(competition, tree, today)
        store.apply([Increment(key, tree["ho_lien"].pk, -20)])
        out = io.StringIO()

        call_command("reconcile_leaderboards", stdout=out)

        assert (
            f"{key} member {tree['ho_lien'].pk}: store 50, ledger 70" in out.getvalue()
        )
        assert "1 repaired" in out.getvalue()
        assert store.score(key, tree["ho_lien"].pk) == 70


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_workers_timers_reconcile_once(sql_store, monkeypatch, settings):
    """Two workers reach the job at the same moment: one runs it, the other skips."""
    settings.LEADERBOARD_RECONCILE_MINUTES = 30
    runs = []
    started = threading.Event()

    def slow_reconciliation():
        runs.append(threading.get_ident())
        started.set()
        time.sleep(0.3)

    job = schedule.registered()["leaderboards.reconcile"]
    monkeypatch.setitem(
        schedule._jobs, job.name, schedule.Job(job.name, job.every, slow_reconciliation)
    )

    class SeparateProcesses(dict):
        """Threads of one process share what it remembers of runs; workers do not."""

        def __setitem__(self, key, value):
            pass

    monkeypatch.setattr(schedule, "_not_before", SeparateProcesses())

    outcomes = run_at_once(2, lambda _index: projector.scheduled_round())
    # A third worker arriving while the first still runs, and one after it ended.
    late = run_at_once(1, lambda _index: projector.scheduled_round())

    assert len(runs) == 1
    assert sorted(map(len, outcomes)) == [0, 1] and late == [[]]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_skips_the_job_while_another_claims_it(sql_store, monkeypatch):
    """The claim is a row lock that others skip: no wait, and no second run."""
    from django.db import connection, transaction

    runs = []
    job = schedule.registered()["leaderboards.reconcile"]
    monkeypatch.setitem(
        schedule._jobs,
        job.name,
        schedule.Job(job.name, job.every, lambda: runs.append(1)),
    )
    ScheduledJob.objects.create(name=job.name)
    locked, release = threading.Event(), threading.Event()

    def other_worker_claiming():
        with transaction.atomic():
            ScheduledJob.objects.select_for_update().get(name=job.name)
            locked.set()
            release.wait(10)
        connection.close()

    other = threading.Thread(target=other_worker_claiming)
    other.start()
    locked.wait(10)
    try:
        began = time.monotonic()
        [ran] = run_at_once(1, lambda _index: projector.scheduled_round())
        waited = time.monotonic() - began
    finally:
        release.set()
        other.join()

    assert ran == [] and runs == []
    assert waited < 2
