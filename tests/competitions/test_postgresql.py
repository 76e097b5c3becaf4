"""What only a real PostgreSQL can show: concurrent approvals and append-only tables."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from competitions import ledger, services
from competitions.models import PointEntry, Submission, UnprojectedEntry, UnsealedEntry
from leaderboards import projector
from leaderboards.boards import Board
from leaderboards.stores import get_store
from tests.competitions.conftest import (
    TEST_ORIGIN,
    a_credit,
    make_submission,
    noisy_photo,
)
from units.models import AuditEvent

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def run_at_once(count, action):
    """Run action(index) in `count` threads released together; return their outcomes."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def worker(index):
        try:
            barrier.wait()
            outcomes[index] = action(index)
        except Exception as error:  # collected and asserted on by the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


class TestConcurrentApprovals:
    def test_two_reviewers_approving_at_once_credit_once(
        self, tree, officer, reviewer, administrator, competition, community_class
    ):
        submission = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
        )
        reviewers = [reviewer, administrator]

        outcomes = run_at_once(
            2,
            lambda i: services.approve_submission(
                submission=submission,
                reviewer=reviewers[i],
                at=timezone.now(),
                origin=TEST_ORIGIN,
            ),
        )

        assert sum(isinstance(o, list) for o in outcomes) == 1
        assert (
            sum(isinstance(o, services.SubmissionAlreadyDecided) for o in outcomes) == 1
        )
        assert PointEntry.objects.filter(submission=submission).count() == 1

    def test_sixteen_replays_of_the_same_approval_credit_once(
        self, tree, officer, reviewer, competition, community_class
    ):
        submission = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
        )

        outcomes = run_at_once(
            16,
            lambda i: services.approve_submission(
                submission=submission,
                reviewer=reviewer,
                at=timezone.now(),
                origin=TEST_ORIGIN,
            ),
        )

        assert sum(isinstance(o, list) for o in outcomes) == 1
        assert all(
            isinstance(o, (list, services.SubmissionAlreadyDecided)) for o in outcomes
        ), outcomes
        assert PointEntry.objects.count() == 1
        assert AuditEvent.objects.filter(action="submission.approved").count() == 1

    def test_a_weekly_cap_holds_when_approvals_race(
        self, tree, officer, reviewer, competition, community_class, today
    ):
        day = today - __import__("datetime").timedelta(days=today.weekday() + 7)
        submissions = [
            make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=community_class,
                on=day,
                photo=noisy_photo(40 + n),
            )
            for n in range(6)
        ]

        run_at_once(
            6,
            lambda i: services.approve_submission(
                submission=submissions[i],
                reviewer=reviewer,
                at=timezone.now(),
                origin=TEST_ORIGIN,
            ),
        )

        assert PointEntry.objects.filter(points__gt=0).count() == 3
        assert PointEntry.objects.filter(capped=True).count() == 3


class TestConcurrentCredits:
    """ledger.credit writes and queues an entry in one statement on PostgreSQL."""

    def test_eight_credits_of_the_same_key_at_once_write_and_queue_one_entry(
        self, tree, competition, initiative
    ):
        def credit(index):
            with transaction.atomic():
                return ledger.credit(
                    credits=[
                        a_credit(competition, initiative, tree["ho_lien"], key="same"),
                        a_credit(
                            competition, initiative, tree["ho_lien"], key=f"own-{index}"
                        ),
                    ],
                    by=None,
                    at=timezone.now(),
                )

        outcomes = run_at_once(8, credit)

        written = [entry for outcome in outcomes for entry in outcome]
        same = [entry for entry in written if entry.idempotency_key == "same"]
        assert len(same) == 1 and len(written) == 9
        stored = set(PointEntry.objects.values_list("pk", flat=True))
        assert {entry.pk for entry in written} == stored
        # Queued for the sealer (it runs on a schedule: all still there) and for
        # the projector (it ran on commit): the village's board has all nine.
        assert set(UnsealedEntry.objects.values_list("entry_id", flat=True)) == stored
        # What an award skipped while another held the projector's lock (not
        # catch_up(): it would rebuild an empty store from the ledger).
        while projector.project(wait=True).entries:
            pass
        board = Board(competition.pk, tree["province"].pk, "village")
        assert get_store().scores(board.storage_key(timezone.localdate())) == {
            tree["ho_lien"].pk: 90
        }

    def test_an_entry_written_is_a_saved_instance_and_a_repeat_returns_nothing(
        self, tree, competition, initiative
    ):
        with transaction.atomic():
            (entry,) = ledger.credit(
                credits=[a_credit(competition, initiative, tree["ho_lien"])],
                by=None,
                at=timezone.now(),
            )
        entry.refresh_from_db()
        assert not entry._state.adding and entry.points == 10
        with transaction.atomic():
            again = ledger.credit(
                credits=[a_credit(competition, initiative, tree["ho_lien"])],
                by=None,
                at=timezone.now(),
            )
        assert again == []
        assert list(UnsealedEntry.objects.values_list("entry_id", flat=True)) == [
            entry.pk
        ]


class TestAppendOnly:
    @pytest.fixture
    def entry(self, tree, officer, reviewer, competition, community_class):
        submission = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
        )
        [entry] = services.approve_submission(
            submission=submission,
            reviewer=reviewer,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )
        return entry

    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE units_auditevent SET reason = 'sửa' ",
            "DELETE FROM units_auditevent",
            "UPDATE competitions_pointentry SET points = 999",
            "UPDATE competitions_pointentry SET explanation = explanation",
            "DELETE FROM competitions_pointentry",
        ],
    )
    def test_the_database_refuses_to_rewrite_history(self, entry, statement):
        before = (
            list(AuditEvent.objects.values_list("pk", "reason")),
            list(PointEntry.objects.values_list("pk", "points")),
        )

        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)

        assert (
            list(AuditEvent.objects.values_list("pk", "reason")),
            list(PointEntry.objects.values_list("pk", "points")),
        ) == before

    def test_the_projector_queue_may_be_emptied(self, entry):
        # The projector takes applied entries off its queue; the entry stays.
        UnprojectedEntry.objects.get_or_create(entry=entry)

        UnprojectedEntry.objects.filter(entry=entry).delete()

        assert not UnprojectedEntry.objects.exists()
        assert PointEntry.objects.filter(pk=entry.pk).exists()

    def test_orm_deletes_are_refused_too(self, entry):
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.all().delete()

        assert AuditEvent.objects.exists()
        assert Submission.objects.exists()
