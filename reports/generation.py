"""Making a report: its numbers worked out once (in the background when the unit's
subtree is large, the page showing the progress), then kept on the Report row, so
every download of it gives the same numbers. A report of a period that has ended is
made once per unit and period and then reused."""

import logging
import threading
from datetime import date

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from units import limits
from units.models import Unit

from .compose import compose
from .errors import TooMany
from .models import Report

logger = logging.getLogger(__name__)

# A user may ask for this many reports a minute (each may read a whole province).
RATE = limits.Limit(count=10, seconds=60)
# Subtrees above this many units are worked out in a background thread.
INLINE_UNITS = 300


def take_allowance(user, *, at) -> None:
    subjects = [(f"user:{user.pk}", RATE)]
    if not limits.take("reports", limits=subjects, at=at):
        raise TooMany(
            _(
                "You have asked for many reports in the last minute. Wait a minute, "
                "then ask again; reports already made stay on this page."
            )
        )


def _inline(unit: Unit) -> bool:
    if getattr(settings, "REPORTS_INLINE", False):
        return True
    return Unit.objects.filter(path__startswith=unit.path).count() <= INLINE_UNITS


def request_report(
    *, unit: Unit, kind: str, start: date, end: date, year: int, by, at
) -> Report:
    """The report of the unit for the period: the kept one if the period has ended
    and it was made before, or a new one (made now, or started in the background)."""
    today = timezone.localdate(at)
    closed = end < today
    if closed:
        kept = (
            Report.objects.filter(
                unit=unit,
                start=start,
                end=end,
                target_year=year,
                closed=True,
                status__in=[
                    Report.Status.DONE,
                    Report.Status.RUNNING,
                    Report.Status.PENDING,
                ],
            )
            .order_by("pk")
            .first()
        )
        if kept is not None:
            return kept
    report = Report.objects.create(
        unit=unit,
        kind=kind,
        start=start,
        end=end,
        target_year=year,
        requested_by=by,
        requested_at=at,
        status=Report.Status.PENDING,
        closed=closed,
    )
    language = get_language()
    if _inline(unit):
        make(report.pk, today=today, language=language)
        report.refresh_from_db()
    else:
        threading.Thread(
            target=_in_background,
            args=(report.pk, today, language),
            name=f"report-{report.pk}",
            daemon=True,
        ).start()
    return report


def _in_background(pk: int, today: date, language: str) -> None:
    try:
        make(pk, today=today, language=language)
    finally:
        # This thread's connection would otherwise stay open until the server stops.
        connections.close_all()


def make(pk: int, *, today: date, language: str = "vi") -> None:
    report = Report.objects.select_related("unit").get(pk=pk)
    Report.objects.filter(pk=pk).update(status=Report.Status.RUNNING, progress=1)

    def progress(value: int) -> None:
        Report.objects.filter(pk=pk).update(progress=value)

    try:
        with override(language):
            data = compose(
                report.unit,
                report.start,
                report.end,
                year=report.target_year,
                today=today,
                progress=progress,
            )
    except Exception:
        logger.exception("report %s failed", pk)
        Report.objects.filter(pk=pk).update(status=Report.Status.FAILED)
        return
    Report.objects.filter(pk=pk).update(
        status=Report.Status.DONE,
        progress=100,
        data=data,
        finished_at=timezone.now(),
    )
