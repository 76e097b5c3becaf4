"""Reactions to what the apps below record (wired in BadgesConfig.ready).

Every receiver runs after the change has committed and turns it into a `Change`
naming its kind and the people and units it touched; `services.evaluate_safely`
evaluates the classes that depend on that kind, for those recipients only.
"""

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from competitions.models import Competition, PointEntry, Submission
from competitions.signals import entries_recorded, submission_decided
from learning.models import Completion, HouseholdMember
from learning.signals import completions_recorded, households_changed

from . import criteria
from .services import Change, evaluate_safely


@receiver(entries_recorded)
def ledger_changed(sender, entry_ids, **kwargs):
    change = Change(kind=criteria.LEDGER)
    for person_id, unit_id, activity, competition_id in PointEntry.objects.filter(
        pk__in=entry_ids
    ).values_list("person_id", "unit_id", "activity_type__code", "competition_id"):
        if person_id:
            change.persons.add(person_id)
        change.units.add(unit_id)
        change.activities.add(activity)
        change.competitions.add(competition_id)
    evaluate_safely(change)


@receiver(submission_decided)
def submission_approved(sender, submission_id, status, **kwargs):
    if status != Submission.Status.APPROVED:
        return
    row = (
        Submission.objects.filter(pk=submission_id)
        .values("person_id", "unit_id")
        .first()
    )
    if row is None:
        return
    change = Change(kind=criteria.SUBMISSION, units={row["unit_id"]})
    if row["person_id"]:
        change.persons.add(row["person_id"])
    evaluate_safely(change)


@receiver(completions_recorded)
def completions_changed(sender, completion_ids, **kwargs):
    change = Change(kind=criteria.COMPLETION)
    # One query: the learners, their units and their mentors.
    for person_id, unit_id, mentor_id in Completion.objects.filter(
        pk__in=completion_ids
    ).values_list("person_id", "unit_id", "person__mentorship__mentor_id"):
        change.persons.add(person_id)
        change.units.add(unit_id)
        if mentor_id:
            change.mentors.add(mentor_id)
    evaluate_safely(change)


@receiver(households_changed)
def households_changed_receiver(sender, household_ids, **kwargs):
    change = Change(kind=criteria.HOUSEHOLD)
    for person_id, unit_id in HouseholdMember.objects.filter(
        household_id__in=household_ids
    ).values_list("person_id", "household__unit_id"):
        change.persons.add(person_id)
        change.units.add(unit_id)
    evaluate_safely(change)


@receiver(pre_save, sender=Competition)
def remember_status(sender, instance, **kwargs):
    if instance.pk:
        instance._badges_was = (
            Competition.objects.filter(pk=instance.pk)
            .values_list("status", flat=True)
            .first()
        )


@receiver(post_save, sender=Competition)
def competition_closed(sender, instance, created, **kwargs):
    """At a competition's close its boards are final: board-rank badges are awarded."""
    was = getattr(instance, "_badges_was", None)
    if (
        created
        or was == instance.status
        or instance.status != Competition.Status.CLOSED
    ):
        return
    change = Change(kind=criteria.CLOSE, competitions={instance.pk})
    transaction.on_commit(lambda: evaluate_safely(change))
