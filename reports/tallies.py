"""Counters kept up to date as records arrive, so that the dashboard never counts.

A *family* of metrics knows how to work out, from the records, the facts of some
keys (people, households, sessions...). `sync(family, keys)` compares them with the
stored facts and moves the tallies of the fact's unit and of every unit above it by
the difference, in one transaction. The receivers (reports/receivers.py) call it
after the records commit; `reconcile()` runs every family over every key, then
checks every tally against the facts, and repairs what drifted (a receiver that
failed, a unit moved elsewhere in the tree).
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.db.models import Max, Min, Sum
from django.utils import timezone

from learning.models import (
    ClassSession,
    Completion,
    Household,
    Mentorship,
    Training,
    VneidHelp,
)
from units import bulk
from units.models import Membership, Person, TargetGroup, Unit

from .models import Fact, Tally

logger = logging.getLogger(__name__)

# The day of what is counted whatever the date asked: headcounts and the
# inclusion groups' sizes are today's.
STANDING_DAY = date(2000, 1, 1)
# The day of the grand-total rows.
TOTAL_DAY = date(1900, 1, 1)
GROUPS = [group.value for group in TargetGroup]
INCLUSION = ("elderly", "disability", "minority")
INCLUSION_FIELDS = {
    "elderly": "is_elderly",
    "disability": "has_disability",
    "minority": "is_ethnic_minority",
}
HEADCOUNT_FIELDS = {
    "citizen": "adult_residents",
    "student": "students",
    "public_servant": "public_servants",
    "enterprise_worker": "enterprise_workers",
    "households": "households",
}
AMBASSADOR_MENTEES = 5
CHUNK = 5000

Desired = dict[tuple[str, int], tuple[int, date, int]]


@dataclass(frozen=True)
class Family:
    name: str
    metrics: tuple[str, ...]
    # desired(keys=None, lo=None, hi=None): the facts the records say, for the keys
    # given or for every key in [lo, hi).
    desired: Callable[..., Desired]
    # The range of keys to walk when reconciling: (lowest, highest) or None.
    key_range: Callable[[], tuple[int, int] | None]


def _keys(queryset, field: str, keys, lo, hi):
    if keys is not None:
        return queryset.filter(**{f"{field}__in": list(keys)})
    return queryset.filter(**{f"{field}__gte": lo, f"{field}__lt": hi})


def _range(model, **filters):
    found = model.objects.filter(**filters).aggregate(lo=Min("pk"), hi=Max("pk"))
    return None if found["lo"] is None else (found["lo"], found["hi"])


def _local_day(moment) -> date:
    return timezone.localtime(moment).date()


# -- the families ------------------------------------------------------------------


def _reach(keys=None, lo=None, hi=None) -> Desired:
    """A person is reached on the day of their first confirmed completion of a
    training that counts toward the universalisation target, where it was
    recorded: once, in one unit, whatever they complete later."""
    rows = (
        _keys(
            Completion.objects.filter(
                status=Completion.Status.CONFIRMED,
                training__counts_toward_universal=True,
            ),
            "person_id",
            keys,
            lo,
            hi,
        )
        .order_by("person_id", "completed_on", "pk")
        .values_list(
            "person_id",
            "unit_id",
            "completed_on",
            "person__target_group",
            "person__is_elderly",
            "person__has_disability",
            "person__is_ethnic_minority",
        )
    )
    desired: Desired = {}
    seen = None
    for person, unit, day, group, elderly, disability, minority in rows.iterator(
        chunk_size=CHUNK
    ):
        if person == seen:
            continue
        seen = person
        desired[(f"reach:{group}", person)] = (unit, day, 1)
        for name, flag in zip(INCLUSION, (elderly, disability, minority), strict=True):
            if flag:
                desired[(f"inc:{name}", person)] = (unit, day, 1)
    return desired


def _people(keys=None, lo=None, hi=None) -> Desired:
    """The size of each inclusion group, where its people belong (today)."""
    rows = _keys(
        Membership.objects.filter(is_primary=True, person__is_active=True),
        "person_id",
        keys,
        lo,
        hi,
    ).values_list(
        "person_id",
        "unit_id",
        "person__is_elderly",
        "person__has_disability",
        "person__is_ethnic_minority",
    )
    desired: Desired = {}
    for person, unit, *flags in rows.iterator(chunk_size=CHUNK):
        for name, flag in zip(INCLUSION, flags, strict=True):
            if flag:
                desired[(f"pop:{name}", person)] = (unit, STANDING_DAY, 1)
    return desired


def _headcounts(keys=None, lo=None, hi=None) -> Desired:
    rows = _keys(Unit.objects.filter(is_active=True), "pk", keys, lo, hi).values_list(
        "pk", *HEADCOUNT_FIELDS.values()
    )
    desired: Desired = {}
    for unit, *values in rows.iterator(chunk_size=CHUNK):
        for name, value in zip(HEADCOUNT_FIELDS, values, strict=True):
            if value:
                desired[(f"hc:{name}", unit)] = (unit, STANDING_DAY, value)
    return desired


def _completions(keys=None, lo=None, hi=None) -> Desired:
    rows = _keys(
        Completion.objects.filter(status=Completion.Status.CONFIRMED),
        "pk",
        keys,
        lo,
        hi,
    ).values_list("pk", "unit_id", "completed_on")
    return {("completions", pk): (unit, day, 1) for pk, unit, day in rows}


def _households(keys=None, lo=None, hi=None) -> Desired:
    rows = _keys(
        Household.objects.filter(digital_since__isnull=False), "pk", keys, lo, hi
    ).values_list("pk", "unit_id", "digital_since")
    return {("households", pk): (unit, day, 1) for pk, unit, day in rows}


def _vneid(keys=None, lo=None, hi=None) -> Desired:
    rows = _keys(VneidHelp.objects.all(), "pk", keys, lo, hi).values_list(
        "pk", "unit_id", "helped_on", "citizens"
    )
    return {("vneid", pk): (unit, day, n) for pk, unit, day, n in rows}


def _classes(keys=None, lo=None, hi=None) -> Desired:
    rows = _keys(
        ClassSession.objects.filter(training__kind=Training.Kind.COMMUNITY_CLASS),
        "pk",
        keys,
        lo,
        hi,
    ).values_list("pk", "unit_id", "held_on")
    return {("classes", pk): (unit, day, 1) for pk, unit, day in rows}


def _primary_units(people) -> dict[int, int]:
    return dict(
        Membership.objects.filter(person_id__in=list(people), is_primary=True)
        .values_list("person_id", "unit_id")
        .iterator(chunk_size=CHUNK)
    )


def _mentees(keys=None, lo=None, hi=None) -> Desired:
    rows = list(
        _keys(Mentorship.objects.all(), "pk", keys, lo, hi).values_list(
            "pk", "mentor_id", "confirmed_at"
        )
    )
    units = _primary_units({mentor for _pk, mentor, _at in rows})
    return {
        ("mentees", pk): (units[mentor], _local_day(at), 1)
        for pk, mentor, at in rows
        if mentor in units
    }


def _ambassadors(keys=None, lo=None, hi=None) -> Desired:
    """An Đại sứ số of the model (seed 001, IV.6) guides at least five mentees:
    counted from the day the fifth confirmed."""
    rows = (
        _keys(Mentorship.objects.all(), "mentor_id", keys, lo, hi)
        .order_by("mentor_id", "confirmed_at", "pk")
        .values_list("mentor_id", "confirmed_at")
    )
    fifth: dict[int, date] = {}
    count: dict[int, int] = defaultdict(int)
    for mentor, at in rows.iterator(chunk_size=CHUNK):
        count[mentor] += 1
        if count[mentor] == AMBASSADOR_MENTEES:
            fifth[mentor] = _local_day(at)
    units = _primary_units(fifth)
    return {
        ("ambassadors", mentor): (units[mentor], day, 1)
        for mentor, day in fifth.items()
        if mentor in units
    }


REACH = Family(
    "reach",
    tuple(f"reach:{g}" for g in GROUPS) + tuple(f"inc:{n}" for n in INCLUSION),
    _reach,
    lambda: _range(Person),
)
PEOPLE = Family(
    "people", tuple(f"pop:{n}" for n in INCLUSION), _people, lambda: _range(Person)
)
HEADCOUNTS = Family(
    "headcounts",
    tuple(f"hc:{n}" for n in HEADCOUNT_FIELDS),
    _headcounts,
    lambda: _range(Unit),
)
COMPLETIONS = Family(
    "completions", ("completions",), _completions, lambda: _range(Completion)
)
HOUSEHOLDS = Family(
    "households", ("households",), _households, lambda: _range(Household)
)
VNEID = Family("vneid", ("vneid",), _vneid, lambda: _range(VneidHelp))
CLASSES = Family("classes", ("classes",), _classes, lambda: _range(ClassSession))
MENTEES = Family("mentees", ("mentees",), _mentees, lambda: _range(Mentorship))
AMBASSADORS = Family(
    "ambassadors", ("ambassadors",), _ambassadors, lambda: _range(Person)
)
FAMILIES = (
    REACH,
    PEOPLE,
    HEADCOUNTS,
    COMPLETIONS,
    HOUSEHOLDS,
    VNEID,
    CLASSES,
    MENTEES,
    AMBASSADORS,
)


# -- keeping facts and tallies in step ---------------------------------------------


def sync(family: Family, keys: Iterable[int]) -> int:
    """Bring the facts of these keys in line with the records; return the number of
    facts changed. Safe to call again and from several workers at once."""
    keys = sorted({int(k) for k in keys})
    changed = 0
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        for _attempt in range(3):
            moved, missed = _apply(
                family, family.desired(keys=chunk), keys=chunk, lo=None, hi=None
            )
            changed += moved
            if not missed:
                break
            chunk = missed  # another worker inserted them first: compare again
    return changed


def _apply(
    family: Family, desired: Desired, *, keys, lo, hi, move: bool = True
) -> tuple[int, list]:
    with transaction.atomic():
        stored = Fact.objects.select_for_update().filter(metric__in=family.metrics)
        stored = (
            stored.filter(key__in=keys)
            if keys is not None
            else stored.filter(key__gte=lo, key__lt=hi)
        )
        existing = {
            (metric, key): (pk, unit, day, value)
            for pk, metric, key, unit, day, value in stored.values_list(
                "pk", "metric", "key", "unit_id", "day", "value"
            )
        }
        deltas: list[tuple[int, str, date, int]] = []
        gone, updated = [], []
        for (metric, key), (pk, unit, day, value) in existing.items():
            new = desired.get((metric, key))
            if new == (unit, day, value):
                continue
            deltas.append((unit, metric, day, -value))
            if new is None:
                gone.append(pk)
            else:
                updated.append(
                    Fact(
                        pk=pk,
                        metric=metric,
                        key=key,
                        unit_id=new[0],
                        day=new[1],
                        value=new[2],
                    )
                )
                deltas.append((new[0], metric, new[1], new[2]))
        fresh = [(k, v) for k, v in desired.items() if k not in existing]
        if gone:
            Fact.objects.filter(pk__in=gone).delete()
        if updated:
            Fact.objects.bulk_update(updated, ["unit_id", "day", "value"])
        inserted = _insert_facts(fresh)
        missed = []
        for (metric, key), (unit, day, value) in fresh:
            if (metric, key) in inserted:
                deltas.append((unit, metric, day, value))
            else:
                missed.append(key)
        if move:
            move_tallies(deltas)
    return len(gone) + len(updated) + len(inserted), sorted(set(missed))


def _insert_facts(rows) -> set[tuple[str, int]]:
    """Insert new facts; those another transaction inserted first are skipped."""
    if bulk.available():
        # COPY: as 500-row VALUES, each statement carried 2,500 parameters for
        # psycopg to turn into SQL in Python (a 20,000-row import, 12.9 s against
        # 11.3 s by COPY, one run each).
        written = bulk.insert_new_rows(
            Fact,
            ["metric", "key", "unit_id", "day", "value"],
            ((metric, key, *fact) for (metric, key), fact in rows),
            key_columns=["metric", "key"],
        )
        return {(metric, int(key)) for metric, key in written}
    inserted: set[tuple[str, int]] = set()
    table = Fact._meta.db_table
    for start in range(0, len(rows), 500):
        part = rows[start : start + 500]
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(part))
        params = []
        for (metric, key), (unit, day, value) in part:
            params += [metric, key, unit, day, value]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (metric, key, unit_id, day, value) "
                f"VALUES {values} ON CONFLICT (metric, key) DO NOTHING "
                "RETURNING metric, key",
                params,
            )
            inserted.update((m, int(k)) for m, k in cursor.fetchall())
    return inserted


def _chains(unit_ids) -> dict[int, list[int]]:
    """Each unit with the ids of its ancestors: the tallies a fact of it moves."""
    paths = dict(Unit.objects.filter(pk__in=list(unit_ids)).values_list("pk", "path"))
    step = Unit.steplen
    wanted = {
        path[:end]
        for path in paths.values()
        for end in range(step, len(path) + 1, step)
    }
    ids = dict(Unit.objects.filter(path__in=wanted).values_list("path", "pk"))
    return {
        pk: [ids[path[:end]] for end in range(step, len(path) + 1, step)]
        for pk, path in paths.items()
    }


def tally_rows(deltas) -> dict[tuple[int, str, str, date], int]:
    """The tally increments of fact changes, for the unit and every unit above."""
    chains = _chains({unit for unit, *_rest in deltas})
    rows: dict[tuple[int, str, str, date], int] = defaultdict(int)
    for unit, metric, day, value in deltas:
        for owner in chains.get(unit, ()):
            rows[(owner, metric, "d", day)] += value
            rows[(owner, metric, "m", day.replace(day=1))] += value
            rows[(owner, metric, "t", TOTAL_DAY)] += value
    return rows


def move_tallies(deltas) -> None:
    if not deltas:
        return
    _add(tally_rows(deltas))


def _add(rows: dict) -> None:
    """Add to tallies, creating them; in key order, so that two transactions moving
    the same tallies lock them in the same order and never deadlock."""
    if not any(rows.values()):
        return
    if bulk.available():
        # add_to_rows writes in key order itself.
        bulk.add_to_rows(
            Tally,
            ["unit_id", "metric", "grain", "day", "value"],
            ((*key, value) for key, value in rows.items() if value),
            key_columns=["unit_id", "metric", "grain", "day"],
            add_column="value",
        )
        return
    items = sorted((k, v) for k, v in rows.items() if v)
    table = Tally._meta.db_table
    for start in range(0, len(items), 500):
        part = items[start : start + 500]
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(part))
        params = []
        for (unit, metric, grain, day), value in part:
            params += [unit, metric, grain, day, value]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (unit_id, metric, grain, day, value) "
                f"VALUES {values} ON CONFLICT (unit_id, metric, grain, day) "
                f"DO UPDATE SET value = {table}.value + excluded.value",
                params,
            )


# -- reconciliation ----------------------------------------------------------------

RANGE = 20000


def reconcile(*, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Every family over every key, then every tally against the facts; returns
    how many facts and tallies were repaired.

    With nothing counted yet (PostgreSQL), the counters are built in SQL instead
    (reports/first_build.py); the next reconciliation checks them this way.
    """
    from . import first_build

    if first_build.applies():
        built = first_build.build()
        logger.info("reports counters built from the records: %s", built)
        if progress:
            progress("first build")
        return built
    repaired = {"facts": 0, "tallies": 0}
    for family in FAMILIES:
        bounds = family.key_range()
        stored = Fact.objects.filter(metric__in=family.metrics).aggregate(
            lo=Min("key"), hi=Max("key")
        )
        lows = [v for v in (bounds and bounds[0], stored["lo"]) if v is not None]
        highs = [v for v in (bounds and bounds[1], stored["hi"]) if v is not None]
        if not lows:
            continue
        for lo in range(min(lows), max(highs) + 1, RANGE):
            moved, _missed = _apply(
                family,
                family.desired(lo=lo, hi=lo + RANGE),
                keys=None,
                lo=lo,
                hi=lo + RANGE,
                # The tallies are set from the facts below, whatever this pass did.
                move=False,
            )
            repaired["facts"] += moved
        if progress:
            progress(family.name)
    repaired["tallies"] = repair_tallies()
    if any(repaired.values()):
        logger.warning("reports reconciled: %s", repaired)
    return repaired


def _expected_for(prefix: str, below_depth: int) -> tuple[dict, list[int]]:
    """The tallies the facts give to the units of a subtree at or below a depth,
    and the ids of those units."""
    step = Unit.steplen
    ids = dict(Unit.objects.filter(path__startswith=prefix).values_list("path", "pk"))
    paths = {pk: path for path, pk in ids.items()}
    grouped = (
        Fact.objects.filter(unit_id__in=list(paths))
        .values_list("unit_id", "metric", "day")
        .order_by()
        .annotate(total=Sum("value"))
    )
    rows: dict = defaultdict(int)
    for unit, metric, day, total in grouped.iterator(chunk_size=CHUNK):
        path = paths[unit]
        for end in range(below_depth * step, len(path) + 1, step):
            owner = ids[path[:end]]
            rows[(owner, metric, "d", day)] += total
            rows[(owner, metric, "m", day.replace(day=1))] += total
            rows[(owner, metric, "t", TOTAL_DAY)] += total
    return rows, list(paths)


def _expected_root(root: Unit) -> dict:
    rows: dict = defaultdict(int)
    grouped = (
        Fact.objects.filter(unit__path__startswith=root.path)
        .values_list("metric", "day")
        .order_by()
        .annotate(total=Sum("value"))
    )
    for metric, day, total in grouped:
        rows[(root.pk, metric, "d", day)] += total
        rows[(root.pk, metric, "m", day.replace(day=1))] += total
        rows[(root.pk, metric, "t", TOTAL_DAY)] += total
    return rows


def _repair(unit_filter, expected: dict) -> int:
    stored = {
        (unit, metric, grain, day): value
        for unit, metric, grain, day, value in Tally.objects.filter(
            **unit_filter
        ).values_list("unit_id", "metric", "grain", "day", "value")
    }
    diff = {}
    for key in expected.keys() | stored.keys():
        delta = expected.get(key, 0) - stored.get(key, 0)
        if delta:
            diff[key] = delta
    _add(diff)
    return len(diff)


def _lock_tallies() -> None:
    """Hold off the receivers while a subtree is compared (PostgreSQL; SQLite has
    one writer anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {Fact._meta.db_table}, {Tally._meta.db_table} "
                "IN SHARE ROW EXCLUSIVE MODE"
            )


def repair_tallies() -> int:
    """Compare every tally with the facts, a subtree at a time, and set it right."""
    repaired = 0
    for root in Unit.objects.filter(depth=1):
        for child in Unit.objects.filter(path__startswith=root.path, depth=2):
            with transaction.atomic():
                _lock_tallies()
                expected, ids = _expected_for(child.path, 2)
                repaired += _repair({"unit_id__in": ids}, expected)
        with transaction.atomic():
            _lock_tallies()
            repaired += _repair({"unit_id": root.pk}, _expected_root(root))
    # Tallies of units that no longer exist go with them (cascade); tallies of a
    # metric nobody counts any more are left alone.
    return repaired
