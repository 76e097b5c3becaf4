"""The KPI dashboard of a unit and its subtree, as of a day: read from the tallies
(a few rows per unit), never from the records."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection
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
    # The kind of units below compared with each other (villages of a commune,
    # communes of a province), and the kinds there are: (kind, label, count).
    kind: str = ""
    kinds: list[tuple[str, str, int]] = field(default_factory=list)


def group_rows(values: dict, goals: dict, labels: dict | None = None) -> list[GroupRow]:
    labels = labels or dict(TargetGroup.choices)
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


def summarise(
    unit: Unit, values: dict, goals: dict, labels: dict | None = None
) -> UnitRow:
    rows = group_rows(values, goals, labels)
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

# Each branch is one range of the tallies' index (unit, grain, day): a condition
# mixing them made PostgreSQL read every row of each child (134 ms at 200 communes).
_UNITS = """
WITH us AS (
    SELECT id, path, depth, name, kind FROM units_unit
    WHERE id = %(unit)s OR (
        path > %(low)s AND path <= %(high)s AND depth = %(depth)s AND is_active
    )
)
"""
_CURRENT = """
SELECT us.id, us.path, us.depth, us.name, us.kind, 'tot', t.metric, t.day, t.value
FROM us LEFT JOIN reports_tally t
    ON t.unit_id = us.id AND t.grain = 't' AND t.day = %(total)s
"""
_PAST = """
SELECT us.id, us.path, us.depth, us.name, us.kind, 'tot', t.metric, t.day, t.value
FROM us LEFT JOIN reports_tally t
    ON t.unit_id = us.id AND t.grain = 'm' AND t.day < %(month)s
UNION ALL
SELECT us.id, us.path, us.depth, us.name, us.kind, 'tot', t.metric, t.day, t.value
FROM us JOIN reports_tally t
    ON t.unit_id = us.id AND t.grain = 'd' AND t.day >= %(month)s
    AND t.day <= %(as_of)s
"""
_TREND = """
UNION ALL
SELECT %(unit)s, '', 0, '', '', 'trend', t.metric, t.day, t.value
FROM reports_tally t WHERE t.unit_id = %(unit)s AND t.grain = 'm'
    AND t.day >= %(year_start)s AND t.day <= %(year_end)s AND t.day < %(month)s
UNION ALL
SELECT %(unit)s, '', 0, '', '', 'trend', t.metric, t.day, t.value
FROM reports_tally t WHERE t.unit_id = %(unit)s AND t.grain = 'd'
    AND t.day >= %(month)s AND t.day >= %(year_start)s AND t.day <= %(as_of)s
    AND t.day <= %(year_end)s
"""


def _read(unit: Unit, as_of: date, year: int, current: bool):
    """The unit and its children with their totals, and the unit's months of the
    year: the dashboard's whole read of the tallies, in one statement of index
    ranges (through the ORM, compiling the queries cost more than running them)."""
    month = as_of.replace(day=1)
    year_start, year_end = date(year, 1, 1), date(year, 12, 31)
    params = {
        "unit": unit.pk,
        # The children's paths are the unit's and one more step: a range of the
        # path's index (LIKE 'prefix%%' is not one outside the C collation).
        "low": unit.path,
        "high": unit.path + "Z" * Unit.steplen,
        "depth": unit.depth + 1,
        "total": TOTAL_DAY,
        "month": month,
        "as_of": as_of,
        "year_start": year_start,
        "year_end": year_end,
    }
    units: dict[int, Unit] = {}
    values: dict[int, dict[str, int]] = {}
    months: dict[str, list[int]] = {}
    sql = _UNITS + (_CURRENT if current else _PAST) + _TREND
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for pk, path, depth, name, kind, part, metric, day, value in rows:
        if part == "trend":
            if isinstance(day, str):  # SQLite answers dates as text
                day = date.fromisoformat(day)
            months.setdefault(metric, [0] * 12)[day.month - 1] += value
            continue
        if pk not in units:
            units[pk] = (
                unit
                if pk == unit.pk
                else Unit(pk=pk, path=path, depth=depth, name=name, kind=kind)
            )
            values[pk] = {}
        if metric is not None:
            values[pk][metric] = values[pk].get(metric, 0) + value
    values.setdefault(unit.pk, {})
    children = sorted(
        (u for pk, u in units.items() if pk != unit.pk), key=lambda u: u.path
    )
    return children, values, months


def dashboard(
    unit: Unit,
    *,
    as_of: date | None = None,
    year: int | None = None,
    today: date | None = None,
    kind: str | None = None,
) -> Dashboard:
    today = today or timezone.localdate()
    as_of = min(as_of or today, today)
    year = year or as_of.year
    children, values, trend_values = _read(unit, as_of, year, as_of >= today)
    # Units are compared with their peers: villages with villages, not schools.
    counts = Counter(c.kind for c in children)
    order = list(Unit.Kind.values)
    kinds = sorted(
        counts, key=lambda k: (-counts[k], order.index(k) if k in order else 99)
    )
    kind = kind if kind in counts else (kinds[0] if kinds else "")
    labels = dict(Unit.Kind.choices)
    children = [c for c in children if c.kind == kind]
    goals = target_data.effective([unit, *children], year)
    # The groups' names once, not once per child (gettext showed in the profile).
    names = dict(TargetGroup.choices)
    names = {key: str(value) for key, value in names.items()}
    own = summarise(unit, values[unit.pk], goals[unit.pk], names)
    rows = [summarise(c, values[c.pk], goals[c.pk], names) for c in children]
    # The subunits furthest behind: the largest gap to a target, among those with
    # people to reach.
    candidates = sorted(
        (r for r in rows if r.headcount and r.target_gap > 0),
        key=lambda r: (-r.target_gap, r.percent or 0, r.unit.path),
    )
    behind = candidates[:BEHIND]
    for row in behind:
        row.behind = True
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
        kind=kind,
        kinds=[(k, str(labels.get(k, k)), counts[k]) for k in kinds],
    )
