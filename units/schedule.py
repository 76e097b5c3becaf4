"""Jobs that run every so often, in one worker at a time.

Each server process has a timer (started in config/asgi.py, see
leaderboards.projector.start_catch_up_timer) that calls run_due() every few
seconds. A job registered here runs when its interval has passed since it last
started in any worker: the worker that claims the job's row (a row lock, skipped
by the others rather than waited for) records the start and runs it. Several
workers therefore run a job once per interval, not once each; a job still
running is not started again elsewhere unless it has been running for longer than
STALE (its worker presumably died).

Every job is also a plain function with its own management command, for cron or
by hand.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ScheduledJob

logger = logging.getLogger(__name__)

STALE = timedelta(hours=2)


@dataclass(frozen=True)
class Job:
    name: str
    every: Callable[[], float]  # seconds, read each time (0 or less: off)
    run: Callable[[], object]


_jobs: dict[str, Job] = {}
# Per process: no need to ask the database before this time (the job ran recently).
_not_before: dict[str, datetime] = {}


def register(name: str, *, every: Callable[[], float], run: Callable[[], object]):
    """Add a job (apps register theirs in AppConfig.ready)."""
    _jobs[name] = Job(name=name, every=every, run=run)


def registered() -> dict[str, Job]:
    return dict(_jobs)


def _claim(name: str, *, every: timedelta, now: datetime) -> bool:
    """Record that this worker starts the job now, if it is due and free."""
    try:
        with transaction.atomic():
            ScheduledJob.objects.get_or_create(name=name)
    except IntegrityError:
        pass  # another worker created the row a moment ago
    with transaction.atomic():
        row = (
            ScheduledJob.objects.select_for_update(skip_locked=True)
            .filter(name=name)
            .first()
        )
        if row is None:
            return False  # another worker holds the row: it is claiming the job
        if row.started_at is not None:
            running = row.finished_at is None or row.finished_at < row.started_at
            if running and now - row.started_at < STALE:
                return False
            if now - row.started_at < every:
                _not_before[name] = row.started_at + every
                return False
        row.started_at = now
        row.save(update_fields=["started_at"])
    return True


def _finish(name: str, *, at: datetime, succeeded: bool) -> None:
    ScheduledJob.objects.filter(name=name).update(finished_at=at, succeeded=succeeded)


def run_if_due(job: Job, *, now: datetime | None = None) -> bool:
    """Run the job if its interval has passed everywhere; True if it ran here."""
    seconds = job.every()
    if seconds <= 0:
        return False
    now = now or timezone.now()
    not_before = _not_before.get(job.name)
    if not_before is not None and now < not_before:
        return False
    every = timedelta(seconds=seconds)
    if not _claim(job.name, every=every, now=now):
        return False
    _not_before[job.name] = now + every
    started = time.monotonic()
    succeeded = False
    try:
        job.run()
        succeeded = True
    except Exception:
        logger.exception("scheduled job %s failed", job.name)
    finally:
        # On the clock the job was claimed by (tests pass their own).
        elapsed = timedelta(seconds=time.monotonic() - started)
        _finish(job.name, at=now + elapsed, succeeded=succeeded)
    return True


def run_due(*, now: datetime | None = None) -> list[str]:
    """Run every registered job that is due; return the names of those run here."""
    return [job.name for job in list(_jobs.values()) if run_if_due(job, now=now)]


def forget_local_state() -> None:
    """Forget this process's memory of when jobs ran (tests)."""
    _not_before.clear()
