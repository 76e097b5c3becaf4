"""The demo province has learning activity worth looking at on the first `make run`."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from competitions.models import PointEntry
from learning.models import Completion, Household, Mentorship, Training
from units.models import TargetGroup


@pytest.fixture
def seeded(demo_province, db, settings):
    settings.DEBUG = True  # for the tests that run seed_demo again
    settings.MEDIA_ROOT = demo_province


class TestLearningDemo:
    def test_offers_trainings_for_each_target_group(self, seeded):
        groups = set()
        for training in Training.objects.all():
            groups.update(training.target_groups)

        assert groups == set(TargetGroup.values)
        assert Training.objects.filter(kind=Training.Kind.THEMATIC_SESSION).exists()

    def test_credits_every_confirmed_completion_in_the_ledger(self, seeded):
        confirmed = Completion.objects.filter(status=Completion.Status.CONFIRMED)
        credited = PointEntry.objects.filter(
            activity_type__code="training-completed", source="learning"
        )

        assert confirmed.count() > 500
        assert credited.count() == confirmed.count()

    def test_has_a_mentor_with_points_and_digital_households(self, seeded):
        mentor_points = PointEntry.objects.filter(
            activity_type__code="mentee-guided"
        ).aggregate(total=Sum("points"))["total"]

        # Three from the learning demo, two more from the badges demo (the mentor is
        # left one mentee short of "Đại sứ số").
        assert Mentorship.objects.filter(mentor__user__username="hocvien").count() == 5
        assert mentor_points > 0
        assert Household.objects.filter(digital_since__isnull=False).exists()

    def test_leaves_a_self_report_for_the_reviewer(self, seeded):
        pending = Completion.objects.get(status=Completion.Status.PENDING)

        assert pending.certificate
        assert pending.person.user.username == "hocvien"

    def test_running_twice_adds_no_completion(self, seeded):
        before = Completion.objects.count(), PointEntry.objects.count()

        call_command("seed_demo", verbosity=0)

        assert (Completion.objects.count(), PointEntry.objects.count()) == before
