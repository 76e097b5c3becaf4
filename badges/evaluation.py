"""Evaluating badge classes in SQL, for the recipients a change touched or for all.

Each leaf of a class's criteria compiles to one grouped query giving (recipient,
value); the class compiles to one INSERT ... SELECT for all its levels, which joins
the leaves to the recipients and to the levels, keeps each (recipient, level) that
meets its thresholds and is not held yet, and returns what it wrote (with the
user to tell, for people who sign in). The same statement serves a single award
(restricted to the people and units it touched, passed as one array) and
publishing a class over a million people (in chunks of recipient ids): set-based,
never a Python loop per person. The database allows one award per lineage, level,
recipient and period: two evaluations racing on PostgreSQL award once (the
statement's ON CONFLICT DO NOTHING, or for a chunk of everyone a retry with it).

A unit's value of a summing fact covers its subtree: each base row carries its
unit's path and is counted once for every ancestor (a join to the depths of the
tree), so a commune's points are its villages' points.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
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


def _trainings(leaf: dict):
    """The trainings a leaf's filters admit (a queryset, compiled into the leaf's
    statement); None when it has none."""
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
    group = leaf.get("target_group")
    if group and connection.vendor == "postgresql":
        trainings = trainings.filter(
            Q(target_groups=[]) | Q(target_groups__contains=[group])
        )
    elif group:
        # SQLite has no JSON containment lookup: the few trainings are read here.
        trainings = Training.objects.filter(
            pk__in=[
                pk
                for pk, groups in trainings.values_list("pk", "target_groups")
                if not groups or group in groups
            ]
        )
    return trainings.order_by().values("pk")


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
        # Without the model's ordering: a grouped subquery needs no sort.
        sql, params = queryset.order_by().query.sql_with_params()
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


def _among(column: str, ids) -> tuple[str, list]:
    """`column` is one of the ids: one array parameter on PostgreSQL (2,000
    placeholders cost more to send and parse than the statement takes to run)."""
    ids = sorted(ids)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [ids]
    return f"{column} IN ({_placeholders(ids)})", ids


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
    wanted = scope.of(recipient)
    if recipient == criteria.PERSON and not scope.id_range:
        sql, params, aggregate = _person_base_sql(leaf, badge_class)
    else:
        base, aggregate = _base(leaf, badge_class, recipient)
    if recipient == criteria.PERSON:
        if scope.id_range:
            low, high = scope.id_range
            field_name = _person_field(leaf).removesuffix("__in")
            base = base.filter(
                **{f"{field_name}__gte": low, f"{field_name}__lte": high}
            )
            sql, params = _sql(base)
        among, among_params = "", []
        if wanted is not None:
            # Outside the subquery, which PostgreSQL flattens: the index is used.
            among, among_params = _among("b.pid", wanted)
            among = f" WHERE {among}"
        return (
            f"SELECT b.pid AS rid, {_aggregate(aggregate)} AS v FROM ({sql}) b"
            f"{among} GROUP BY b.pid",
            params + among_params,
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
        among, outer_params = _among("anc.id", wanted)
        outer_filter = f" AND {among}"
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


# A person leaf's base query compiled once per published class (a published
# version never changes) and window: compiling it through the ORM cost more than
# running it for one person. Only on PostgreSQL, where it is plain SQL throughout
# (on SQLite the trainings of a target group are listed in it).
_COMPILED: dict = {}


def _person_base_sql(leaf: dict, badge_class: BadgeClass) -> tuple[str, list, str]:
    cacheable = (
        connection.vendor == "postgresql"
        and badge_class.pk is not None
        and badge_class.status == BadgeClass.Status.PUBLISHED
    )
    key = (badge_class.pk, json.dumps(leaf, sort_keys=True), window(badge_class))
    if cacheable and key in _COMPILED:
        sql, params, aggregate = _COMPILED[key]
        return sql, list(params), aggregate
    base, aggregate = _base(leaf, badge_class, criteria.PERSON)
    sql, params = _sql(base)
    if cacheable:
        if len(_COMPILED) > 512:
            _COMPILED.clear()
        _COMPILED[key] = (sql, tuple(params), aggregate)
    return sql, params, aggregate


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


def _condition(node: dict, index_of: dict, level_index: int) -> tuple[str, list]:
    if "fact" in node:
        alias = f"l{index_of[id(node)]}"
        value = criteria.threshold(node, level_index)
        if criteria.FACTS[node["fact"]].rank:
            return f"({alias}.v IS NOT NULL AND {alias}.v <= {int(value)})", []
        if value == "all":  # every area of the framework (none: nobody)
            areas, params = _sql(
                SkillArea.objects.filter(framework__code=node["framework"])
                .values("framework__code")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return f"(({areas}) BETWEEN 1 AND COALESCE({alias}.v, 0))", params
        return f"(COALESCE({alias}.v, 0) >= {int(value)})", []
    mode = "all" if "all" in node else "any"
    joiner = " AND " if mode == "all" else " OR "
    parts, params = [], []
    for child in node[mode]:
        sql, child_params = _condition(child, index_of, level_index)
        parts.append(sql)
        params.extend(child_params)
    return "(" + joiner.join(parts) + ")", params


# One random UUID per awarded row; on PostgreSQL the uid is made a version-7 UUID
# from it (RFC 9562: 48 bits of milliseconds, then 74 random bits), so that a
# publication writing a million awards appends to the uid index instead of
# touching a random page of it per row (measured: 9.4 s against 4.6 s for 200,000
# awards). The salt is the same random value: Open Badges 2.0 publishes the salt
# beside the assertion's id, so it need only differ from one award to the next.
_PG_RANDOM = "gen_random_uuid()"
_PG_UID = (
    "encode(set_bit(set_bit(overlay(uuid_send(x.g) placing substring(int8send("
    "(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), "
    "52, 1), 53, 1), 'hex')::uuid"
)
_PG_SALT = "REPLACE(x.g::text, '-', '')"
_SQLITE_RANDOM = "LOWER(HEX(RANDOMBLOB(16)))"
_SQLITE_SALT = "LOWER(HEX(RANDOMBLOB(16)))"

# Memory for one whole-population chunk's grouping and hashing: with the default
# 4 MB the grouped leaves of 200,000 people spill to disk (measured).
BULK_WORK_MEM = "64MB"


def _evidence(count: int) -> str:
    if not count:
        return "'{}'"
    pairs = ", ".join(f"'l{i}', l{i}.v" for i in range(count))
    if connection.vendor == "postgresql":
        return f"jsonb_build_object({pairs})"
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
        among, among_params = _among("r.id", wanted)
        where.append(among)
        params.extend(among_params)
    if scope.id_range:
        where.append("r.id BETWEEN %s AND %s")
        params.extend(scope.id_range)
    return table, " AND ".join(where), params


@dataclass(frozen=True)
class Awarded:
    """An award to a person who signs in: whom to tell, and where it is."""

    id: int
    recipient_id: int
    level: str
    user_id: int
    uid: object


@dataclass
class Issued:
    """What one evaluation of one class wrote: the awards' ids, their recipients
    (in the same order) and the awards to tell someone about. Plain lists: a
    publication returns 200,000 at a time."""

    badge_class: BadgeClass
    ids: list[int] = field(default_factory=list)
    recipients: list[int] = field(default_factory=list)
    told: list[Awarded] = field(default_factory=list)


def evaluate_class(badge_class: BadgeClass, scope: Scope, *, at: datetime) -> Issued:
    """Award every level of the class that recipients in scope have reached.

    One statement for every level: the leaves joined to the recipients and to the
    class's levels, keeping each (recipient, level) that meets its threshold and is
    not held yet (revoked awards keep their place). Over a range of everyone it is
    a plain INSERT (ON CONFLICT's per-row check cost 2-3 s per 200,000 awards); a
    unique violation there means an award raced it, and the chunk is written
    again with ON CONFLICT DO NOTHING.
    """
    issued = Issued(badge_class)
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
    person = badge_class.recipient == criteria.PERSON
    recipient_column = "person_id" if person else "unit_id"
    other_column = "unit_id" if person else "person_id"
    assertions = connection.ops.quote_name(Assertion._meta.db_table)
    expires = (
        at + timedelta(days=badge_class.expires_after_days)
        if badge_class.expires_after_days
        else None
    )
    adapt = connection.ops.adapt_datetimefield_value
    levels = badge_class.level_names
    level_rows = " UNION ALL ".join(
        f"SELECT {i} AS i, %s AS name" for i in range(len(levels))
    )
    reached, reached_params = [], []
    for i in range(len(levels)):
        sql, params = _condition(tree, index_of, i)
        reached.append(f"(lv.i = {i} AND {sql})")
        reached_params.extend(params)
    postgresql = connection.vendor == "postgresql"
    # What the recipients in scope hold already (revoked awards included), read
    # once before the insert: an anti-join against the table being written made
    # PostgreSQL rescan it for every row when its statistics said it was empty.
    if wanted is not None:
        among, among_params = _among(f"h.{recipient_column}", wanted)
    elif scope.id_range:
        among, among_params = (
            f"h.{recipient_column} BETWEEN %s AND %s",
            list(scope.id_range),
        )
    else:
        among, among_params = f"h.{recipient_column} IS NOT NULL", []
    held = (
        f"SELECT h.{recipient_column} AS rid, h.level AS level FROM {assertions} h "
        f"WHERE h.badge_slug = %s AND h.period = %s "
        f"AND h.level IN ({_placeholders(levels)}) AND {among}"
    )
    held_params = [badge_class.slug, badge_class.period, *levels, *among_params]
    select = (
        f"SELECT r.id AS rid, lv.name AS level, {_evidence(len(found))} AS evidence, "
        f"{_PG_RANDOM if postgresql else _SQLITE_RANDOM} AS g "
        f"FROM {table} r {' '.join(joins)} CROSS JOIN ({level_rows}) lv "
        "LEFT JOIN held ON held.rid = r.id AND held.level = lv.name "
        f"WHERE {where} AND held.rid IS NULL AND ({' OR '.join(reached)})"
    )
    select_params = join_params + levels + where_params + reached_params
    insert = (
        f"INSERT INTO {assertions} (uid, badge_class_id, badge_slug, level, "
        f"{recipient_column}, {other_column}, period, salt, issued_at, expires_at, "
        "evidence, awarded_by_id, reason, revoked_at, revoked_by_id, "
        "revocation_reason) "
        f"SELECT {_PG_UID if postgresql else 'x.g'}, %s, %s, x.level, x.rid, NULL, "
        f"%s, {_PG_SALT if postgresql else _SQLITE_SALT}, %s, %s, x.evidence, NULL, "
        f"'', NULL, NULL, '' FROM ({select}) x WHERE 1 = 1"
    )
    insert_params = [
        badge_class.pk,
        badge_class.slug,
        badge_class.period,
        adapt(at),
        adapt(expires),
        *select_params,
    ]
    if postgresql and person:
        # The people who sign in come back with their award's uid, to be told.
        persons = connection.ops.quote_name(Person._meta.db_table)
        returning = f" RETURNING id, uid, {recipient_column} AS rid, level"
        statement = (
            "WITH held AS MATERIALIZED ({held}), ins AS ({insert}) "
            "SELECT ins.id, ins.rid, ins.level, p.user_id, "
            "CASE WHEN p.user_id IS NOT NULL THEN ins.uid END FROM ins "
            f"LEFT JOIN {persons} p ON p.id = ins.rid AND p.user_id IS NOT NULL"
        )
    else:
        returning = f" RETURNING id, {recipient_column}, level"
        materialized = "MATERIALIZED " if postgresql else ""
        statement = f"WITH held AS {materialized}({{held}}) {{insert}}"
    params = held_params + insert_params
    bulk = postgresql and wanted is None
    with connection.cursor() as cursor:
        rows = None
        if bulk:
            cursor.execute(f"SET LOCAL work_mem = '{BULK_WORK_MEM}'")
            try:
                with transaction.atomic():
                    cursor.execute(
                        statement.format(held=held, insert=insert + returning), params
                    )
                    rows = cursor.fetchall()
            except IntegrityError:  # an award raced this chunk
                rows = None
        if rows is None:
            cursor.execute(
                statement.format(
                    held=held, insert=insert + " ON CONFLICT DO NOTHING" + returning
                ),
                params,
            )
            rows = cursor.fetchall()
    issued.ids = [row[0] for row in rows]
    issued.recipients = [row[1] for row in rows]
    if postgresql and person:
        issued.told = [Awarded(*row) for row in rows if row[3] is not None]
    elif person and rows:
        issued.told = _told(rows)
    return issued


def _told(rows) -> list[Awarded]:
    """The awards of people who sign in, with their uids (when the database could
    not return them with the insert)."""
    users = dict(
        Person.objects.filter(
            pk__in={row[1] for row in rows}, user__isnull=False
        ).values_list("pk", "user_id")
    )
    told = [row for row in rows if row[1] in users]
    uids = dict(
        Assertion.objects.filter(pk__in=[row[0] for row in told]).values_list(
            "pk", "uid"
        )
    )
    return [
        Awarded(pk, rid, level, users[rid], uids[pk]) for pk, rid, level, *_ in told
    ]


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
