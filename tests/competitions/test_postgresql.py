"""What only a real PostgreSQL can show: concurrent approvals and append-only tables."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from competitions import services
from competitions.models import PointEntry, Submission, UnprojectedEntry
from tests.competitions.conftest import TEST_ORIGIN, make_submission, noisy_photo
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
