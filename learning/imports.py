"""Importing completion lists exported by the national MOOC platform.

An officer uploads the file for one of their units. Previewing plans it (every row
checked, learners matched: see `import_plan`) and stores the file with what applying
would do; nothing else is written. Applying reads the stored file again (people and courses
may have changed since), creates the learners nobody knew and records the completions
in chunks, each its own transaction, through `services.record_completions`: the
unique person+training constraint and the ledger keys make a second apply, or the same
file uploaded twice, add nothing.
"""

import contextvars
import csv
import hashlib
import io
import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from units import bulk
from units.audit import Origin, record_event
from units.models import Membership, Person, Unit
from units.permissions import Action, can

from . import services
from .import_plan import (
    TEMPLATE_HEADERS,
    ImportRefused,
    Plan,
    Planned,
    paused_gc,
    plan_import,
)
from .models import Completion, ImportBatch
from .services import LearningError, NewCompletion

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000
STORED_PROBLEMS = 1000
# An "applying" batch whose worker has been silent this long died with its process.
STALE_AFTER = timedelta(minutes=10)


class ImportNotApplicable(LearningError):
    """The batch is applied, being applied, or has nothing to apply."""


def _store_counts(batch: ImportBatch, plan: Plan) -> None:
    batch.rows_total = plan.rows_total
    batch.rows_valid = len(plan.items)
    batch.rows_invalid = plan.rows_invalid
    batch.rows_duplicate = plan.rows_duplicate
    batch.rows_recorded = plan.rows_recorded
    batch.new_learners = plan.new_learners
    batch.ignored_columns = plan.ignored_columns[:50]
    batch.errors = plan.problems[:STORED_PROBLEMS]


def preview_import(
    *, unit: Unit, by, file_name: str, data: bytes, at: datetime
) -> ImportBatch:
    """Check an uploaded completion list and store it, previewed; nothing else is written."""
    if not can(by, Action.RECORD_LEARNING, unit):
        raise ImportRefused(_("You cannot import completions for this unit."))
    plan = plan_import(data=data, unit=unit, today=timezone.localdate(at))
    batch = ImportBatch(
        unit=unit,
        uploaded_by=by,
        original_name=file_name[-200:],
        sha256=hashlib.sha256(data).hexdigest(),
        file_format=plan.file_format,
        encoding=plan.encoding,
        created_at=at,
    )
    _store_counts(batch, plan)
    # The stored name is ours: the officer's file name is kept only as text.
    batch.file.save(
        f"{uuid.uuid4().hex}.{plan.file_format}", ContentFile(data), save=False
    )
    batch.save(force_insert=True)
    return batch


# Applying ----------------------------------------------------------------------


def _inline(batch: ImportBatch) -> bool:
    small = batch.rows_valid < getattr(
        settings, "LEARNING_IMPORT_INLINE_ROWS", CHUNK_ROWS
    )
    return small or getattr(settings, "LEARNING_IMPORT_INLINE", False)


def apply_import(
    *, batch: ImportBatch, by, at: datetime, origin: Origin
) -> ImportBatch:
    """Apply a previewed batch once: now if it is small, else in a background thread.

    A second request while it is applied, or after, changes nothing.
    """
    if batch.rows_valid == 0:
        raise ImportNotApplicable(_("This file has no valid rows to import."))
    claimed = (
        ImportBatch.objects.filter(pk=batch.pk)
        .filter(
            Q(status__in=[ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED])
            | Q(status=ImportBatch.Status.APPLYING, progress_at__lt=at - STALE_AFTER)
        )
        .update(status=ImportBatch.Status.APPLYING, progress_at=at, failure="")
    )
    if not claimed:
        batch.refresh_from_db()
        if batch.status == ImportBatch.Status.APPLIED:
            raise ImportNotApplicable(_("This import was already applied."))
        raise ImportNotApplicable(_("This import is already being applied."))
    if _inline(batch):
        run_import(batch_id=batch.pk, by=by, at=at, origin=origin)
    else:
        threading.Thread(
            target=_run_in_background,
            kwargs={"batch_id": batch.pk, "by": by, "at": at, "origin": origin},
            name=f"import-{batch.pk}",
            daemon=True,
        ).start()
    batch.refresh_from_db()
    return batch


def _run_in_background(**kwargs) -> None:
    try:
        run_import(**kwargs)
    finally:
        # This thread's connection would otherwise stay open until the server stops.
        connections.close_all()


def run_import(*, batch_id: int, by, at: datetime, origin: Origin) -> ImportBatch:
    """Apply a claimed batch chunk by chunk; a failure keeps the chunks committed."""
    batch = ImportBatch.objects.select_related("unit").get(pk=batch_id)
    try:
        with batch.file.open("rb") as stored:
            data = stored.read()
        plan = plan_import(data=data, unit=batch.unit, today=timezone.localdate(at))
        _store_counts(batch, plan)
        batch.rows_done = batch.rows_recorded
        batch.completions_added = batch.people_added = 0
        batch.save()
        todo = [item for item in plan.items if not item.recorded]
        with paused_gc(), _AfterCommit.beside() as after:
            for start in range(0, len(todo), CHUNK_ROWS):
                _apply_chunk(
                    batch, todo[start : start + CHUNK_ROWS], by=by, at=at, after=after
                )
    except Exception as error:
        logger.exception("import %s failed", batch_id)
        message = error.message if isinstance(error, LearningError) else ""
        with transaction.atomic():
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportBatch.Status.FAILED,
                failure=message
                or _(
                    "The import stopped before the end. The rows already saved stay; apply again to finish."
                ),
            )
            batch.refresh_from_db()
            _record(batch, by=by, at=at, origin=origin)
        return batch
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.APPLIED, applied_at=at
        )
        batch.refresh_from_db()
        _record(batch, by=by, at=at, origin=origin)
    return batch


def _record(batch: ImportBatch, *, by, at: datetime, origin: Origin) -> None:
    """The audit event of an apply, its counts in the reason."""
    record_event(
        actor=by,
        action="import.apply",
        obj=batch,
        at=at,
        origin=origin,
        unit=batch.unit,
        from_state=ImportBatch.Status.APPLYING,
        to_state=batch.status,
        reason=", ".join(
            f"{name}={getattr(batch, name)}"
            for name in (
                "rows_total",
                "rows_valid",
                "rows_invalid",
                "rows_duplicate",
                "rows_recorded",
                "completions_added",
                "people_added",
            )
        ),
    )


class _AfterCommit:
    """What a chunk's commit sets off (the boards, the reports' counters, the badges),
    run in a second thread while the next chunk is written.

    A chunk waits on PostgreSQL, then PostgreSQL waits on Python: run one after the
    other, a 100,000-row import kept one of two cores idle. The receivers read only
    what their chunk committed and are safe beside other writers (they are beside
    the request threads anyway); each chunk's run in order, one chunk behind at most.
    A receiver's error surfaces in the next chunk, which fails the import as it
    would have failed at once.
    """

    def __init__(self):
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-after")
        self.running: Future | None = None

    @classmethod
    @contextmanager
    def beside(cls):
        """One for an import run outside any transaction on PostgreSQL; else None
        (inside a test's transaction the receivers must see what it wrote; SQLite
        has one writer)."""
        if not bulk.available() or transaction.get_connection().in_atomic_block:
            yield None
            return
        after = cls()
        try:
            yield after
            after.wait()
        finally:
            after.pool.submit(connections.close_all).result()
            after.pool.shutdown()

    def take(self) -> None:
        """Move the hooks registered so far in this transaction to the second
        thread, from its commit on."""
        connection = transaction.get_connection()
        # Django keeps a transaction's hooks in this list as (savepoint ids, func,
        # robust); it has no public way to run them elsewhere.
        hooks = [(func, robust) for _ids, func, robust in connection.run_on_commit]
        connection.run_on_commit.clear()
        transaction.on_commit(lambda: self._submit(hooks))

    def _submit(self, hooks) -> None:
        self.wait()
        # In the caller's context: the request id its audit events and logs carry.
        context = contextvars.copy_context()
        self.running = self.pool.submit(context.run, self._run, hooks)

    @staticmethod
    def _run(hooks) -> None:
        for func, robust in hooks:
            if not robust:
                func()
                continue
            try:
                func()
            except Exception:
                logger.exception("import: an after-commit hook failed")

    def wait(self) -> None:
        running, self.running = self.running, None
        if running is not None:
            running.result()


def _apply_chunk(
    batch: ImportBatch,
    chunk: list[Planned],
    *,
    by,
    at: datetime,
    after: _AfterCommit | None = None,
) -> None:
    """Create the chunk's newcomers, record its completions, move the progress on."""
    with transaction.atomic():
        added, people_added = record_planned(
            chunk,
            source=Completion.Source.IMPORT,
            by=by,
            at=at,
            import_batch_id=batch.pk,
        )
        batch.rows_done += len(chunk)
        batch.completions_added += len(added)
        batch.people_added += people_added
        # The heartbeat is wall-clock time on purpose: it tells a live worker from
        # one that died with its process, whatever `at` the apply started with.
        batch.progress_at = timezone.now()
        batch.save(
            update_fields=[
                "rows_done",
                "completions_added",
                "people_added",
                "progress_at",
            ]
        )
        if after is not None:
            after.take()


def record_planned(
    chunk: list[Planned],
    *,
    source: str,
    by,
    at: datetime,
    import_batch_id: int | None = None,
    integration_id: int | None = None,
) -> tuple[list[Completion], int]:
    """Create the newcomers of planned rows and record their completions (inside the
    caller's transaction); returns the completions added and the people created."""
    newcomers = list({id(i.newcomer): i.newcomer for i in chunk if i.newcomer}.values())
    fresh = [n for n in newcomers if n.person is None]
    people = [
        Person(
            display_name=n.display_name,
            target_group=n.target_group,
            birth_date=n.birth_date,
            birth_year=n.birth_year,
            phone_digest=n.phone_digest,
        )
        for n in fresh
    ]
    if bulk.available():
        bulk.insert_all(people)
    else:
        Person.objects.bulk_create(people, batch_size=1000)
    for newcomer, person in zip(fresh, people, strict=True):
        newcomer.person = person
    memberships = [
        Membership(person=n.person, unit=n.unit, is_primary=True) for n in fresh
    ]
    if bulk.available():
        bulk.insert_all(memberships)
    else:
        Membership.objects.bulk_create(memberships, batch_size=1000)
    known = Person.objects.in_bulk({i.person_id for i in chunk if i.person_id})
    units = Unit.objects.in_bulk({i.unit_id for i in chunk})
    added = services.record_completions(
        [
            NewCompletion(
                person=i.newcomer.person if i.newcomer else known[i.person_id],
                training=i.training,
                unit=units[i.unit_id],
                completed_on=i.completed_on,
                source=source,
                certificate_number=i.certificate,
                import_batch_id=import_batch_id,
                integration_id=integration_id,
            )
            for i in chunk
        ],
        by=by,
        at=at,
    )
    return added, len(fresh)


# Files for the officer ---------------------------------------------------------


def _safe(value) -> str:
    """A cell Excel will not run as a formula (CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def error_report(batch: ImportBatch) -> str:
    """The batch's problems as CSV text, for Excel (the caller adds the BOM)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Row"), _("Column"), _("Problem"), _("Kind")])
    kinds = {"error": _("error"), "warning": _("warning")}
    for number, column, message, *kind in batch.errors:
        kind = kind[0] if kind else "error"
        writer.writerow([number, _safe(column), _safe(message), kinds.get(kind, kind)])
    return out.getvalue()


def template_csv() -> str:
    """An empty list with the platform's headers and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow(
        [
            "Nguyễn Văn An",
            "15/03/1985",
            "0912345678",
            "",
            "course-v1:MOET+KNS-ND+2026-1",
            "20/05/2025",
            "KNS-2026-000123",
        ]
    )
    return out.getvalue()
