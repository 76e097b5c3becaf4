"""What only a real PostgreSQL can show: evaluations racing award once."""

import pytest
from django.utils import timezone

from badges import criteria, services
from badges.models import Assertion
from competitions.models import Notification
from tests.badges.conftest import complete, make_class
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


class TestAwardsKeepTheirClassAndPerson:
    """Awards carry no per-row foreign-key check (it cost PostgreSQL a query per
    award written); the database still refuses to delete what they point to."""

    def test_a_person_or_class_with_awards_cannot_be_deleted_even_in_sql(self):
        from django.db import IntegrityError, connection, transaction

        from units.models import Person

        badge_class = make_class("mot-khoa", {"fact": "completed_trainings", "min": 1})
        awarded, other = (Person.objects.create(display_name=n) for n in "AB")
        Assertion.objects.create(
            badge_class=badge_class,
            badge_slug=badge_class.slug,
            person=awarded,
            salt="0" * 32,
            issued_at=timezone.now(),
        )

        def delete(table, pk):
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])

        for table, pk in (
            ("units_person", awarded.pk),
            ("badges_badgeclass", badge_class.pk),
        ):
            with pytest.raises(IntegrityError, match="has badge awards"):
                with transaction.atomic():
                    delete(table, pk)
        # Without awards both go as before.
        delete("units_person", other.pk)
        draft = make_class("nhap", {"fact": "completed_trainings", "min": 1})
        delete("badges_badgeclass", draft.pk)
        assert not Person.objects.filter(pk=other.pk).exists()
