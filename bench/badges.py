"""Badges in the benchmark: publishing a class over everyone, and the award path
with badge evaluation on and off.

(g) A new person class ("at least 1 point": everyone qualifies, the worst case for
writing) is published over the big province and `backfill_class` awards it, in
chunks of 200,000 people, one INSERT ... SELECT per chunk. Baselines in the same
run: the grouped SUM over the ledger that the evaluation must read anyway (the
"without badges" floor), and a naive per-person evaluation (one query per person,
as a Python loop would do) timed on 2,000 people and extrapolated.

(h) The award path: 50 confirmed completions recorded one by one (the ledger
credit, the projection and, when on, badge evaluation after commit), with
BADGES_EVALUATE off and on.
"""

import statistics
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone


def _p(values, q):
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def publish(big: dict) -> dict:
    from badges import evaluation, services
    from badges.models import Assertion, BadgeClass
    from units.audit import COMMAND

    badge_class = BadgeClass.objects.create(
        slug="bench-mot-diem",
        name="Bench: một điểm",
        recipient="person",
        criteria={"fact": "points", "min": 1},
        status="draft",
    )
    services.publish_class(badge_class, by=None, at=timezone.now(), origin=COMMAND)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "SELECT person_id, SUM(points) FROM competitions_pointentry "
            "WHERE person_id IS NOT NULL GROUP BY person_id"
        )
        grouped = len(cursor.fetchall())
        floor = time.perf_counter() - started
    first = big["first_person"]
    sample = range(first, first + 2000)
    started = time.perf_counter()
    for person_id in sample:
        evaluation.values_for(badge_class, recipient_id=person_id)
    naive = (time.perf_counter() - started) / len(sample) * big["people"]
    started = time.perf_counter()
    made = services.backfill_class(badge_class, at=timezone.now())
    seconds = time.perf_counter() - started
    awarded = Assertion.objects.filter(badge_class=badge_class).count()
    return {
        "people": big["people"],
        "awards_made": made,
        "awards_in_table": awarded,
        "publish_seconds": round(seconds, 1),
        "grouped_sum_seconds": round(floor, 1),
        "grouped_rows": grouped,
        "naive_per_person_seconds_extrapolated": round(naive, 1),
        "ratio_naive_over_ours": round(naive / seconds, 1),
    }


def award_path(big: dict, count: int = 50) -> dict:
    from competitions.models import Competition
    from learning import services as learning
    from learning.models import Completion, Training
    from units.audit import COMMAND
    from units.models import Membership

    competition = Competition.objects.get(pk=big["competition"].pk)
    del competition
    memberships = list(
        Membership.objects.filter(person_id__gte=big["first_person"] + 5000)
        .select_related("person", "unit")
        .order_by("person_id")[: count * 2]
    )
    results = {}
    for label, on, people in (
        ("off", False, memberships[:count]),
        ("on", True, memberships[count:]),
    ):
        settings.BADGES_EVALUATE = on
        training = Training.objects.create(title=f"Bench {label}", kind="online_course")
        times = []
        for membership in people:
            started = time.perf_counter()
            with transaction.atomic():
                learning.record_completion(
                    learning.NewCompletion(
                        person=membership.person,
                        training=training,
                        unit=membership.unit,
                        completed_on=timezone.localdate(),
                        source=Completion.Source.IMPORT,
                    ),
                    by=None,
                    at=timezone.now(),
                    origin=COMMAND,
                )
            times.append((time.perf_counter() - started) * 1000)
        results[label] = {
            "p50_ms": _p(times, 0.5),
            "p95_ms": _p(times, 0.95),
            "mean_ms": round(statistics.fmean(times), 2),
        }
    settings.BADGES_EVALUATE = True
    return results


def run(big: dict) -> dict:
    print("Badges: award path off/on ...", flush=True)
    award = award_path(big)
    print("Badges: publishing a class over everyone ...", flush=True)
    return {"award_path": award, "publish": publish(big)}


def table_lines(result: dict) -> list[str]:
    g, h = result["publish"], result["award_path"]
    return [
        f"{'(g) publish a class over ' + format(g['people'], ',') + ' people (s)':58} {g['publish_seconds']:>12} {g['naive_per_person_seconds_extrapolated']:>12} {g['ratio_naive_over_ours']:>8}x",
        f"{'(g) the grouped SUM alone, without badges (s)':58} {g['grouped_sum_seconds']:>12}",
        f"{'(h) award (completion) p50/p95 ms, badges on':58} {h['on']['p50_ms']:>12} {h['on']['p95_ms']:>12}",
        f"{'(h) award (completion) p50/p95 ms, badges off':58} {h['off']['p50_ms']:>12} {h['off']['p95_ms']:>12}",
    ]
