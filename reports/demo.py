"""The demo's targets, from the plans (seeds 001-003), and its tallies counted once
from everything the other apps seeded."""

from django.utils import timezone

from units.models import Unit

from . import generation, periods, tallies, targets
from .models import Report


def seed(context: dict) -> bool:
    province = Unit.objects.filter(kind=Unit.Kind.PROVINCE, code="31").first()
    if province is None:
        return False
    added = targets.seed_plan(
        province, targets.PROVINCE_PLAN, targets.SOURCES["province"]
    )
    commune = Unit.objects.filter(name="Xã Kê Sặt").first()
    if commune is not None:
        added += targets.seed_plan(
            commune, targets.COMMUNE_PLAN, targets.SOURCES["commune"]
        )
    for department in Unit.objects.filter(
        path__startswith=province.path, kind=Unit.Kind.DEPARTMENT
    ):
        added += targets.seed_plan(
            department, targets.DEPARTMENT_PLAN, targets.SOURCES["department"]
        )
    tallies.reconcile()
    if commune is not None and not Report.objects.filter(unit=commune).exists():
        # Last quarter's report of the commune, as its office would have made it.
        now = timezone.now()
        today = timezone.localdate(now)
        quarter = (today.month - 1) // 3
        year = today.year if quarter else today.year - 1
        number = quarter or 4
        start, end = periods.period(
            Report.Kind.QUARTER, year=year, number=number, today=today
        )
        generation.request_report(
            unit=commune,
            kind=Report.Kind.QUARTER,
            start=start,
            end=end,
            year=year,
            by=None,
            at=now,
        )
    return bool(added)
