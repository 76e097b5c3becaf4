"""The counters built from nothing, in SQL (PostgreSQL).

The first reconciliation on a database that already holds its records (the reports
app deployed onto a running province, a restore without the counters) has every
fact to insert and every tally to make. Through the families' Python path that is
1.84M facts and 2.6M tallies sent in 500-row statements at a million people (about
45 minutes on a loaded two-core machine). Here each family is one
`INSERT … SELECT`, and the tallies are one grouped `INSERT … SELECT` over the
facts and every unit's chain of ancestors: the same rows, worked out where the data
is. The families' Python path stays the definition: the reconciliation after this
one compares every fact and tally with it and finds nothing to repair (tested).
"""

from django.conf import settings
from django.db import connection, transaction

from learning.models import (
    ClassSession,
    Completion,
    Household,
    Mentorship,
    Training,
    VneidHelp,
)
from units.models import Membership, Person, Unit

from .models import Fact, Tally
from .tallies import (
    AMBASSADOR_MENTEES,
    HEADCOUNT_FIELDS,
    INCLUSION_FIELDS,
    STANDING_DAY,
    TOTAL_DAY,
)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _flags(alias: str, prefix: str) -> str:
    """(metric, wanted) rows of a person's inclusion flags, for a LATERAL VALUES."""
    return ", ".join(
        f"('{prefix}:{name}', {alias}.{field})"
        for name, field in INCLUSION_FIELDS.items()
    )


def _statements() -> list[tuple[str, dict]]:
    fact = _table(Fact)
    insert = f"INSERT INTO {fact} (metric, key, unit_id, day, value) "
    completion, training = _table(Completion), _table(Training)
    person, membership, unit = _table(Person), _table(Membership), _table(Unit)
    mentorship = _table(Mentorship)
    params = {
        "confirmed": Completion.Status.CONFIRMED,
        "standing": STANDING_DAY,
        "community_class": Training.Kind.COMMUNITY_CLASS,
        "zone": settings.TIME_ZONE,
        "fifth": AMBASSADOR_MENTEES,
    }
    headcounts = ", ".join(
        f"('hc:{name}', u.{field})" for name, field in HEADCOUNT_FIELDS.items()
    )
    # A mentor's unit is their primary membership's (as the Python families read).
    primary = f"JOIN {membership} m ON m.person_id = x.mentor_id AND m.is_primary"
    return [
        # reach and inclusion: a person's first confirmed completion of a training
        # that counts, where it was recorded.
        (
            insert + f"SELECT v.metric, f.person_id, f.unit_id, f.completed_on, 1 "
            f"FROM (SELECT DISTINCT ON (c.person_id) c.person_id, c.unit_id, "
            f"c.completed_on FROM {completion} c JOIN {training} t "
            f"ON t.id = c.training_id AND t.counts_toward_universal "
            f"WHERE c.status = %(confirmed)s "
            f"ORDER BY c.person_id, c.completed_on, c.id) f "
            f"JOIN {person} p ON p.id = f.person_id "
            f"CROSS JOIN LATERAL (VALUES ('reach:' || p.target_group, true), "
            f"{_flags('p', 'inc')}) AS v(metric, wanted) WHERE v.wanted",
            params,
        ),
        # the inclusion groups' sizes, where their active people belong
        (
            insert + f"SELECT v.metric, m.person_id, m.unit_id, %(standing)s, 1 "
            f"FROM {membership} m JOIN {person} p "
            f"ON p.id = m.person_id AND p.is_active "
            f"CROSS JOIN LATERAL (VALUES {_flags('p', 'pop')}) AS v(metric, wanted) "
            f"WHERE m.is_primary AND v.wanted",
            params,
        ),
        (
            insert + f"SELECT v.metric, u.id, u.id, %(standing)s, v.value "
            f"FROM {unit} u CROSS JOIN LATERAL (VALUES {headcounts}) "
            f"AS v(metric, value) WHERE u.is_active AND v.value <> 0",
            params,
        ),
        (
            insert + f"SELECT 'completions', c.id, c.unit_id, c.completed_on, 1 "
            f"FROM {completion} c WHERE c.status = %(confirmed)s",
            params,
        ),
        (
            insert + f"SELECT 'households', h.id, h.unit_id, h.digital_since, 1 "
            f"FROM {_table(Household)} h WHERE h.digital_since IS NOT NULL",
            params,
        ),
        (
            insert + f"SELECT 'vneid', v.id, v.unit_id, v.helped_on, v.citizens "
            f"FROM {_table(VneidHelp)} v",
            params,
        ),
        (
            insert + f"SELECT 'classes', s.id, s.unit_id, s.held_on, 1 "
            f"FROM {_table(ClassSession)} s JOIN {training} t "
            f"ON t.id = s.training_id AND t.kind = %(community_class)s",
            params,
        ),
        (
            insert + f"SELECT 'mentees', x.id, m.unit_id, "
            f"(x.confirmed_at AT TIME ZONE %(zone)s)::date, 1 "
            f"FROM {mentorship} x {primary}",
            params,
        ),
        # an Đại sứ số from the day their fifth mentee confirmed
        (
            insert + f"SELECT 'ambassadors', x.mentor_id, m.unit_id, "
            f"(x.confirmed_at AT TIME ZONE %(zone)s)::date, 1 "
            f"FROM (SELECT mentor_id, confirmed_at, row_number() OVER ("
            f"PARTITION BY mentor_id ORDER BY confirmed_at, id) AS n "
            f"FROM {mentorship}) x {primary} WHERE x.n = %(fifth)s",
            params,
        ),
    ]


def _tallies() -> tuple[str, dict]:
    """Each fact's value on its unit and every unit above, per day, month and in
    total: the facts summed per unit first, then spread up each unit's chain (the
    ancestors' paths are prefixes of the unit's, found through the path's index)."""
    unit = _table(Unit)
    return (
        f"INSERT INTO {_table(Tally)} (unit_id, metric, grain, day, value) "
        f"SELECT a.id, f.metric, g.grain, g.day, SUM(f.value) "
        f"FROM (SELECT unit_id, metric, day, SUM(value) AS value "
        f"FROM {_table(Fact)} GROUP BY unit_id, metric, day) f "
        f"JOIN {unit} u ON u.id = f.unit_id "
        f"CROSS JOIN LATERAL generate_series(1, length(u.path) / %(step)s) AS k(n) "
        f"JOIN {unit} a ON a.path = substr(u.path, 1, k.n * %(step)s) "
        f"CROSS JOIN LATERAL (VALUES ('d', f.day), "
        f"('m', date_trunc('month', f.day)::date), ('t', %(total)s::date)) "
        f"AS g(grain, day) "
        f"GROUP BY a.id, f.metric, g.grain, g.day HAVING SUM(f.value) <> 0",
        {"step": Unit.steplen, "total": TOTAL_DAY},
    )


def applies() -> bool:
    """Nothing counted yet, on PostgreSQL: the first build can be done in SQL."""
    return (
        connection.vendor == "postgresql"
        and not Fact.objects.exists()
        and not Tally.objects.exists()
    )


def build() -> dict[str, int]:
    """Insert every fact and every tally; returns how many of each.

    One transaction, with the counters' tables locked against the receivers
    (they wait for it, then find their facts there and move nothing twice).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"LOCK TABLE {_table(Fact)}, {_table(Tally)} IN SHARE ROW EXCLUSIVE MODE"
        )
        if Fact.objects.exists() or Tally.objects.exists():
            return {"facts": 0, "tallies": 0}  # another worker built them first
        facts = 0
        for sql, params in _statements():
            cursor.execute(sql, params)
            facts += cursor.rowcount
        cursor.execute(*_tallies())
        tallies = cursor.rowcount
        # The dashboard's plans want the new rows counted.
        cursor.execute(f"ANALYZE {_table(Fact)}, {_table(Tally)}")
    return {"facts": facts, "tallies": tallies}
