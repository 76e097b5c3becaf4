"""Reactions to the competitions and units apps (wired in LeaderboardsConfig.ready)."""

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from competitions.signals import entries_recorded
from units.models import Person, Unit

from . import projector


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
def rebuild_when_activity_changes(sender, instance, created, **kwargs):
    """Deactivated people and units leave the boards (and come back when reactivated)."""
    was = getattr(instance, "_was_active", None)
    if not created and was is not None and was != instance.is_active:
        transaction.on_commit(lambda: projector.rebuild())
