"""(c) Durable awards per second through the ledger and the projector, against the
same increments sent to Redis alone, pipelined; (e) cold rebuild and reconciliation."""

import random
import time

from django.db import transaction
from django.utils import timezone

from competitions import ledger
from competitions.models import ActivityType, PointRule
from leaderboards import projector
from leaderboards.boards import increments_for
from leaderboards.stores import get_store
from learning.imports import CHUNK_ROWS
from units.models import Membership

# The bulk path's own batch: a completion import commits and projects 2,000 rows at
# a time.
BATCH = CHUNK_ROWS


def durable_awards(dataset: dict, *, count: int) -> dict:
    competition = dataset["competition"]
    activity = ActivityType.objects.get(code="bench-training")
    rule = PointRule.objects.filter(
        competition=competition, activity_type=activity
    ).first()
    people = list(
        Membership.objects.filter(
            person_id__gte=dataset["first_person"],
            person_id__lt=dataset["first_person"] + dataset["people"],
        ).select_related("unit", "person")[: min(count, 50_000)]
    )
    rng = random.Random(11)
    run = time.time_ns()
    started = time.perf_counter()
    written = 0
    for start in range(0, count, BATCH):
        now = timezone.now()
        credits = []
        for n in range(start, min(count, start + BATCH)):
            member = people[rng.randrange(len(people))]
            credits.append(
                ledger.Credit(
                    competition=competition,
                    unit=member.unit,
                    person=member.person,
                    activity_type=activity,
                    rule=rule,
                    points=rng.randint(1, 20),
                    quantity=1,
                    source="bench",
                    explanation="",
                    idempotency_key=f"bench-ingest:{run}:{n}",
                    occurred_at=now,
                )
            )
        with transaction.atomic():
            entries = ledger.credit_many(credits=credits, by=None, at=now)
        written += len(entries)
        projector.project(entries.values(), wait=True, limit=BATCH)
    seconds = time.perf_counter() - started
    return {
        "awards": written,
        "seconds": round(seconds, 2),
        "per_second": round(written / seconds),
    }


def redis_only_ceiling(dataset: dict, *, count: int) -> dict:
    """The same increments, straight to Redis: ZINCRBY pipelined, nothing durable."""
    store = get_store()
    chain_sample = projector.unit_chains(
        [
            Membership.objects.filter(person_id=dataset["first_person"])
            .values_list("unit_id", flat=True)
            .first()
        ]
    )
    chain = [
        (unit_id, kind) for unit_id, kind, _active in next(iter(chain_sample.values()))
    ]
    today = timezone.localdate()
    rng = random.Random(12)
    client = store.client
    # The increments are worked out before the clock starts: the ceiling is what
    # Redis and the client's pipelining take, nothing of ours.
    batches = []
    for start in range(0, count, BATCH):
        batch = []
        for _ in range(start, min(count, start + BATCH)):
            person = dataset["first_person"] + rng.randrange(dataset["people"])
            batch += [
                ("bench:" + change.key, change.delta, str(change.member))
                for change in increments_for(
                    competition_id=dataset["competition"].pk,
                    person_id=person,
                    points=rng.randint(1, 20),
                    day=today,
                    chain=chain,
                )
            ]
        batches.append(batch)
    started = time.perf_counter()
    for batch in batches:
        pipe = client.pipeline(transaction=False)
        for key, delta, member in batch:
            pipe.zincrby(key, delta, member)
        pipe.execute()
    seconds = time.perf_counter() - started
    client.delete(*[k for k in client.scan_iter("bench:lb:*")])
    return {
        "awards": count,
        "seconds": round(seconds, 2),
        "per_second": round(count / seconds),
    }


def rebuild_and_reconcile() -> dict:
    report = projector.rebuild()
    started = time.perf_counter()
    check = projector.reconcile()
    return {
        "rebuild_seconds": round(report.seconds, 2),
        "boards": report.boards,
        "members": report.members,
        "reconcile_seconds": round(time.perf_counter() - started, 2),
        "mismatches": len(check.mismatches),
    }
