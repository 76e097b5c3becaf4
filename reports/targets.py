"""Targets as data: a share of each target group per year and unit.

The plans set them from the top (seed 001, section III, for a province; seed 002
for a commune; seed 003 for a department); a unit without a target of its own
follows the nearest unit above it, and a unit may raise its own, never lower it
below its parent's: the target a unit works to is the highest along its chain.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from units.audit import Origin, record_event
from units.models import TargetGroup, Unit

from .errors import ReportError
from .models import Target

GROUPS = [group.value for group in TargetGroup]
FIRST_YEAR, LAST_YEAR = 2025, 2030

# Seed 001 (the provincial plan), section III: 2025, then 100% of every group in 2026.
PROVINCE_PLAN = {
    2025: {
        "public_servant": 80,
        "student": 100,
        "citizen": 70,
        "enterprise_worker": 80,
    },
    2026: {group: 100 for group in GROUPS},
}
# Seed 002 (xã Kê Sặt), section III.
COMMUNE_PLAN = {
    2025: {
        "public_servant": 80,
        "student": 100,
        "citizen": 80,
        "enterprise_worker": 80,
    },
    2026: {group: 100 for group in GROUPS},
}
# Seed 003 (a department's staff), section III.
DEPARTMENT_PLAN = {2025: {"public_servant": 90}, 2026: {"public_servant": 100}}
SOURCES = {
    "province": "Kế hoạch của Tỉnh ủy, mục III (seed 001)",
    "commune": "Kế hoạch của Ban Chỉ đạo xã Kê Sặt, mục III (seed 002)",
    "department": "Kế hoạch của Sở Tài chính, mục III (seed 003)",
}


def seed_plan(unit: Unit, plan: dict, source: str) -> int:
    """Load a plan's targets for a unit (idempotent); return how many were added."""
    added = 0
    for year, groups in plan.items():
        for group, percent in groups.items():
            _target, created = Target.objects.get_or_create(
                unit=unit,
                year=year,
                target_group=group,
                defaults={"percent": Decimal(percent), "source": source},
            )
            added += created
    return added


def effective(units: list[Unit], year: int) -> dict[int, dict[str, Decimal | None]]:
    """The target each unit works to for each group: the highest along its chain
    (its own, or the nearest above it, or a higher one above)."""
    from django.db import connection

    paths = sorted({p for unit in units for p in [*unit.ancestor_paths, unit.path]})
    sql = (
        "SELECT u.path, t.target_group, t.percent FROM reports_target t "
        "JOIN units_unit u ON u.id = t.unit_id WHERE t.year = %s"
    )
    params: list = [year]
    if len(paths) <= 500:
        # A dashboard: the chains of a unit and its children, one plain statement.
        sql += " AND u.path IN (" + ", ".join(["%s"] * len(paths)) + ")"
        params += paths
    # else a whole province's report: every target of the year (a few per unit
    # that set its own) is fewer rows than the units.
    found: dict[str, dict[str, Decimal]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for path, group, percent in cursor.fetchall():
            found.setdefault(path, {})[group] = Decimal(str(percent)).quantize(
                Decimal("0.01")
            )
    result = {}
    for unit in units:
        chain = [found.get(p, {}) for p in [*unit.ancestor_paths, unit.path]]
        result[unit.pk] = {
            group: max((t[group] for t in chain if group in t), default=None)
            for group in GROUPS
        }
    return result


def floor(unit: Unit, year: int, group: str) -> tuple[Decimal | None, Unit | None]:
    """The parent's target (the highest above the unit) and the unit that set it."""
    best, owner = None, None
    for target in Target.objects.filter(
        unit__path__in=unit.ancestor_paths, year=year, target_group=group
    ).select_related("unit"):
        if best is None or target.percent > best:
            best, owner = target.percent, target.unit
    return best, owner


def parse_percent(raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", ".").rstrip("%").strip())
    except (InvalidOperation, ValueError):
        raise ReportError(
            _("Write the target as a number of percent, for example 85.")
        ) from None
    if not value.is_finite():
        raise ReportError(_("Write the target as a number of percent, for example 85."))
    return value.quantize(Decimal("0.01"))


def set_target(
    *,
    unit: Unit,
    year: int,
    group: str,
    percent,
    by,
    at: datetime,
    origin: Origin,
) -> Target:
    """Set the unit's own target; refused above 100% or below the parent's.

    Audited (from the old percent to the new): a target is what a unit answers for
    in its reports, so who changed it and when must be on record."""
    if group not in GROUPS:
        raise ReportError(_("Choose one of the target groups."))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ReportError(
            _("Targets are set for the years %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    percent = parse_percent(percent)
    if percent > 100 or percent < 0:
        raise ReportError(
            _("A target is a share of the group: enter a number from 0 to 100.")
        )
    with transaction.atomic():
        # The parent's targets are read under the unit's row lock, so that two
        # officers setting targets at once see each other's.
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        least, owner = floor(unit, year, group)
        if least is not None and percent < least:
            raise ReportError(
                _(
                    "The target cannot be lower than %(least)s%% set by %(unit)s for "
                    "%(year)s. Enter %(least)s or more."
                )
                % {"least": _plain(least), "unit": owner.name, "year": year}
            )
        before = (
            Target.objects.filter(unit=unit, year=year, target_group=group)
            .values_list("percent", flat=True)
            .first()
        )
        target, _created = Target.objects.update_or_create(
            unit=unit,
            year=year,
            target_group=group,
            defaults={"percent": percent, "set_by": by, "source": ""},
        )
        record_event(
            actor=by,
            action="target.set",
            obj=target,
            at=at,
            origin=origin,
            unit=unit,
            from_state="" if before is None else f"{_plain(before)}%",
            to_state=f"{_plain(percent)}%",
            reason=f"{year} {group}",
        )
    return target


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
