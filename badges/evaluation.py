"""Evaluating badge classes in SQL, for the recipients a change touched or for all.

Each leaf of a class's criteria compiles to one grouped query giving (recipient,
value); the class compiles to one INSERT ... SELECT per level that joins the leaves
to the recipients, keeps those meeting the level's thresholds and lets the
database's unique constraint drop whoever holds the award already (ON CONFLICT DO
NOTHING). The same statement serves a single award (restricted to the people and
units it touched) and publishing a class over a million people (in chunks of
recipient ids): set-based, never a Python loop per person. Two evaluations racing
on PostgreSQL therefore award once; RETURNING tells each which rows it wrote.

A unit's value of a summing fact covers its subtree: each base row carries its
unit's path and is counted once for every ancestor (a join to the depths of the
tree), so a commune's points are its villages' points.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from competitions.models import Competition, PointEntry, Submission
from learning.models import (
    Completion,
    Household,
    HouseholdMember,
    SkillArea,
    Training,
)
from units.models import Person, TargetGroup, Unit

from . import criteria
from .models import Assertion, BadgeClass

HEADCOUNT_COLUMNS = {
    TargetGroup.CITIZEN: "adult_residents",
    TargetGroup.STUDENT: "students",
    TargetGroup.PUBLIC_SERVANT: "public_servants",
    TargetGroup.ENTERPRISE_WORKER: "enterprise_workers",
}
_EMPTY = (
    "SELECT CAST(NULL AS BIGINT) AS rid, CAST(NULL AS BIGINT) AS v WHERE 1 = 0",
    [],
)


@dataclass
class Scope:
    """Whom to evaluate: some people and units, an id range, or (None) everyone."""

    persons: set[int] | None = None
    units: set[int] | None = None
    id_range: tuple[int, int] | None = None

    def of(self, recipient: str):
        return self.persons if recipient == criteria.PERSON else self.units


@dataclass
class Issued:
    """What one evaluation wrote: (assertion id, recipient key, class id, level)."""

    rows: list[tuple[int, str, int, str]] = field(default_factory=list)

    def extend(self, other: "Issued") -> None:
        self.rows.extend(other.rows)


def window(badge_class: BadgeClass) -> tuple[date | None, date | None]:
    """The dates a time-limited class counts facts in."""
    if badge_class.competition_id:
        competition = badge_class.competition
        return competition.starts_on, competition.ends_on
    return badge_class.valid_from, badge_class.valid_until


def is_open(badge_class: BadgeClass, *, on: date, closing: bool = False) -> bool:
    """Whether the class may award now: during its competition or its dates."""
    if badge_class.status != BadgeClass.Status.PUBLISHED or not badge_class.criteria:
        return False
    if badge_class.competition_id:
        status = badge_class.competition.status
        if status == Competition.Status.CLOSED:
            return closing
        return status == Competition.Status.RUNNING
    if badge_class.valid_from and on < badge_class.valid_from:
        return False
    if badge_class.valid_until and on > badge_class.valid_until:
        return False
    return True


def _date_range(queryset, field_name: str, start, end):
    if start:
        queryset = queryset.filter(**{f"{field_name}__gte": start})
    if end:
        queryset = queryset.filter(**{f"{field_name}__lte": end})
    return queryset


def _trainings(leaf: dict) -> list[int] | None:
    """Ids of the trainings a leaf's filters admit; None when it has none."""
    if not any(
        leaf.get(k) for k in ("framework", "area", "target_group", "training_kind")
    ):
        return None
    trainings = Training.objects.all()
    if leaf.get("framework"):
        trainings = trainings.filter(areas__framework__code=leaf["framework"])
    if leaf.get("area"):
        framework, _sep, code = str(leaf["area"]).partition(":")
        trainings = trainings.filter(areas__framework__code=framework, areas__code=code)
    if leaf.get("training_kind"):
        trainings = trainings.filter(kind=leaf["training_kind"])
    ids = set(trainings.values_list("pk", flat=True))
    group = leaf.get("target_group")
    if group:
        # JSON lists are filtered here: SQLite has no JSON containment lookup.
        fitting = {
            pk
            for pk, groups in Training.objects.filter(pk__in=ids).values_list(
                "pk", "target_groups"
            )
            if not groups or group in groups
        }
        ids = fitting
    return sorted(ids)


def _base(leaf: dict, badge_class: BadgeClass, recipient: str):
    """The leaf's rows before grouping: a queryset with `pid` or `upath`, and `val`."""
    fact = leaf["fact"]
    start, end = window(badge_class)
    who = (
        {"pid": F("person_id")}
        if recipient == criteria.PERSON
        else {"upath": F("unit__path")}
    )
    competition = leaf.get("competition") or badge_class.competition_id
    if fact == "points":
        rows = PointEntry.objects.all()
        if recipient == criteria.PERSON:
            rows = rows.filter(person__isnull=False)
        if leaf.get("activity"):
            rows = rows.filter(activity_type__code=leaf["activity"])
        if competition:
            rows = rows.filter(competition_id=competition)
        rows = _date_range(rows, "occurred_at__date", start, end)
        return rows.values(**who, val=F("points")), "SUM"
    if fact == "approved_submissions":
        rows = Submission.objects.filter(status=Submission.Status.APPROVED)
        if recipient == criteria.PERSON:
            rows = rows.filter(person__isnull=False)
        if leaf.get("activity"):
            rows = rows.filter(activity_type__code=leaf["activity"])
        if competition:
            rows = rows.filter(competition_id=competition)
        rows = _date_range(rows, "occurred_on", start, end)
        return rows.values(**who, val=F("pk")), "COUNT"
    if fact in ("completed_trainings", "people_trained", "trained_share"):
        rows = Completion.objects.filter(status=Completion.Status.CONFIRMED)
        trainings = _trainings(
            leaf if fact != "trained_share" else {"framework": leaf.get("framework")}
        )
        if trainings is not None:
            rows = rows.filter(training_id__in=trainings)
        if fact == "trained_share":
            rows = rows.filter(person__target_group=leaf["target_group"])
        rows = _date_range(rows, "completed_on", start, end)
        value = F("training_id") if fact == "completed_trainings" else F("person_id")
        return rows.values(**who, val=value), "COUNT_DISTINCT"
    if fact == "framework_areas":
        rows = Completion.objects.filter(
            status=Completion.Status.CONFIRMED,
            training__areas__framework__code=leaf["framework"],
        )
        rows = _date_range(rows, "completed_on", start, end)
        return rows.values(**who, val=F("training__areas__id")), "COUNT_DISTINCT"
    if fact == "mentees_completed":
        # As the mentor's points: a mentee counts once they completed a training
        # dated on or after the day they accepted the invitation (local date).
        rows = Completion.objects.filter(
            status=Completion.Status.CONFIRMED,
            person__mentorship__isnull=False,
            completed_on__gte=TruncDate("person__mentorship__confirmed_at"),
        )
        rows = _date_range(rows, "completed_on", start, end)
        return (
            rows.values(pid=F("person__mentorship__mentor_id"), val=F("person_id")),
            "COUNT_DISTINCT",
        )
    if fact == "household_digital":
        rows = HouseholdMember.objects.filter(household__digital_since__isnull=False)
        rows = _date_range(rows, "household__digital_since", None, end)
        return rows.values(pid=F("person_id"), val=F("household_id")), "COUNT_DISTINCT"
    if fact == "digital_household_share":
        rows = Household.objects.filter(digital_since__isnull=False)
        rows = _date_range(rows, "digital_since", None, end)
        return rows.values(upath=F("unit__path"), val=F("pk")), "COUNT_DISTINCT"
    if fact == "badges_held":
        rows = Assertion.objects.valid().filter(badge_slug__in=leaf["badges"])
        if recipient == criteria.PERSON:
            return rows.filter(person__isnull=False).values(
                pid=F("person_id"), val=F("badge_slug")
            ), "COUNT_DISTINCT"
        return rows.filter(unit__isnull=False).values(
            uid=F("unit_id"), val=F("badge_slug")
        ), "COUNT_DISTINCT"
    raise ValueError(fact)  # pragma: no cover - validated before


def _sql(queryset) -> tuple[str, list]:
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter no row can pass (no training fits, say)
        return (
            "SELECT CAST(NULL AS BIGINT) AS pid, CAST(NULL AS TEXT) AS upath, "
            "CAST(NULL AS BIGINT) AS uid, CAST(NULL AS BIGINT) AS val WHERE 1 = 0",
            [],
        )
    return sql, list(params)


def _aggregate(kind: str) -> str:
    return {
        "SUM": "SUM(b.val)",
        "COUNT": "COUNT(b.val)",
        "COUNT_DISTINCT": "COUNT(DISTINCT b.val)",
    }[kind]


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def _prefixes(unit_ids: set[int]) -> list[str]:
    """The shortest paths covering these units' subtrees (a prefix inside another
    prefix adds nothing)."""
    paths = sorted(Unit.objects.filter(pk__in=unit_ids).values_list("path", flat=True))
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return kept


def _depths() -> str:
    deepest = (
        Unit.objects.order_by("-depth").values_list("depth", flat=True).first() or 1
    )
    return " UNION ALL ".join(f"SELECT {n} AS n" for n in range(1, deepest + 1))


def leaf_sql(
    leaf: dict, badge_class: BadgeClass, scope: Scope, *, at: datetime
) -> tuple[str, list]:
    """One grouped query: `SELECT rid, v` for the leaf, limited to the scope."""
    recipient = badge_class.recipient
    fact = criteria.FACTS[leaf["fact"]]
    if fact.rank:
        return _rank_sql(leaf, badge_class, scope)
    base, aggregate = _base(leaf, badge_class, recipient)
    wanted = scope.of(recipient)
    if recipient == criteria.PERSON:
        if wanted is not None:
            base = base.filter(**{_person_field(leaf): sorted(wanted)})
        if scope.id_range:
            low, high = scope.id_range
            field_name = _person_field(leaf).removesuffix("__in")
            base = base.filter(
                **{f"{field_name}__gte": low, f"{field_name}__lte": high}
            )
        sql, params = _sql(base)
        return (
            f"SELECT b.pid AS rid, {_aggregate(aggregate)} AS v FROM ({sql}) b "
            "GROUP BY b.pid",
            params,
        )
    if not fact.rollup:  # the unit's own rows
        if wanted is not None:
            base = base.filter(unit_id__in=sorted(wanted))
        sql, params = _sql(base)
        return (
            f"SELECT b.uid AS rid, {_aggregate(aggregate)} AS v FROM ({sql}) b "
            "GROUP BY b.uid",
            params,
        )
    outer_filter, outer_params = "", []
    if wanted is not None:
        prefixes = _prefixes(wanted)
        if not prefixes:
            return _EMPTY
        condition = Q()
        for prefix in prefixes:
            condition |= Q(unit__path__startswith=prefix)
        base = base.filter(condition)
        outer_filter = f" AND anc.id IN ({_placeholders(wanted)})"
        outer_params = sorted(wanted)
    sql, params = _sql(base)
    value = _aggregate(aggregate)
    if fact.name == "trained_share":
        column = HEADCOUNT_COLUMNS[leaf["target_group"]]
        value = f"100.0 * {value} / NULLIF(anc.{column}, 0)"
    elif fact.name == "digital_household_share":
        value = f"100.0 * {value} / NULLIF(anc.households, 0)"
    steplen = Unit.steplen
    units = connection.ops.quote_name(Unit._meta.db_table)
    return (
        f"SELECT anc.id AS rid, {value} AS v FROM ({sql}) b "
        f"JOIN ({_depths()}) d ON LENGTH(b.upath) >= d.n * {steplen} "
        f"JOIN {units} anc ON anc.path = SUBSTR(b.upath, 1, d.n * {steplen})"
        f" WHERE 1 = 1{outer_filter} GROUP BY anc.id",
        params + outer_params,
    )


def _person_field(leaf: dict) -> str:
    if leaf["fact"] == "mentees_completed":
        return "person__mentorship__mentor_id__in"
    return "person_id__in"


def _rank_sql(leaf: dict, badge_class: BadgeClass, scope: Scope) -> tuple[str, list]:
    """The rank on the competition's board (ties share a rank), once it closed."""
    competition = Competition.objects.filter(pk=leaf["competition"]).first()
    if competition is None or competition.status != Competition.Status.CLOSED:
        return _EMPTY
    board_scope = (
        Unit.objects.filter(pk=leaf.get("scope")).first() or competition.scope_unit
    )
    entity = leaf.get("entity") or "people"
    entries = PointEntry.objects.filter(
        competition=competition, unit__path__startswith=board_scope.path
    )
    if entity == "people":
        if badge_class.recipient != criteria.PERSON:
            return _EMPTY
        totals = entries.filter(person__isnull=False).values(
            pid=F("person_id"), val=F("points")
        )
        sql, params = _sql(totals)
        inner = (
            f"SELECT b.pid AS rid, SUM(b.val) AS total FROM ({sql}) b GROUP BY b.pid"
        )
    else:
        if badge_class.recipient != criteria.UNIT:
            return _EMPTY
        sql, params = _sql(entries.values(upath=F("unit__path"), val=F("points")))
        steplen = Unit.steplen
        units = connection.ops.quote_name(Unit._meta.db_table)
        inner = (
            f"SELECT anc.id AS rid, SUM(b.val) AS total FROM ({sql}) b "
            f"JOIN ({_depths()}) d ON LENGTH(b.upath) >= d.n * {steplen} "
            f"JOIN {units} anc ON anc.path = SUBSTR(b.upath, 1, d.n * {steplen}) "
            "WHERE anc.kind = %s GROUP BY anc.id"
        )
        params = params + [entity]
    return (
        f"SELECT r.rid AS rid, RANK() OVER (ORDER BY r.total DESC) AS v FROM ({inner}) r",
        params,
    )


def _condition(node: dict, index_of: dict, level_index: int) -> str:
    if "fact" in node:
        alias = f"l{index_of[id(node)]}"
        value = criteria.threshold(node, level_index)
        if criteria.FACTS[node["fact"]].rank:
            return f"({alias}.v IS NOT NULL AND {alias}.v <= {int(value)})"
        if value == "all":  # every area of the framework
            value = SkillArea.objects.filter(framework__code=node["framework"]).count()
            if not value:
                return "(1 = 0)"
        return f"(COALESCE({alias}.v, 0) >= {int(value)})"
    mode = "all" if "all" in node else "any"
    joiner = " AND " if mode == "all" else " OR "
    return (
        "("
        + joiner.join(_condition(c, index_of, level_index) for c in node[mode])
        + ")"
    )


def _random_hex() -> str:
    if connection.vendor == "postgresql":
        return "REPLACE(gen_random_uuid()::text, '-', '')"
    return "LOWER(HEX(RANDOMBLOB(16)))"


def _uuid() -> str:
    if connection.vendor == "postgresql":
        return "gen_random_uuid()"
    return "LOWER(HEX(RANDOMBLOB(16)))"


def _evidence(count: int) -> str:
    if not count:
        return "'{}'"
    pairs = ", ".join(f"'l{i}', l{i}.v" for i in range(count))
    if connection.vendor == "postgresql":
        return f"json_build_object({pairs})::jsonb"
    return f"json_object({pairs})"


def _recipients_sql(badge_class: BadgeClass, scope: Scope) -> tuple[str, str, list]:
    """FROM/WHERE over the recipients the class admits, within the scope."""
    wanted = scope.of(badge_class.recipient)
    params: list = []
    if badge_class.recipient == criteria.PERSON:
        table = connection.ops.quote_name(Person._meta.db_table)
        where = ["r.is_active = %s"]
        params.append(True)
        if badge_class.target_groups:
            where.append(
                f"r.target_group IN ({_placeholders(badge_class.target_groups)})"
            )
            params.extend(badge_class.target_groups)
    else:
        table = connection.ops.quote_name(Unit._meta.db_table)
        where = ["r.is_active = %s"]
        params.append(True)
        if badge_class.unit_kinds:
            where.append(f"r.kind IN ({_placeholders(badge_class.unit_kinds)})")
            params.extend(badge_class.unit_kinds)
    if wanted is not None:
        where.append(f"r.id IN ({_placeholders(wanted)})")
        params.extend(sorted(wanted))
    if scope.id_range:
        where.append("r.id BETWEEN %s AND %s")
        params.extend(scope.id_range)
    return table, " AND ".join(where), params


def evaluate_class(badge_class: BadgeClass, scope: Scope, *, at: datetime) -> Issued:
    """Award every level of the class that recipients in scope have reached."""
    issued = Issued()
    tree = badge_class.criteria
    found = criteria.leaves(tree)
    if not found:
        return issued
    wanted = scope.of(badge_class.recipient)
    if wanted is not None and not wanted:
        return issued
    index_of = {id(leaf): i for i, leaf in enumerate(found)}
    joins, join_params = [], []
    for i, leaf in enumerate(found):
        sql, params = leaf_sql(leaf, badge_class, scope, at=at)
        joins.append(f"LEFT JOIN ({sql}) l{i} ON l{i}.rid = r.id")
        join_params.extend(params)
    table, where, where_params = _recipients_sql(badge_class, scope)
    recipient_column = (
        "person_id" if badge_class.recipient == criteria.PERSON else "unit_id"
    )
    other_column = "unit_id" if recipient_column == "person_id" else "person_id"
    assertions = connection.ops.quote_name(Assertion._meta.db_table)
    expires = (
        at + timedelta(days=badge_class.expires_after_days)
        if badge_class.expires_after_days
        else None
    )
    adapt = connection.ops.adapt_datetimefield_value
    if (
        wanted is None
        and connection.vendor == "postgresql"
        and connection.in_atomic_block
    ):
        # Over everyone the grouped leaves are estimated at a handful of rows and
        # PostgreSQL may join them by nested loop (measured: 385 s for 1M people);
        # hash joins are what a whole-population join needs. This transaction only.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_nestloop = off")
    for level_index, level in enumerate(badge_class.level_names):
        condition = _condition(tree, index_of, level_index)
        sql = (
            f"INSERT INTO {assertions} (uid, badge_class_id, badge_slug, level, "
            f"{recipient_column}, {other_column}, period, salt, issued_at, expires_at, "
            "evidence, awarded_by_id, reason, revoked_at, revoked_by_id, "
            "revocation_reason) "
            f"SELECT {_uuid()}, %s, %s, %s, r.id, NULL, %s, {_random_hex()}, %s, %s, "
            f"{_evidence(len(found))}, NULL, '', NULL, NULL, '' "
            f"FROM {table} r {' '.join(joins)} WHERE {where} AND {condition} "
            f"ON CONFLICT DO NOTHING RETURNING id, {recipient_column}"
        )
        params = (
            [
                badge_class.pk,
                badge_class.slug,
                level,
                badge_class.period,
                adapt(at),
                adapt(expires),
            ]
            + join_params
            + where_params
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            prefix = "p" if recipient_column == "person_id" else "u"
            issued.rows.extend(
                (pk, f"{prefix}{rid}", badge_class.pk, level)
                for pk, rid in cursor.fetchall()
            )
    return issued


def values_for(
    badge_class: BadgeClass, *, recipient_id: int, at: datetime | None = None
) -> list:
    """The value of each leaf for one recipient (for progress), in leaf order."""
    at = at or timezone.now()
    found = criteria.leaves(badge_class.criteria)
    key = "persons" if badge_class.recipient == criteria.PERSON else "units"
    scope = Scope(**{key: {recipient_id}})
    values = []
    for leaf in found:
        sql, params = leaf_sql(leaf, badge_class, scope, at=at)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT x.v FROM ({sql}) x WHERE x.rid = %s", params + [recipient_id]
            )
            row = cursor.fetchone()
        values.append(row[0] if row and row[0] is not None else None)
    return values


def count_recipients(badge_class: BadgeClass) -> int:
    model = Person if badge_class.recipient == criteria.PERSON else Unit
    return model.objects.filter(is_active=True).count()


def held_levels(
    slug: str, recipient: str, ids: set[int], period: str
) -> dict[int, set]:
    """The levels of a lineage each recipient already holds (revoked ones included)."""
    column = "person_id" if recipient == criteria.PERSON else "unit_id"
    held: dict[int, set] = {}
    for rid, level in Assertion.objects.filter(
        badge_slug=slug, period=period, **{f"{column}__in": sorted(ids)}
    ).values_list(column, "level"):
        held.setdefault(rid, set()).add(level)
    return held
