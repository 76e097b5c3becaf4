"""Targets and reports in the benchmark (`python -m bench --only reports`).

(k) The province's KPI dashboard (reached against headcount per target group and
target, the trend by month, its 200 communes with the two furthest behind, the
models, inclusion) read from the tallies, p50 / p95, today and as of a past day.
Baseline in the same run: the same figures counted straight from the records
(COUNT(DISTINCT person) over the completions of the subtree grouped by target
group, the headcounts summed over the subtree, and the communes' figures grouped by
their path prefix).

(l) The yearly report of the province with every one of its 20,000 units: its
numbers worked out (compose) and the XLSX written in openpyxl's write-only mode;
time and peak Python memory (tracemalloc), against the same for a commune of 100
units (memory flat in the number of units: only the kept numbers grow).

Before them: 80% of the people get a confirmed completion dated this year, one
in nine is elderly, and the reconciliation counts everything once: with nothing
counted yet it builds the counters in SQL (reports/first_build.py; its time is
the figure of a full build), then the next reconciliation checks every fact and
tally through the families' Python path and must repair nothing.
"""

import time
import tracemalloc
from datetime import date

from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from bench.timing import measure


def _seed(big: dict) -> dict:
    from learning.models import Training

    training = Training.objects.create(
        title="Bench: kỹ năng số cơ bản", kind=Training.Kind.ONLINE_COURSE
    )
    first, last = big["first_person"], big["first_person"] + big["people"]
    year = timezone.localdate().year
    span = (timezone.localdate() - date(year, 1, 1)).days
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE units_person SET is_elderly = (id %% 9 = 0) "
            "WHERE id >= %s AND id < %s",
            [first, last],
        )
        cursor.execute(
            "INSERT INTO learning_completion (person_id, training_id, unit_id, "
            "completed_on, source, status, certificate_number, certificate, "
            "recorded_at, review_reason) "
            "SELECT m.person_id, %s, m.unit_id, "
            "%s::date + ((m.person_id * 7919) %% %s)::int, 'import', 'confirmed', "
            "'', '', now(), '' FROM units_membership m "
            "WHERE m.is_primary AND m.person_id >= %s AND m.person_id < %s "
            "AND m.person_id %% 5 <> 0",
            [training.pk, date(year, 1, 1), max(1, span), first, last],
        )
        completions = cursor.rowcount
    return {
        "completions": completions,
        "insert_seconds": round(time.perf_counter() - started, 1),
    }


def _naive(province, as_of: date) -> dict:
    """The dashboard's figures counted from the records on every read."""
    from learning.models import Completion
    from units.models import Unit

    completions = Completion.objects.filter(
        unit__path__startswith=province.path,
        status=Completion.Status.CONFIRMED,
        training__counts_toward_universal=True,
        completed_on__lte=as_of,
    )
    groups = dict(
        completions.values_list("person__target_group")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    headcounts = Unit.objects.filter(path__startswith=province.path).aggregate(
        adults=Sum("adult_residents"),
        students=Sum("students"),
        servants=Sum("public_servants"),
        workers=Sum("enterprise_workers"),
    )
    width = len(province.path) + Unit.steplen
    children = dict(
        completions.annotate(child=Substr("unit__path", 1, width))
        .values_list("child")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    child_heads = dict(
        Unit.objects.filter(path__startswith=province.path, depth__gt=province.depth)
        .annotate(child=Substr("path", 1, width))
        .values_list("child")
        .annotate(n=Sum("adult_residents"))
        .order_by()
    )
    return {
        "groups": groups,
        "headcounts": headcounts,
        "children": children,
        "child_heads": child_heads,
    }


def _report(unit, year: int, today: date) -> dict:
    """Timed without tracemalloc (it slows allocation-heavy code several times),
    then made again under it for the peaks."""
    from reports import documents
    from reports.compose import compose

    def make():
        return compose(
            unit, date(year, 1, 1), date(year, 12, 31), year=year, today=today
        )

    started = time.perf_counter()
    data = make()
    composed = time.perf_counter() - started
    started = time.perf_counter()
    raw = documents.xlsx(data)
    written = time.perf_counter() - started
    tracemalloc.start()
    data = make()
    _current, compose_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    before, _peak = tracemalloc.get_traced_memory()
    documents.xlsx(data)
    _current, xlsx_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    units = next(len(s["rows"]) for s in data["sections"] if s["key"] == "units")
    return {
        "units": units,
        "compose_seconds": round(composed, 2),
        "xlsx_seconds": round(written, 2),
        "total_seconds": round(composed + written, 2),
        "compose_peak_mb": round(compose_peak / 2**20, 1),
        "xlsx_peak_above_data_mb": round((xlsx_peak - before) / 2**20, 1),
        "xlsx_bytes": len(raw),
        "total_reached": data["sections"][0]["rows"][-1][2],
    }


def run(big: dict, *, repeat: int = 100) -> dict:
    from reports import dashboard as board
    from reports.tallies import reconcile
    from units.models import Unit

    seeded = _seed(big)
    started = time.perf_counter()
    repaired = reconcile()
    reconciled = time.perf_counter() - started
    with connection.cursor() as cursor:
        # What autovacuum does after a bulk load; the baseline benefits as much.
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    again = reconcile()
    second = time.perf_counter() - started
    province = Unit.objects.get(pk=big["province_id"])
    today = timezone.localdate()
    past = today.replace(month=6, day=15) if today.month > 6 else today
    ours = measure(lambda: board.dashboard(province, today=today), repeat=repeat)
    ours_past = measure(
        lambda: board.dashboard(province, as_of=past, today=today), repeat=repeat
    )
    naive = measure(lambda: _naive(province, today), repeat=5, warmup=1)
    shown = board.dashboard(province, today=today)
    counted = _naive(province, today)
    same = shown.reached == sum(counted["groups"].values())
    commune = Unit.objects.filter(path__startswith=province.path, depth=2).first()
    return {
        **seeded,
        "reconcile_seconds": round(reconciled, 1),
        "reconcile_repaired": repaired,
        "second_reconcile_seconds": round(second, 1),
        "second_reconcile_repaired": again,
        "dashboard": ours,
        "dashboard_as_of_past": ours_past,
        "naive_count": naive,
        "ratio_naive_p50_over_ours_p95": round(naive["p50_ms"] / ours["p95_ms"], 1),
        "same_numbers": same,
        "reached": shown.reached,
        "yearly_province": _report(province, today.year, today),
        "yearly_commune": _report(commune, today.year, today),
    }


def table_lines(r: dict) -> list[str]:
    p, c = r["yearly_province"], r["yearly_commune"]
    return [
        f"{'(k) province KPI dashboard p50 / p95 (ms)':58} {r['dashboard']['p50_ms']:>12} {r['dashboard']['p95_ms']:>12}",
        f"{'(k) as of a past day p50 / p95 (ms)':58} {r['dashboard_as_of_past']['p50_ms']:>12} {r['dashboard_as_of_past']['p95_ms']:>12}",
        f"{'(k) naive COUNT(*) from the records p50 (ms) / ratio':58} {r['naive_count']['p50_ms']:>12} {r['ratio_naive_p50_over_ours_p95']:>11}x",
        f"{'(k) counters built from nothing (SQL, s) / checked (s)':58} {r['reconcile_seconds']:>12} {r['second_reconcile_seconds']:>12}",
        f"{'(l) yearly XLSX, ' + str(p['units']) + ' units: compose + write (s)':58} {p['compose_seconds']:>12} {p['xlsx_seconds']:>12}",
        f"{'(l) peak MB: compose / XLSX above data (province)':58} {p['compose_peak_mb']:>12} {p['xlsx_peak_above_data_mb']:>12}",
        f"{'(l) the same for a commune of ' + str(c['units']) + ' units (s / MB)':58} {c['total_seconds']:>12} {c['xlsx_peak_above_data_mb']:>12}",
    ]
