"""A periodic report's numbers, worked out once and kept with the report.

Every section reads records dated within the period (or the tallies as of its last
day, the dashboard's own numbers), and the numbers are stored on the Report, so a
report of a closed period is the same however often it is downloaded.
"""

from collections.abc import Callable
from datetime import date

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from badges.models import Assertion
from commendations.models import Award
from competitions.models import PointEntry, Submission
from learning.models import ClassSession, Completion, Mentorship, Training
from units.models import Unit
from units.report_sections import period_bounds, report_sections

from . import dashboard as board
from . import targets as target_data
from .models import Tally
from .tallies import TOTAL_DAY


def _num(value):
    if value is None:
        return ""
    return float(value) if not isinstance(value, int) else value


def subtree_totals(unit: Unit, as_of: date, today: date) -> dict[int, dict]:
    """Every unit of the subtree with its tallies as of the day, in one query."""
    rows = Tally.objects.filter(unit__path__startswith=unit.path)
    if as_of >= today:
        rows = rows.filter(grain="t", day=TOTAL_DAY)
    else:
        month = as_of.replace(day=1)
        rows = rows.filter(
            Q(grain="m", day__lt=month) | Q(grain="d", day__gte=month, day__lte=as_of)
        )
    found: dict[int, dict] = {}
    for pk, metric, value in (
        rows.values_list("unit_id", "metric").order_by().annotate(v=Sum("value"))
    ).iterator(chunk_size=10000):
        found.setdefault(pk, {})[metric] = value
    return found


def kpi_section(unit, start, end, *, today, year) -> dict:
    as_of = min(end, today)
    values = board.totals([unit.pk], as_of, today=today)[unit.pk]
    during = board.in_period([unit.pk], start, as_of)[unit.pk]
    goals = target_data.effective([unit], year)[unit.pk]
    rows = []
    for row in board.group_rows(values, goals):
        rows.append(
            [
                row.label,
                row.headcount,
                row.reached,
                during.get(f"reach:{row.group}", 0),
                _num(row.percent),
                _num(row.target),
                row.missing,
            ]
        )
    total_head = sum(r[1] for r in rows)
    total_reached = sum(r[2] for r in rows)
    rows.append(
        [
            _("Total"),
            total_head,
            total_reached,
            sum(r[3] for r in rows),
            _num(board.percent(total_reached, total_head)),
            "",
            sum(r[6] for r in rows),
        ]
    )
    return {
        "key": "kpi",
        "title": _("Targets"),
        "header": [
            _("Target group"),
            _("Headcount"),
            _("Reached by the end of the period"),
            _("Reached during the period"),
            _("Reached (%)"),
            _("Target %(year)s (%%)") % {"year": year},
            _("Still to reach"),
        ],
        "rows": rows,
    }


def units_section(unit, start, end, *, today, year, progress) -> dict:
    """Every unit of the subtree against its targets: the sheet that grows with the
    province (20,000 rows for the bench's)."""
    as_of = min(end, today)
    values = subtree_totals(unit, as_of, today)
    progress(40)
    units = list(
        Unit.objects.filter(path__startswith=unit.path).only(
            "pk", "path", "depth", "name", "kind"
        )
    )
    goals = target_data.effective(units, year)
    progress(55)
    kinds = dict(Unit.Kind.choices)
    rows = []
    for item in units:
        mine = values.get(item.pk, {})
        summary = board.summarise(item, mine, goals[item.pk])
        line = [
            "  " * (item.depth - unit.depth) + item.name,
            str(kinds.get(item.kind, item.kind)),
        ]
        for group in summary.groups:
            line += [
                group.reached,
                group.headcount,
                _num(group.percent),
                _num(group.target),
            ]
        rows.append(line)
    header = [_("Unit"), _("Kind")]
    for group in board.group_rows({}, {}):
        header += [
            _("%(group)s: reached") % {"group": group.label},
            _("%(group)s: headcount") % {"group": group.label},
            f"{group.label}: %",
            _("%(group)s: target %%") % {"group": group.label},
        ]
    return {"key": "units", "title": _("Units"), "header": header, "rows": rows}


def models_section(unit, start, end, *, today) -> dict:
    as_of = min(end, today)
    values = board.totals([unit.pk], as_of, today=today)[unit.pk]
    during = board.in_period([unit.pk], start, as_of)[unit.pk]
    metrics = [
        "ambassadors",
        "mentees",
        "households",
        "vneid",
        "classes",
        "completions",
        None,
    ]
    rows = []
    for (label, value), metric in zip(board.model_rows(values), metrics, strict=True):
        if metric is None:
            rows.append([label, _("not recorded"), _("not recorded")])
        else:
            rows.append([label, value, during.get(metric, 0)])
    return {
        "key": "models",
        "title": _("Models"),
        "header": [_("Model"), _("By the end of the period"), _("During the period")],
        "rows": rows,
    }


def inclusion_section(unit, start, end, *, today) -> dict:
    values = board.totals([unit.pk], min(end, today), today=today)[unit.pk]
    hidden = _("fewer than %(n)s") % {"n": board.min_group()}
    rows = [
        [
            row["label"],
            hidden if row["suppressed"] else row["size"],
            hidden if row["suppressed"] else row["reached"],
            "" if row["suppressed"] else _num(row["percent"]),
        ]
        for row in board.inclusion_rows(values)
    ]
    return {
        "key": "inclusion",
        "title": _("Inclusion"),
        "header": [_("Group"), _("People"), _("Reached"), _("Reached (%)")],
        "rows": rows,
    }


def points_section(unit, start, end) -> dict:
    first, last = period_bounds(start, end)
    rows = (
        PointEntry.objects.filter(
            unit__path__startswith=unit.path,
            occurred_at__gte=first,
            occurred_at__lte=last,
        )
        .values_list("activity_type__name")
        .order_by("activity_type__name")
        .annotate(points=Sum("points"), entries=Count("pk"))
    )
    rows = [[name, points, entries] for name, points, entries in rows]
    rows.append([_("Total"), sum(r[1] for r in rows), sum(r[2] for r in rows)])
    return {
        "key": "points",
        "title": _("Points"),
        "header": [_("Activity"), _("Points"), _("Ledger entries")],
        "rows": rows,
    }


def submissions_section(unit, start, end) -> dict:
    first, last = period_bounds(start, end)
    labels = dict(Submission.Status.choices)
    rows = (
        Submission.objects.filter(
            unit__path__startswith=unit.path,
            decided_at__gte=first,
            decided_at__lte=last,
        )
        .values_list("status")
        .order_by("status")
        .annotate(n=Count("pk"))
    )
    rows = [[str(labels.get(status, status)), n] for status, n in rows]
    rows.append([_("Total"), sum(r[1] for r in rows)])
    return {
        "key": "submissions",
        "title": _("Submissions decided"),
        "header": [_("Decision"), _("Submissions")],
        "rows": rows,
    }


def learning_section(unit, start, end) -> dict:
    first, last = period_bounds(start, end)
    kinds = dict(Training.Kind.choices)
    done = (
        Completion.objects.filter(
            unit__path__startswith=unit.path,
            status=Completion.Status.CONFIRMED,
            completed_on__gte=start,
            completed_on__lte=end,
        )
        .values_list("training__kind")
        .order_by("training__kind")
        .annotate(n=Count("pk"), people=Count("person", distinct=True))
    )
    rows = [[str(kinds.get(k, k)), n, people] for k, n, people in done]
    sessions = ClassSession.objects.filter(
        unit__path__startswith=unit.path, held_on__gte=start, held_on__lte=end
    ).count()
    mentees = Mentorship.objects.filter(
        mentee__memberships__unit__path__startswith=unit.path,
        mentee__memberships__is_primary=True,
        confirmed_at__gte=first,
        confirmed_at__lte=last,
    ).count()
    rows.append([_("Class sessions held"), sessions, ""])
    rows.append([_("Mentees confirmed"), mentees, ""])
    return {
        "key": "learning",
        "title": _("Trainings and mentoring"),
        "header": [_("What"), _("Number"), _("People")],
        "rows": rows,
    }


def badges_section(unit, start, end) -> dict:
    first, last = period_bounds(start, end)
    rows = (
        Assertion.objects.filter(
            Q(unit__path__startswith=unit.path)
            | Q(
                person__memberships__unit__path__startswith=unit.path,
                person__memberships__is_primary=True,
            ),
            issued_at__gte=first,
            issued_at__lte=last,
            revoked_at__isnull=True,
        )
        .values_list("badge_class__name")
        .order_by("badge_class__name")
        .annotate(n=Count("pk", distinct=True))
    )
    rows = [[name, n] for name, n in rows]
    rows.append([_("Total"), sum(r[1] for r in rows)])
    return {
        "key": "badges",
        "title": _("Badges"),
        "header": [_("Badge"), _("Awarded")],
        "rows": rows,
    }


def commendations_section(unit, start, end) -> dict:
    rows = (
        Award.objects.filter(
            recipient_unit__path__startswith=unit.path,
            decision__signed_on__gte=start,
            decision__signed_on__lte=end,
        )
        .values_list("award_type__name")
        .order_by("award_type__name")
        .annotate(n=Count("pk"))
    )
    rows = [[name, n] for name, n in rows]
    rows.append([_("Total"), sum(r[1] for r in rows)])
    return {
        "key": "commendations",
        "title": _("Commendations"),
        "header": [_("Form of commendation"), _("Awards decided")],
        "rows": rows,
    }


def compose(
    unit: Unit,
    start: date,
    end: date,
    *,
    year: int,
    today: date,
    progress: Callable[[int], None] = lambda _p: None,
) -> dict:
    """Every section of the report, as plain data (kept as JSON)."""
    sections = [kpi_section(unit, start, end, today=today, year=year)]
    progress(10)
    sections.append(models_section(unit, start, end, today=today))
    sections.append(inclusion_section(unit, start, end, today=today))
    progress(20)
    sections.append(
        units_section(unit, start, end, today=today, year=year, progress=progress)
    )
    progress(70)
    for compute in (
        points_section,
        submissions_section,
        learning_section,
        badges_section,
        commendations_section,
    ):
        sections.append(compute(unit, start, end))
    progress(85)
    for key, compute in report_sections().items():
        part = compute(unit, start, end)
        if part:
            sections.append({"key": key, **part})
    progress(90)
    return {
        "unit": unit.name,
        "unit_id": unit.pk,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "as_of": min(end, today).isoformat(),
        "year": year,
        "made_on": today.isoformat(),
        "sections": sections,
    }
