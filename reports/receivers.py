"""The tallies follow the records: each receiver runs after the change committed
(the learning app's signals are sent then; model saves are deferred to the commit
here), and a failure is logged and left to the nightly reconciliation, never
raised into the request that recorded the change."""

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from learning.models import ClassSession, Completion, Mentorship, VneidHelp
from learning.signals import completions_recorded, households_changed
from units.models import Membership, Person, Unit

from . import tallies

logger = logging.getLogger(__name__)


def _safely(family, keys) -> None:
    try:
        tallies.sync(family, keys)
    except Exception:
        logger.exception("reports: %s not counted yet for %s", family.name, keys[:5])


def _later(family, keys) -> None:
    keys = list(keys)
    transaction.on_commit(lambda: _safely(family, keys))


@receiver(completions_recorded, dispatch_uid="reports.completions")
def on_completions(sender, completion_ids, **kwargs):
    people = list(
        Completion.objects.filter(pk__in=completion_ids).values_list(
            "person_id", flat=True
        )
    )
    _safely(tallies.REACH, people)
    _safely(tallies.COMPLETIONS, completion_ids)


@receiver(households_changed, dispatch_uid="reports.households")
def on_households(sender, household_ids, **kwargs):
    _safely(tallies.HOUSEHOLDS, household_ids)


@receiver(post_save, sender=VneidHelp, dispatch_uid="reports.vneid")
def on_vneid(sender, instance, **kwargs):
    _later(tallies.VNEID, [instance.pk])


@receiver(post_save, sender=ClassSession, dispatch_uid="reports.classes")
def on_session(sender, instance, **kwargs):
    _later(tallies.CLASSES, [instance.pk])


@receiver(post_save, sender=Mentorship, dispatch_uid="reports.mentoring")
def on_mentorship(sender, instance, **kwargs):
    _later(tallies.MENTEES, [instance.pk])
    _later(tallies.AMBASSADORS, [instance.mentor_id])


@receiver(post_save, sender=Unit, dispatch_uid="reports.headcounts")
def on_unit(sender, instance, raw=False, **kwargs):
    if not raw:
        _later(tallies.HEADCOUNTS, [instance.pk])


@receiver(post_save, sender=Person, dispatch_uid="reports.person")
def on_person(sender, instance, raw=False, **kwargs):
    if not raw:
        _later(tallies.PEOPLE, [instance.pk])
        _later(tallies.REACH, [instance.pk])


@receiver(post_save, sender=Membership, dispatch_uid="reports.membership")
def on_membership(sender, instance, raw=False, **kwargs):
    if not raw:
        _later(tallies.PEOPLE, [instance.person_id])
