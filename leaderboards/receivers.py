"""Reactions to the competitions and units apps (wired in LeaderboardsConfig.ready)."""

import logging

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from competitions.signals import entries_recorded
from units.models import Person, Unit

from . import members, projector
from .stores import StoreUnavailable

logger = logging.getLogger(__name__)


@receiver(entries_recorded)
def project_new_entries(sender, entry_ids, **kwargs):
    # Runs after the award's commit; never waits for a busy projector or a stopped
    # store (the catch-up timer applies what is skipped here).
    projector.project(entry_ids, wait=False)


@receiver(pre_save, sender=Person)
@receiver(pre_save, sender=Unit)
def remember_activity(sender, instance, **kwargs):
    if instance.pk:
        instance._was_active = (
            sender.objects.filter(pk=instance.pk)
            .values_list("is_active", flat=True)
            .first()
        )


@receiver(post_save, sender=Person)
@receiver(post_save, sender=Unit)
def move_when_activity_changes(sender, instance, created, **kwargs):
    """A deactivated person or unit leaves the boards, and comes back when
    reactivated: after commit, only its own members are moved (members.py)."""
    was = getattr(instance, "_was_active", None)
    if created or was is None or was == instance.is_active:
        return
    move = (
        members.person_activity_changed
        if sender is Person
        else members.unit_activity_changed
    )

    def after_commit():
        try:
            move(instance)
        except StoreUnavailable as error:
            # The deactivation itself stands; the scheduled reconciliation moves
            # the members once the store answers again.
            logger.warning(
                "ranking store unavailable; %s %s moves at the next reconciliation: %s",
                sender.__name__,
                instance.pk,
                error,
            )

    transaction.on_commit(after_commit)
