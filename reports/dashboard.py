"""The KPI dashboard of a unit and its subtree, as of a day: read from the tallies
(a few rows per unit), never from the records."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from units.models import TargetGroup, Unit

from . import targets as target_data
from .models import Tally
from .tallies import GROUPS, INCLUSION, TOTAL_DAY


def min_group() -> int:
    return getattr(settings, "REPORTS_MIN_GROUP", 10)


def totals(unit_ids, as_of: date, *, today: date | None = None) -> dict:
    """{unit id: {metric: value}} for each unit's subtree as of the day."""
    today = today or timezone.localdate()
    rows = Tally.objects.filter(unit_id__in=list(unit_ids))
    if as_of >= today:
        rows = rows.filter(grain="t", day=TOTAL_DAY)
    else:
        month = as_of.replace(day=1)
        rows = rows.filter(
            Q(grain="m", day__lt=month) | Q(grain="d", day__gte=month, day__lte=as_of)
        )
    found: dict[int, dict[str, int]] = {pk: {} for pk in unit_ids}
    for unit, metric, value in (
        rows.values_list("unit_id", "metric").order_by().annotate(v=Sum("value"))
    ):
        found[unit][metric] = value
    return found


def in_period(unit_ids, start: date, end: date) -> dict:
    """{unit id: {metric: value}} of the facts dated within [start, end]."""
    rows = Tally.objects.filter(
        unit_id__in=list(unit_ids), grain="d", day__gte=start, day__lte=end
    )
    found: dict[int, dict[str, int]] = {pk: {} for pk in unit_ids}
    for unit, metric, value in (
        rows.values_list("unit_id", "metric").order_by().annotate(v=Sum("value"))
    ):
        found[unit][metric] = value
    return found


def monthly(unit: Unit, year: int, as_of: date) -> dict[str, list[int]]:
    """Each metric's new facts per month of the year up to the day (12 numbers)."""
    result: dict[str, list[int]] = {}
    month = as_of.replace(day=1)
    rows = Tally.objects.filter(unit=unit).filter(
        Q(
            grain="m",
            day__gte=date(year, 1, 1),
            day__lte=date(year, 12, 1),
            day__lt=month,
        )
        | Q(
            grain="d",
            day__gte=max(month, date(year, 1, 1)),
            day__lte=min(as_of, date(year, 12, 31)),
        )
    )
    for metric, day, value in rows.values_list("metric", "day", "value"):
        if day.year != year:
            continue
        result.setdefault(metric, [0] * 12)[day.month - 1] += value
    return result


def percent(reached: int, headcount: int) -> Decimal | None:
    if not headcount:
        return None
    return (Decimal(reached) * 100 / Decimal(headcount)).quantize(Decimal("0.1"))


@dataclass
class GroupRow:
    group: str
    label: str
    headcount: int
    reached: int
    percent: Decimal | None
    target: Decimal | None
    # People still to reach for the target (0 when it is met).
    missing: int

    @property
    def met(self) -> bool:
        return (
            self.target is not None
            and self.percent is not None
            and (self.percent >= self.target)
        )


@dataclass
class UnitRow:
    unit: Unit
    groups: list[GroupRow]
    reached: int
    headcount: int
    percent: Decimal | None
    target_gap: Decimal  # target points short of, weighted over the groups
    behind: bool = False


@dataclass
class Dashboard:
    unit: Unit
    as_of: date
    year: int
    groups: list[GroupRow]
    reached: int
    headcount: int
    percent: Decimal | None
    children: list[UnitRow]
    behind: list[UnitRow]
    trend: list[tuple[str, int]]
    models: list[tuple[str, int | None]]
    inclusion: list[dict] = field(default_factory=list)


def group_rows(values: dict, goals: dict) -> list[GroupRow]:
    labels = dict(TargetGroup.choices)
    rows = []
    for group in GROUPS:
        headcount = values.get(f"hc:{group}", 0)
        reached = values.get(f"reach:{group}", 0)
        goal = goals.get(group)
        needed = 0
        if goal is not None and headcount:
            needed = max(0, -(-int(goal * headcount) // 100) - reached)
        rows.append(
            GroupRow(
                group=group,
                label=str(labels[group]),
                headcount=headcount,
                reached=reached,
                percent=percent(reached, headcount),
                target=goal,
                missing=needed,
            )
        )
    return rows


def _gap(rows: list[GroupRow]) -> Decimal:
    """How far behind its targets a unit is: the largest gap in points of percent
    over the groups it has people in."""
    gaps = [
        row.target - (row.percent or 0)
        for row in rows
        if row.target is not None and row.headcount
    ]
    return max(gaps, default=Decimal(0))


def model_rows(values: dict) -> list[tuple[str, int | None]]:
    from django.utils.translation import gettext as _

    return [
        (_("Đại sứ số guiding 5 or more mentees"), values.get("ambassadors", 0)),
        (_("Mentees guided"), values.get("mentees", 0)),
        (_("Digital households (Gia đình số)"), values.get("households", 0)),
        (_("Citizens helped with VNeID"), values.get("vneid", 0)),
        (_("Community classes held"), values.get("classes", 0)),
        (_("Trainings completed"), values.get("completions", 0)),
        # Not recorded on the platform yet: said so, never shown as 0.
        (_("Merchants trained in 4T (Chợ số)"), None),
    ]


def inclusion_rows(values: dict) -> list[dict]:
    """Reached people of each inclusion group against the group's size, suppressed
    below the minimum group size so that nobody can be singled out."""
    from django.utils.translation import gettext as _

    labels = {
        "elderly": _("Elderly people"),
        "disability": _("People with disabilities"),
        "minority": _("Ethnic minorities"),
    }
    least = min_group()
    rows = []
    for name in INCLUSION:
        size = values.get(f"pop:{name}", 0)
        reached = values.get(f"inc:{name}", 0)
        hidden = size < least or (0 < reached < least) or (0 < size - reached < least)
        rows.append(
            {
                "name": name,
                "label": labels[name],
                "size": None if hidden else size,
                "reached": None if hidden else reached,
                "percent": None if hidden else percent(reached, size),
                "suppressed": hidden,
            }
        )
    return rows


def summarise(unit: Unit, values: dict, goals: dict) -> UnitRow:
    rows = group_rows(values, goals)
    reached = sum(r.reached for r in rows)
    headcount = sum(r.headcount for r in rows)
    return UnitRow(
        unit=unit,
        groups=rows,
        reached=reached,
        headcount=headcount,
        percent=percent(reached, headcount),
        target_gap=_gap(rows),
    )


BEHIND = 2


def dashboard(
    unit: Unit,
    *,
    as_of: date | None = None,
    year: int | None = None,
    today: date | None = None,
) -> Dashboard:
    today = today or timezone.localdate()
    as_of = min(as_of or today, today)
    year = year or as_of.year
    children = list(
        Unit.objects.filter(
            path__startswith=unit.path, depth=unit.depth + 1, is_active=True
        ).order_by("path")
    )
    values = totals([unit.pk, *(c.pk for c in children)], as_of, today=today)
    goals = target_data.effective([unit, *children], year)
    own = summarise(unit, values[unit.pk], goals[unit.pk])
    rows = [summarise(c, values[c.pk], goals[c.pk]) for c in children]
    # The subunits furthest behind: the largest gap to a target, among those with
    # people to reach.
    candidates = sorted(
        (r for r in rows if r.headcount and r.target_gap > 0),
        key=lambda r: (-r.target_gap, r.percent or 0, r.unit.path),
    )
    behind = candidates[:BEHIND]
    for row in behind:
        row.behind = True
    trend_values = monthly(unit, year, as_of)
    reach_months = [
        sum(trend_values.get(f"reach:{g}", [0] * 12)[m] for g in GROUPS)
        for m in range(12)
    ]
    last = as_of.month if as_of.year == year else (12 if as_of.year > year else 0)
    trend = [(f"{m + 1:02d}", reach_months[m]) for m in range(last)]
    return Dashboard(
        unit=unit,
        as_of=as_of,
        year=year,
        groups=own.groups,
        reached=own.reached,
        headcount=own.headcount,
        percent=own.percent,
        children=rows,
        behind=behind,
        trend=trend,
        models=model_rows(values[unit.pk]),
        inclusion=inclusion_rows(values[unit.pk]),
    )
