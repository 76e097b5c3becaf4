"""Uploaded files that no row names any more are removed.

An evidence photo or a certificate is written to MEDIA_ROOT before its row is
inserted, in the same transaction; Django has no hook for a rollback, so a
transaction that fails (a refused submission, a duplicate self-report, a crash)
leaves the file behind with nothing pointing to it: a photo of people that no one
can see or delete. Every MEDIA_CLEANUP_MINUTES one worker (units.schedule) removes
the files under MEDIA_ROOT that no file field of any model names and that are
older than MEDIA_ORPHAN_AGE_MINUTES, longer than any transaction lasts: a file
whose transaction is still running is never taken. `manage.py remove_orphan_files`
does the same by hand.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.http import Http404
from django.utils import timezone

logger = logging.getLogger(__name__)


def open_stored(field_file):
    """An uploaded file's row, opened for reading; a 404 if its file is gone.

    A row can outlive its file (a media folder restored from an older backup, a
    disk replaced, a hand-made cleanup): the person asking gets "not found", not a
    server error, and the missing file is logged for the operators.
    """
    try:
        return field_file.open("rb")
    except FileNotFoundError:
        logger.warning("stored file missing: %s", field_file.name)
        raise Http404("file") from None


def _file_fields():
    for model in apps.get_models():
        if model._meta.abstract or model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                yield model, model_field


def referenced_files() -> set[str]:
    """The name of every stored file some row names, whatever model it is in (a
    new file field is covered without changing this)."""
    names: set[str] = set()
    for model, model_field in _file_fields():
        names.update(
            model._default_manager.exclude(**{model_field.name: ""})
            .values_list(model_field.name, flat=True)
            .iterator(chunk_size=10_000)
        )
    names.discard(None)
    return names


def _stored_files(storage, directory: str = ""):
    folders, files = storage.listdir(directory)
    for name in files:
        yield f"{directory}/{name}" if directory else name
    for folder in folders:
        yield from _stored_files(
            storage, f"{directory}/{folder}" if directory else folder
        )


@dataclass
class Cleanup:
    checked: int = 0
    removed: list = field(default_factory=list)
    too_recent: int = 0


def remove_orphan_files(
    *, now: datetime | None = None, older_than: timedelta | None = None, dry_run=False
) -> Cleanup:
    """Remove the files under MEDIA_ROOT that no row names, once old enough."""
    now = now or timezone.now()
    if older_than is None:
        older_than = timedelta(minutes=settings.MEDIA_ORPHAN_AGE_MINUTES)
    storage = default_storage
    if not storage.exists(""):
        return Cleanup()
    # Listed before the rows are read: a file whose row commits in between is
    # then named by the rows, never taken for an orphan.
    stored = list(_stored_files(storage))
    referenced = referenced_files()
    outcome = Cleanup(checked=len(stored))
    for name in stored:
        if name in referenced:
            continue
        try:
            modified = storage.get_modified_time(name)
        except FileNotFoundError:
            continue
        if now - modified < older_than:
            outcome.too_recent += 1
            continue
        if not dry_run:
            storage.delete(name)
        outcome.removed.append(name)
        logger.info(
            "%s orphan file %s (last written %s)",
            "would remove" if dry_run else "removed",
            name,
            modified.isoformat(timespec="seconds"),
        )
    logger.info(
        "media cleanup: %d files checked, %d orphans %s, %d too recent to judge",
        outcome.checked,
        len(outcome.removed),
        "found" if dry_run else "removed",
        outcome.too_recent,
    )
    return outcome
