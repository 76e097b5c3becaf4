"""Synthetic province for the benchmark, written with PostgreSQL COPY.

One province, communes, villages (20,000 units in all) and N people spread over the
villages, one membership and one ledger entry each (Pareto-distributed points, dates
over the past four weeks), all in one competition. The entries are not queued for the projector, as if it had
applied them; the benchmark's cold rebuild then builds every board from them.
"""

import random
import time
from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from competitions.models import ActivityType, Competition, PointRule
from units.models import Unit

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def step(index: int) -> str:
    digits = ""
    while True:
        index, rest = divmod(index, 36)
        digits = ALPHABET[rest] + digits
        if index == 0:
            break
    return digits.rjust(Unit.steplen, "0")


def _copy(table: str, columns: list[str], rows) -> None:
    with connection.cursor() as cursor:
        raw = cursor.connection  # psycopg 3
        with raw.cursor().copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def _fix_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
        )


def build(*, people: int, units: int, label: str, seed: int = 7) -> dict:
    """Create a province of `units` units and `people` people with one entry each."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    communes = max(1, units // 100)
    villages = units - 1 - communes
    root_index = Unit.objects.filter(depth=1).count() + 1
    root_path = step(root_index)
    unit_id = _next_id("units_unit")
    unit_rows, village_ids = [], []
    province_id = unit_id
    unit_rows.append(
        (unit_id, root_path, 1, communes, "province", f"Tỉnh {label}", "", True, now)
    )
    unit_id += 1
    per_commune = -(-villages // communes)
    made = 0
    for c in range(communes):
        commune_path = root_path + step(c + 1)
        count = min(per_commune, villages - made)
        unit_rows.append(
            (
                unit_id,
                commune_path,
                2,
                count,
                "commune",
                f"Xã {label} {c + 1}",
                "",
                True,
                now,
            )
        )
        unit_id += 1
        for v in range(count):
            unit_rows.append(
                (
                    unit_id,
                    commune_path + step(v + 1),
                    3,
                    0,
                    "village",
                    f"Thôn {label} {c + 1}.{v + 1}",
                    "",
                    True,
                    now,
                )
            )
            village_ids.append(unit_id)
            unit_id += 1
        made += count
    _copy(
        "units_unit",
        [
            "id",
            "path",
            "depth",
            "numchild",
            "kind",
            "name",
            "code",
            "is_active",
            "created_at",
            "public_servants",
            "students",
            "enterprise_workers",
            "adult_residents",
            "households",
        ],
        ((*row, 0, 0, 0, 120, 50) for row in unit_rows),
    )
    _fix_sequence("units_unit")

    competition = Competition.objects.create(
        name=f"Bench {label}",
        kind="regular",
        scope_unit_id=province_id,
        starts_on=date.today() - timedelta(days=60),
        ends_on=date.today() + timedelta(days=60),
        status="running",
    )
    activity, _ = ActivityType.objects.get_or_create(
        code="bench-training", defaults={"name": "Bench", "credits_person": True}
    )
    rule = PointRule.objects.create(
        competition=competition,
        activity_type=activity,
        version=1,
        effective_from=competition.starts_on,
        points_per_event=10,
    )

    person_id = _next_id("units_person")
    first_person = person_id
    _copy(
        "units_person",
        [
            "id",
            "display_name",
            "target_group",
            "phone_digest",
            "is_elderly",
            "has_disability",
            "is_ethnic_minority",
            "appears_anonymously",
            "is_active",
            "created_at",
        ],
        (
            (
                first_person + i,
                f"Người {label} {i}",
                "citizen",
                "",
                False,
                False,
                False,
                i % 13 == 0,
                True,
                now,
            )
            for i in range(people)
        ),
    )
    _fix_sequence("units_person")
    homes = [village_ids[i % len(village_ids)] for i in range(people)]
    membership_id = _next_id("units_membership")
    _copy(
        "units_membership",
        ["id", "person_id", "unit_id", "is_primary"],
        ((membership_id + i, first_person + i, homes[i], True) for i in range(people)),
    )
    _fix_sequence("units_membership")
    entry_id = _next_id("competitions_pointentry")
    points = [int(rng.paretovariate(1.2) * 10) for _ in range(people)]
    _copy(
        "competitions_pointentry",
        [
            "id",
            "competition_id",
            "person_id",
            "unit_id",
            "points",
            "activity_type_id",
            "rule_id",
            "quantity",
            "source",
            "explanation",
            "capped",
            "idempotency_key",
            "occurred_at",
            "created_at",
        ],
        (
            (
                entry_id + i,
                competition.pk,
                first_person + i,
                homes[i],
                points[i],
                activity.pk,
                rule.pk,
                1,
                "bench",
                "",
                False,
                f"bench:{label}:{i}",
                now - timedelta(days=rng.randint(0, 27), seconds=rng.randint(0, 86399)),
                now,
            )
            for i in range(people)
        ),
    )
    _fix_sequence("competitions_pointentry")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "competition": competition,
        "province_id": province_id,
        "first_person": first_person,
        "people": people,
        "units": len(unit_rows),
        "seconds": time.perf_counter() - started,
        "totals": dict(
            zip(range(first_person, first_person + people), points, strict=True)
        ),
    }
