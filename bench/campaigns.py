"""Campaigns in the benchmark (`python -m bench --only campaigns`).

On the bench province (1,000,000 people with their ledger), a Youth Union runs a
campaign with 50 branches, each serving a village and with 30 members, over a
platform that recorded 200,000 completions, 100,000 digital households and
50,000 VNeID help records in the period, and 1,000 verified check-ins.

(k) The public page's data read through the service layer
(`campaigns.selectors.public_data`), as a crowd makes it: reads spread over
several seconds, so that each worker's one-second cache expires and is read
again; and the cold read alone (`compute`, what each worker pays once a second).

(l) A live update reaching N clients of one worker: a check-in credited to a
branch moves the campaign board and the campaign page; the same award, the same
worker and the same N clients, once on the board's socket and once on the
campaign's. The board's figure is the baseline. The campaign's socket gets the
credit's points first (its "points" frame, compared with the board's) and the full
data after the worker's read of the campaign (its "update" frame, timed too).
"""

import asyncio
import random
import time
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone

from bench.fanout import (
    Clients,
    fanout_round,
    percentile,
    raise_file_limit,
    start_worker,
    summarise,
)

BRANCHES = 50
MEMBERS = 30
COMPLETIONS = 200_000
HOUSEHOLDS = 100_000
VNEID = 50_000
CHECK_INS = 1_000


def _organiser():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return User.objects.filter(username="bench-organiser").first() or (
        User.objects.create(username="bench-organiser", is_superuser=True)
    )


def build(big: dict) -> dict:
    """The campaign and what its metrics read; returns ids for the timings."""
    from campaigns import services
    from campaigns.models import Goal, Metric
    from competitions import ledger
    from competitions.models import ActivityType, Submission
    from leaderboards import projector
    from learning.models import Completion, Household, Training, VneidHelp
    from units.audit import COMMAND
    from units.models import Membership, Unit
    from units.services import create_unit

    started = time.perf_counter()
    rng = random.Random(14)
    now = timezone.now()
    today = timezone.localdate()
    organiser = _organiser()
    province = Unit.objects.get(pk=big["province_id"])
    villages = list(
        Unit.objects.filter(kind="village", path__startswith=province.path)
        .order_by("pk")
        .values_list("pk", flat=True)[:20_000]
    )
    union = create_unit(
        parent=province, kind=Unit.Kind.YOUTH_UNION, name="Tỉnh đoàn (bench)"
    )
    branches = [
        create_unit(parent=union, kind=Unit.Kind.YOUTH_BRANCH, name=f"Chi đoàn {n}")
        for n in range(BRANCHES)
    ]
    first = big["first_person"]
    Membership.objects.bulk_create(
        [
            Membership(person_id=first + b * MEMBERS + m, unit=branch, is_primary=False)
            for b, branch in enumerate(branches)
            for m in range(MEMBERS)
        ],
        batch_size=5000,
    )
    created = services.create_campaign(
        organiser=union,
        template="thanh-nien-chung-tay",
        by=organiser,
        at=now,
        origin=COMMAND,
        starts_on=today - timedelta(days=30),
    )
    campaign = created.campaign
    Goal.objects.create(
        campaign=campaign, metric=Metric.TRAININGS_COMPLETED, target=200, order=9
    )
    areas = rng.sample(villages, BRANCHES)
    for branch, area in zip(branches, areas, strict=True):
        services.enrol(
            campaign=campaign,
            unit=branch,
            area=Unit.objects.get(pk=area),
            by=organiser,
            at=now,
            origin=COMMAND,
        )
    training = Training.objects.create(title="Bench: kỹ năng số", kind="online_course")
    # Half the rows in the branches' own villages, half anywhere in the province.
    hot = areas * 4

    def village():
        return rng.choice(hot) if rng.random() < 0.5 else rng.choice(villages)

    def day():
        return today - timedelta(days=rng.randrange(0, 45))

    Completion.objects.bulk_create(
        [
            Completion(
                person_id=first + BRANCHES * MEMBERS + i,
                training=training,
                unit_id=village(),
                completed_on=day(),
                source="import",
                status="confirmed",
                recorded_at=now,
            )
            for i in range(min(COMPLETIONS, big["people"] - BRANCHES * MEMBERS))
        ],
        batch_size=10_000,
    )
    Household.objects.bulk_create(
        [
            Household(
                unit_id=village(), name=f"Hộ {i}", digital_since=day(), created_at=now
            )
            for i in range(HOUSEHOLDS)
        ],
        batch_size=10_000,
    )
    VneidHelp.objects.bulk_create(
        [
            VneidHelp(
                unit_id=village(),
                helper_id=first + rng.randrange(0, BRANCHES * MEMBERS * 4),
                helped_on=day(),
                citizens=rng.randrange(1, 6),
                recorded_by=organiser,
                recorded_at=now,
            )
            for _ in range(VNEID)
        ],
        batch_size=10_000,
    )
    activity = ActivityType.objects.get(code="campaign-class")
    submissions = Submission.objects.bulk_create(
        [
            Submission(
                competition=campaign.competition,
                unit=branch,
                person_id=first + b * MEMBERS,
                activity_type=activity,
                occurred_on=today - timedelta(days=rng.randrange(0, 30)),
                quantity=rng.randrange(5, 40),
                status="approved",
                submitted_by=organiser,
                submitted_at=now,
                decided_by=organiser,
                decided_at=now - timedelta(seconds=i),
            )
            for i in range(CHECK_INS)
            for b, branch in [rng.choice(list(enumerate(branches)))]
        ],
        batch_size=5000,
    )
    with transaction.atomic():
        ledger.credit_many(
            credits=[
                ledger.Credit(
                    competition=campaign.competition,
                    unit=s.unit,
                    person=None,
                    activity_type=activity,
                    rule=None,
                    points=20 + s.quantity,
                    quantity=s.quantity,
                    source="submission",
                    explanation="",
                    idempotency_key=f"bench-campaign:{s.pk}",
                    occurred_at=now,
                )
                for s in submissions
            ],
            by=None,
            at=now,
        )
    projector.catch_up()
    return {
        "campaign": campaign.pk,
        "branches": [b.pk for b in branches],
        "seconds": round(time.perf_counter() - started, 1),
    }


def reads(campaign_id: int, *, seconds: float = 8.0, per_second: int = 500) -> dict:
    """(k) The crowd's reads through the service layer, and the cold read alone."""
    from campaigns import selectors

    campaign = selectors.campaign_for_public(campaign_id)
    selectors.forget()
    selectors.public_data(campaign)  # the process's first read (imports, plans)
    crowd = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        second = time.perf_counter()
        for _ in range(per_second):
            started = time.perf_counter()
            selectors.public_data(campaign)
            crowd.append((time.perf_counter() - started) * 1000)
        time.sleep(max(0.0, 1.0 - (time.perf_counter() - second)))
    cold = []
    for _ in range(30):
        started = time.perf_counter()
        selectors.compute(campaign)
        cold.append((time.perf_counter() - started) * 1000)
    return {
        "crowd_reads": len(crowd),
        "crowd_p50_ms": round(percentile(crowd, 0.5), 3),
        "crowd_p95_ms": round(percentile(crowd, 0.95), 3),
        "crowd_p99_ms": round(percentile(crowd, 0.99), 3),
        "cold_p50_ms": round(percentile(cold, 0.5), 1),
        "cold_p95_ms": round(percentile(cold, 0.95), 1),
    }


def _credit_branch(campaign_id: int, branch_id: int) -> None:
    """One check-in's credit to a branch, committed and projected (publishes)."""
    from campaigns.models import Campaign
    from competitions import ledger
    from competitions.models import ActivityType
    from leaderboards import projector
    from units.models import Unit

    campaign = Campaign.objects.select_related("competition").get(pk=campaign_id)
    now = timezone.now()
    with transaction.atomic():
        entries = ledger.credit(
            credits=[
                ledger.Credit(
                    competition=campaign.competition,
                    unit=Unit.objects.get(pk=branch_id),
                    person=None,
                    activity_type=ActivityType.objects.get(code="campaign-class"),
                    rule=None,
                    points=25,
                    quantity=5,
                    source="bench",
                    explanation="",
                    idempotency_key=f"bench-live:{time.time_ns()}:{random.random()}",
                    occurred_at=now,
                )
            ],
            by=None,
            at=now,
        )
    projector.project([e.pk for e in entries], wait=True)


async def fanout(built: dict, *, sizes: list[int], rounds: int) -> dict:
    """(l) The same award to N clients of the board, then of the campaign page."""
    from campaigns import selectors
    from campaigns.models import Campaign

    campaign = await sync_to_async(lambda: Campaign.objects.get(pk=built["campaign"]))()
    board = selectors.board_of(campaign).name
    credit = sync_to_async(_credit_branch, thread_sensitive=False)
    results = {}
    worker, port = await sync_to_async(start_worker)({})
    try:
        for size in sizes:
            row = {}
            for name, path in (
                ("board", f"/ws/leaderboards/{board}/"),
                ("campaign", f"/ws/campaigns/{campaign.pk}/"),
            ):
                clients = Clients(f"ws://127.0.0.1:{port}{path}", size)
                if name == "campaign":
                    # The credit's points come first, the full data after its read.
                    clients.expect_type, clients.later_type = "points", "update"
                connect_seconds = await clients.open()
                await asyncio.sleep(1.0)
                measured = []
                for _ in range(rounds):
                    branch = random.choice(built["branches"])
                    measured.append(
                        await fanout_round(
                            clients, lambda b=branch: credit(campaign.pk, b)
                        )
                    )
                    await asyncio.sleep(0.8)
                await clients.close()
                row[name] = {
                    **summarise(measured, size),
                    **(
                        {"full": summarise([r["later"] for r in measured], size)}
                        if clients.later_type
                        else {}
                    ),
                    # Frames counted per round (a round is complete at exactly N).
                    "received": [r.get("received", 0) for r in measured],
                    "connect_failed": clients.failed,
                    "connect_seconds": round(connect_seconds, 2),
                }
                await asyncio.sleep(1.0)
            board_ms = row["board"]["all_ms_median"]
            row["ratio_campaign_vs_board"] = (
                round(row["campaign"]["all_ms_median"] / board_ms, 2)
                if board_ms
                else None
            )
            results[f"fanout_{size}"] = row
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    return results


def frame_sizes(campaign_id: int) -> dict:
    import json

    from campaigns import selectors
    from leaderboards.selectors import board_snapshot

    campaign = selectors.campaign_for_public(campaign_id)
    data = selectors.compute(campaign)
    snapshot = board_snapshot(selectors.board_of(campaign))
    return {
        "campaign_frame_bytes": len(json.dumps(data, ensure_ascii=False).encode()),
        "board_frame_bytes": len(json.dumps(snapshot, ensure_ascii=False).encode()),
    }


def run(big: dict, *, sizes: list[int], rounds: int) -> dict:
    raise_file_limit()
    built = build(big)
    result = {"setup_seconds": built["seconds"], **frame_sizes(built["campaign"])}
    result["reads"] = reads(built["campaign"])
    result["live"] = asyncio.run(fanout(built, sizes=sizes, rounds=rounds))
    return result


def table_lines(result: dict) -> list[str]:
    r = result["reads"]
    lines = [
        "",
        "Campaigns (--only campaigns): 50 branches, 200,000 completions, 100,000 "
        "households, 50,000 VNeID records, 1,000 check-ins",
        f"{'(k) public data read, crowd (1 s cache) p50 / p95 / p99 ms':62} "
        f"{r['crowd_p50_ms']:>8} {r['crowd_p95_ms']:>8} {r['crowd_p99_ms']:>8}",
        f"{'    cold read (compute) p50 / p95 ms':62} {r['cold_p50_ms']:>8} "
        f"{r['cold_p95_ms']:>8}",
        f"{'    frame bytes: campaign / board':62} "
        f"{result['campaign_frame_bytes']:>8} {result['board_frame_bytes']:>8}",
    ]
    for key, row in result["live"].items():
        size = key.split("_")[1]
        lines.append(
            f"{f'(l) live update to {size} clients, all ms median: campaign / board':62} "
            f"{row['campaign']['all_ms_median']:>8} {row['board']['all_ms_median']:>8}"
            f" x{row['ratio_campaign_vs_board']}"
        )
        full = row["campaign"]["full"]
        lines.append(
            f"{'    then the full frame (progress, feed), all ms median / worst':62} "
            f"{full['all_ms_median']:>8} {full['all_ms_worst']:>8}"
        )
    return lines
