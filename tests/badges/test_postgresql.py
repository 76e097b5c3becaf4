"""What only a real PostgreSQL can show: evaluations racing award once."""

from unittest import mock

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


class TestPublishingOnSeveralConnections:
    def test_chunks_on_two_connections_award_everyone_once_with_progress(
        self, settings, villagers, course
    ):
        import threading

        from badges.models import BadgeClass

        settings.BADGES_EVALUATE = False
        for person in villagers:
            complete(person, course)
        settings.BADGES_EVALUATE = True
        make_class("mot-khoa", {"fact": "completed_trainings", "min": 1})
        make_class(
            "hai-huy-hieu", {"fact": "badges_held", "badges": ["mot-khoa"], "min": 1}
        )
        threads, reported = set(), []
        real = services._backfill_chunk

        def spy(*args, **kwargs):
            threads.add(threading.current_thread().name)
            return real(*args, **kwargs)

        with mock.patch.object(services, "_backfill_chunk", spy):
            made = services.backfill_class(
                BadgeClass.objects.get(slug="mot-khoa"),
                at=timezone.now(),
                chunk=1,
                progress=lambda done, total: reported.append((done, total)),
            )

        assert made == 5
        assert len(threads) == 2 and all("badge-publish" in t for t in threads)
        for slug in ("mot-khoa", "hai-huy-hieu"):
            assert sorted(
                Assertion.objects.filter(badge_slug=slug).values_list(
                    "person_id", flat=True
                )
            ) == sorted(p.pk for p in villagers)
        done, total = reported[-1]
        assert done == total and [d for d, _t in reported] == sorted(
            d for d, _t in reported
        )
        assert BadgeClass.objects.get(slug="mot-khoa").evaluated_at is not None


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
