"""What only a real PostgreSQL can show: evaluations racing award once."""

import pytest
from django.utils import timezone

from badges import criteria, services
from badges.models import Assertion
from competitions.models import Notification
from tests.badges.conftest import complete
from tests.competitions.test_postgresql import run_at_once

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class TestRacingEvaluations:
    def test_eight_evaluations_of_the_same_mentor_at_once_award_once(
        self, settings, mentor, mentees, course
    ):
        settings.BADGES_EVALUATE = False
        for mentee in mentees[:5]:
            complete(mentee, course)
        assert not Assertion.objects.exists()
        settings.BADGES_EVALUATE = True
        change = services.Change(kind=criteria.COMPLETION, mentors={mentor.pk})

        outcomes = run_at_once(
            8, lambda i: services.evaluate_change(change, at=timezone.now())
        )

        assert not any(isinstance(o, Exception) for o in outcomes), outcomes
        assert sum(len(o) for o in outcomes) == 1
        assert (
            Assertion.objects.filter(person=mentor, badge_slug="dai-su-so").count() == 1
        )
        assert Notification.objects.filter(user=mentor.user).count() == 1

    def test_a_publish_racing_an_award_awards_once(
        self, settings, mentor, mentees, course, administrator
    ):
        settings.BADGES_EVALUATE = False
        for mentee in mentees[:5]:
            complete(mentee, course)
        settings.BADGES_EVALUATE = True
        from badges.models import BadgeClass

        badge_class = BadgeClass.objects.get(slug="dai-su-so", status="published")
        change = services.Change(kind=criteria.COMPLETION, mentors={mentor.pk})

        run_at_once(
            2,
            lambda i: (
                services.evaluate_change(change, at=timezone.now())
                if i
                else services.backfill_class(badge_class, at=timezone.now())
            ),
        )

        assert Assertion.objects.filter(person=mentor).count() == 1
