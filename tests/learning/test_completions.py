"""Recording completions: once per person and training, credited through the ledger."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from competitions.models import PointEntry
from learning import services
from learning.models import (
    Completion,
    Household,
    HouseholdMember,
    MentorInvite,
    Mentorship,
)
from units.audit import COMMAND

pytestmark = pytest.mark.django_db


def _new(person, training, unit, *, days_ago=1, source=Completion.Source.ATTENDANCE):
    return services.NewCompletion(
        person=person,
        training=training,
        unit=unit,
        completed_on=timezone.localdate() - timedelta(days=days_ago),
        source=source,
    )


def _points(**filters) -> int:
    return sum(PointEntry.objects.filter(**filters).values_list("points", flat=True))


def test_a_confirmed_completion_credits_the_learner_once(
    tree, learning_competition, course, villagers, officer
):
    learner = villagers[0]
    now = timezone.now()
    first, created = services.record_completion(
        _new(learner, course, tree["ho_lien"]), by=officer, at=now, origin=COMMAND
    )
    again, created_again = services.record_completion(
        _new(learner, course, tree["ho_lien"]), by=officer, at=now, origin=COMMAND
    )
    assert created and not created_again and again.pk == first.pk
    assert _points(person=learner) == 10
    assert PointEntry.objects.filter(person=learner).count() == 1


def test_a_pending_self_report_earns_nothing_until_confirmed(
    tree, learning_competition, course, villagers, reviewer
):
    learner = villagers[0]
    completion, _ = services.record_completion(
        _new(learner, course, tree["ho_lien"], source=Completion.Source.SELF_REPORT),
        by=None,
        at=timezone.now(),
        origin=COMMAND,
        status=Completion.Status.PENDING,
    )
    assert _points(person=learner) == 0
    services.review_completion(
        completion=completion,
        reviewer=reviewer,
        approve=True,
        reason="",
        at=timezone.now(),
        origin=COMMAND,
    )
    assert _points(person=learner) == 10
    with pytest.raises(services.LearningError):
        services.review_completion(
            completion=completion,
            reviewer=reviewer,
            approve=True,
            reason="",
            at=timezone.now(),
            origin=COMMAND,
        )
    assert _points(person=learner) == 10


def test_mentor_is_credited_for_a_mentee_who_completes_after_confirming(
    tree, learning_competition, course, second_course, villagers, officer
):
    mentor, mentee = villagers[0], villagers[1]
    now = timezone.now()
    invite = MentorInvite.objects.create(
        mentor=mentor,
        created_at=now - timedelta(days=3),
        expires_at=now + timedelta(days=4),
    )
    Mentorship.objects.create(
        mentor=mentor,
        mentee=mentee,
        invite=invite,
        confirmed_at=now - timedelta(days=2),
    )
    # Completed before the pairing: the mentor did not guide it.
    services.record_completion(
        _new(mentee, second_course, tree["ho_lien"], days_ago=5),
        by=officer,
        at=now,
        origin=COMMAND,
    )
    assert _points(person=mentor) == 0
    services.record_completion(
        _new(mentee, course, tree["ho_lien"], days_ago=1),
        by=officer,
        at=now,
        origin=COMMAND,
    )
    assert _points(person=mentor) == 5
    assert _points(person=mentee) == 20


def test_a_household_becomes_digital_once(
    tree, learning_competition, course, second_course, villagers, officer
):
    now = timezone.now()
    home = Household.objects.create(
        unit=tree["ho_lien"], name="Hộ ông Bình", created_at=now
    )
    for person in villagers[:2]:
        HouseholdMember.objects.create(household=home, person=person)
    services.record_completion(
        _new(villagers[0], course, tree["ho_lien"], days_ago=3),
        by=officer,
        at=now,
        origin=COMMAND,
    )
    services.record_completion(
        _new(villagers[1], second_course, tree["ho_lien"]),
        by=officer,
        at=now,
        origin=COMMAND,
    )
    home.refresh_from_db()
    assert home.digital_since == timezone.localdate() - timedelta(days=3)
    assert _points(activity_type__code="digital-household", unit=tree["ho_lien"]) == 8


def test_bulk_recording_skips_what_is_there_and_credits_the_rest(
    tree, learning_competition, course, villagers, officer
):
    now = timezone.now()
    services.record_completion(
        _new(villagers[0], course, tree["ho_lien"]), by=officer, at=now, origin=COMMAND
    )
    items = [_new(person, course, tree["ho_lien"]) for person in villagers]
    later = now + timedelta(seconds=1)
    with transaction.atomic():
        added = services.record_completions(items, by=officer, at=later)
    assert len(added) == 4
    with transaction.atomic():
        assert (
            services.record_completions(
                items, by=officer, at=later + timedelta(seconds=1)
            )
            == []
        )
    assert Completion.objects.count() == 5
    assert _points(activity_type__code="training-completed") == 50


def test_caps_hold_in_the_bulk_path(
    tree, learning_competition, course, second_course, villagers, officer
):
    from competitions.models import PointRule

    rule = PointRule.objects.get(
        competition=learning_competition, activity_type__code="training-completed"
    )
    PointRule.objects.filter(pk=rule.pk).update(max_events_per_person=1)
    learner = villagers[0]
    day = timezone.localdate() - timedelta(
        days=timezone.localdate().weekday()
    )  # a Monday
    items = [
        services.NewCompletion(
            person=learner,
            training=t,
            unit=tree["ho_lien"],
            completed_on=day,
            source="import",
        )
        for t in (course, second_course)
    ]
    with transaction.atomic():
        services.record_completions(items, by=officer, at=timezone.now())
    entries = PointEntry.objects.filter(person=learner).order_by("points")
    assert [e.points for e in entries] == [0, 10]
    assert entries[0].capped
