"""The burst flag judges a unit against its own history, so that it means something."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from competitions import services
from competitions.models import Submission
from competitions.presentation import describe_flags
from tests.competitions.conftest import make_submission, noisy_photo


def sent(unit, officer, competition, activity, *, at, count):
    """Submissions the unit sent at that moment (approved long since)."""
    Submission.objects.bulk_create(
        Submission(
            competition=competition,
            unit=unit,
            activity_type=activity,
            occurred_on=timezone.localdate(at),
            quantity=1,
            status=Submission.Status.APPROVED,
            submitted_by=officer,
            submitted_at=at - timedelta(seconds=n),
            decided_at=at + timedelta(days=1),
        )
        for n in range(count)
    )


@pytest.fixture
def village(tree):
    return tree["ho_lien"]


@pytest.fixture
def now():
    return timezone.now()


def the_next_one(village, officer, competition, activity, now):
    made = make_submission(
        officer=officer,
        unit=village,
        competition=competition,
        activity_type=activity,
        photo=noisy_photo(99),
        at=now,
    )
    return [flag for flag in made.flags if flag["code"] == "burst"]


class TestBurstFlag:
    def test_a_unit_that_always_sends_in_batches_is_not_flagged(
        self, village, officer, competition, initiative, now
    ):
        # Every Monday morning of the past four weeks: a dozen reports in an hour.
        for week in range(1, 5):
            sent(
                village,
                officer,
                competition,
                initiative,
                at=now - timedelta(weeks=week),
                count=12,
            )
        sent(village, officer, competition, initiative, at=now, count=11)

        assert the_next_one(village, officer, competition, initiative, now) == []

    def test_a_sudden_burst_against_a_steady_history_is_flagged(
        self, village, officer, competition, initiative, now
    ):
        # Two reports a day, on twenty days of the past month.
        for day in range(2, 22):
            sent(
                village,
                officer,
                competition,
                initiative,
                at=now - timedelta(days=day),
                count=2,
            )
        sent(village, officer, competition, initiative, at=now, count=9)

        [flag] = the_next_one(village, officer, competition, initiative, now)

        assert (flag["count"], flag["usual"], flag["days"]) == (10, 2.0, 30)
        with translation.override("en"):
            assert describe_flags([flag], visible=set()) == [
                "10 submissions from this unit within 60 minutes; in the past 30 "
                "days it sent about 2.0 in an hour when it sent any."
            ]

    def test_without_history_a_handful_is_not_a_burst_but_ten_are(
        self, village, officer, competition, initiative, now
    ):
        sent(village, officer, competition, initiative, at=now, count=8)
        assert the_next_one(village, officer, competition, initiative, now) == []

        [flag] = the_next_one(village, officer, competition, initiative, now)

        assert (flag["count"], flag["usual"]) == (10, 0.0)
        with translation.override("vi"):
            [sentence] = describe_flags([flag], visible=set())
        assert "10" in sentence and "30" in sentence

    def test_another_units_reports_do_not_count(
        self, village, tree, officer, competition, initiative, now
    ):
        sent(tree["cay"], officer, competition, initiative, at=now, count=30)

        assert the_next_one(village, officer, competition, initiative, now) == []

    def test_flags_stored_before_still_read(self):
        with translation.override("en"):
            assert describe_flags(
                [{"code": "burst", "count": 72, "minutes": 60}], visible=set()
            ) == ["72 submissions from this unit within 60 minutes."]


def test_the_floor_and_factor_are_what_the_readme_says():
    assert (services.BURST_FLOOR, services.BURST_FACTOR) == (10, 3)
    assert services.BURST_HISTORY == timedelta(days=30)
