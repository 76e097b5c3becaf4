"""Badges in the benchmark: publishing classes over everyone, an award's way to a
subscriber with evaluation on and off, and the award path of a completion.

The big province gets what the learning badges count (`learning_facts`): about
1.1M completions, 20,000 mentors with 106,000 mentees, 295,000 households.

(g) Publishing: each class is published as a new class or a new version (nobody
holds it yet) and `backfill_class` awards everyone who qualifies, in chunks of
200,000 ids on two connections. "At least 1 point" (all 1,000,000 qualify: the
worst case for writing), points with levels (50 / 100 / 200), and new versions
of the seeded classes that apply to people (Đại sứ số, Công dân số, Đảng viên
tiên phong, Gia đình số) and of Thôn số (20,000 units). Baselines in the same run:
the grouped SUM over the ledger that the evaluation reads anyway (the floor
without badges), and a naive per-person evaluation (one query per person) timed
on 2,000 people and extrapolated, and the write floor: as many award rows as "at
least 1 point" makes, written without evaluating anything into an empty copy of
the awards table (same indexes, same chunks and connections, durable). The
database server's CPU seconds (and the bench process's) are recorded beside the
wall time: this VM is shared, and its load changes the wall time.

(b) with badges: a daphne worker serves the village board; one subscriber; 50
awards each of a village's own credit (as (b)), a person's credit with badge
evaluation off and with it on (a published points class with three levels
depends on it), each timed from the award's start to the subscriber's frame; then
the same three made by another process (bench/awarder.py), whose interpreter the
measuring client does not share.

(h) The award path of a completion: 50 confirmed completions recorded one by one
(the ledger credit, the projection and, when on, badge evaluation after commit),
with BADGES_EVALUATE off and on.
"""

import asyncio
import glob
import os
import random
import statistics
import time
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bench.data import _copy, _fix_sequence, _next_id


def _p(values, q):
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def server_cpu() -> float | None:
    """CPU seconds the local PostgreSQL server has used (its processes and those
    it reaped), found by the port of DATABASE_URL; None elsewhere than Linux."""
    port = os.environ.get("DATABASE_URL", "").rsplit(":", 1)[-1].split("/")[0]
    stats, postmaster = {}, None
    for path in glob.glob("/proc/[0-9]*"):
        try:
            command = open(f"{path}/cmdline", "rb").read().split(b"\0")
            if not command or b"postgres" not in command[0]:
                continue
            fields = open(f"{path}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(path[6:])
        stats[pid] = fields
        if b"-D" in command and port.encode() in command:
            postmaster = pid
    if postmaster is None:
        return None
    mine = stats[postmaster]
    ticks = sum(int(mine[i]) for i in (11, 12, 13, 14))
    ticks += sum(
        int(f[11]) + int(f[12]) for f in stats.values() if int(f[1]) == postmaster
    )
    return ticks / os.sysconf("SC_CLK_TCK")


def learning_facts(big: dict, *, seed: int = 11) -> dict:
    """What the learning badges count, for every person of the big province, written
    with COPY: completions of four trainings (two covering the two areas of Decision
    757 loaded so far, a thematic session, a community class), 20,000 mentors with
    Pareto-distributed mentees, and households of one to six people per village
    (digital from their first member's completion). Villages differ in how eagerly
    they learn, so some are a Thôn số and some are not."""
    from learning.models import SkillArea, Training

    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    areas = list(
        SkillArea.objects.filter(framework__code="qd-757-2025").order_by("code")
    )
    trainings = []
    for title, kind, covered in (
        ("Bench: thiết bị và phần mềm", "online_course", areas[:1]),
        ("Bench: tìm kiếm thông tin", "online_course", areas[1:2]),
        ("Bench: sinh hoạt chuyên đề", "thematic_session", []),
        ("Bench: lớp học cộng đồng", "community_class", []),
    ):
        training = Training.objects.create(title=title, kind=kind)
        training.areas.set(covered)
        trainings.append(training.pk)
    first, people = big["first_person"], big["people"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person_id, unit_id FROM units_membership "
            "WHERE person_id BETWEEN %s AND %s AND is_primary ORDER BY person_id",
            [first, first + people - 1],
        )
        homes = dict(cursor.fetchall())
    eagerness = {unit: 0.3 + 0.7 * rng.random() for unit in set(homes.values())}
    completions, first_done = [], {}
    completion_id = _next_id("learning_completion")
    for person, unit in homes.items():
        e = eagerness[unit]
        done = []
        if rng.random() < 0.8 * e:
            done.append(trainings[0])
            if rng.random() < 0.7:
                done.append(trainings[1])
        if rng.random() < 0.1 * e:
            done.append(trainings[2])
        if rng.random() < 0.3 * e:
            done.append(trainings[3])
        for training in done:
            day = today - timedelta(days=rng.randint(0, 50))
            completions.append(
                (
                    completion_id,
                    person,
                    training,
                    unit,
                    day,
                    "import",
                    "confirmed",
                    "",
                    "",
                    now,
                    "",
                )
            )
            completion_id += 1
            if person not in first_done or day < first_done[person]:
                first_done[person] = day
    _copy(
        "learning_completion",
        [
            "id",
            "person_id",
            "training_id",
            "unit_id",
            "completed_on",
            "source",
            "status",
            "certificate_number",
            "certificate",
            "recorded_at",
            "review_reason",
        ],
        completions,
    )
    _fix_sequence("learning_completion")

    # Mentors: every 50th person; mentees drawn from the others, paired 55 days ago
    # (before any completion, so each completion of theirs counts).
    ids = list(homes)
    mentors = ids[::50]
    mentor_set = set(mentors)
    pool = [pk for pk in ids if pk not in mentor_set]
    rng.shuffle(pool)
    paired_at = now - timedelta(days=55)
    invites, pairs = [], []
    invite_id = _next_id("learning_mentorinvite")
    pair_id = _next_id("learning_mentorship")
    for mentor in mentors:
        for _ in range(min(40, int(rng.paretovariate(1.6) * 2.5))):
            if not pool:
                break
            mentee = pool.pop()
            invites.append(
                (
                    invite_id,
                    mentor,
                    f"bench-{invite_id:026d}",
                    f"B{invite_id:011d}",
                    paired_at,
                    paired_at + timedelta(days=7),
                    paired_at,
                    mentee,
                )
            )
            pairs.append((pair_id, mentor, mentee, invite_id, paired_at))
            invite_id += 1
            pair_id += 1
    _copy(
        "learning_mentorinvite",
        [
            "id",
            "mentor_id",
            "token",
            "code",
            "created_at",
            "expires_at",
            "used_at",
            "used_by_id",
        ],
        invites,
    )
    _copy(
        "learning_mentorship",
        ["id", "mentor_id", "mentee_id", "invite_id", "confirmed_at"],
        pairs,
    )
    _fix_sequence("learning_mentorinvite")
    _fix_sequence("learning_mentorship")

    by_village: dict[int, list[int]] = {}
    for person, unit in homes.items():
        by_village.setdefault(unit, []).append(person)
    households, members = [], []
    household_id = _next_id("learning_household")
    member_id = _next_id("learning_householdmember")
    for unit, residents in by_village.items():
        at = 0
        while at < len(residents):
            size = rng.randint(1, 6)
            group = residents[at : at + size]
            at += size
            days = [first_done[p] for p in group if p in first_done]
            households.append(
                (household_id, unit, f"Hộ {household_id}", min(days, default=None), now)
            )
            for person in group:
                members.append((member_id, household_id, person))
                member_id += 1
            household_id += 1
    _copy(
        "learning_household",
        ["id", "unit_id", "name", "digital_since", "created_at"],
        households,
    )
    _copy("learning_householdmember", ["id", "household_id", "person_id"], members)
    _fix_sequence("learning_household")
    _fix_sequence("learning_householdmember")
    with connection.cursor() as cursor:
        # Each unit's household count (the denominator of the digital share).
        cursor.execute(
            "UPDATE units_unit u SET households = c.n FROM ("
            " SELECT anc.id, COUNT(*) AS n FROM learning_household h"
            " JOIN units_unit v ON v.id = h.unit_id"
            " JOIN units_unit anc ON v.path LIKE anc.path || '%%'"
            " WHERE h.id >= %s GROUP BY anc.id) c WHERE u.id = c.id",
            [households[0][0]],
        )
        cursor.execute("ANALYZE")
    return {
        "completions": len(completions),
        "mentors": len(mentors),
        "mentees": len(pairs),
        "households": len(households),
        "digital_households": sum(1 for h in households if h[3] is not None),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _publish_one(badge_class) -> dict:
    from badges import services
    from badges.models import Assertion
    from units.audit import COMMAND

    services.publish_class(badge_class, by=None, at=timezone.now(), origin=COMMAND)
    load = os.getloadavg()[0]
    cpu = server_cpu()
    ours = sum(os.times()[:2])
    started = time.perf_counter()
    made = services.backfill_class(badge_class, at=timezone.now())
    seconds = time.perf_counter() - started
    cpu = server_cpu() - cpu if cpu is not None else None
    ours = sum(os.times()[:2]) - ours
    return {
        "class": badge_class.slug,
        "version": badge_class.version,
        "awards_made": made,
        "awards_in_table": Assertion.objects.filter(badge_class=badge_class).count(),
        "seconds": round(seconds, 1),
        "server_cpu_seconds": round(cpu, 1) if cpu is not None else None,
        "bench_cpu_seconds": round(ours, 1),
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def write_floor(big: dict, *, chunk: int = 200_000) -> dict:
    """What PostgreSQL alone takes to write as many awards as "at least 1 point"
    makes, without evaluating anything: rows of the same shape (a version-7 uid,
    the salt, the evidence) inserted from generate_series into an empty copy of
    the awards table with the same indexes, in the publication's chunks on as many
    connections, durable. The floor under any evaluation that writes one row per
    award."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from badges import evaluation, services

    first, people = big["first_person"], big["people"]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_award_floor")
        cursor.execute(
            "CREATE TABLE bench_award_floor (LIKE badges_assertion INCLUDING ALL)"
        )
    at = timezone.now()

    def write(low: int, high: int) -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO bench_award_floor (uid, badge_class_id, badge_slug, "
                    "level, person_id, unit_id, period, salt, issued_at, expires_at, "
                    "evidence, awarded_by_id, reason, revoked_at, revoked_by_id, "
                    f"revocation_reason) SELECT {evaluation._PG_UID}, 1, "
                    "'bench-floor', '', x.rid, NULL, '', "
                    f"{evaluation._PG_SALT}, %s, NULL, jsonb_build_object('l0', 1), "
                    "NULL, '', NULL, NULL, '' FROM (SELECT s AS rid, "
                    f"{evaluation._PG_RANDOM} AS g FROM generate_series(%s, %s) s) x",
                    [at, low, high],
                )
        finally:
            connections["default"].close()  # this thread's own connection

    ranges = [
        (low, min(low + chunk - 1, first + people - 1))
        for low in range(first, first + people, chunk)
    ]
    workers = services._publish_connections()
    load = os.getloadavg()[0]
    cpu = server_cpu()
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda bounds: write(*bounds), ranges))
    seconds = time.perf_counter() - started
    cpu = server_cpu() - cpu if cpu is not None else None
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_award_floor")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_award_floor")
    return {
        "rows": rows,
        "connections": workers,
        "seconds": round(seconds, 1),
        "server_cpu_seconds": round(cpu, 1) if cpu is not None else None,
        "load_before": round(load, 2),
    }


def publish(big: dict) -> dict:
    from badges import evaluation, services
    from badges.models import BadgeClass
    from units.audit import COMMAND

    one_point = BadgeClass.objects.create(
        slug="bench-mot-diem",
        name="Bench: một điểm",
        recipient="person",
        criteria={"fact": "points", "min": 1},
        status="draft",
    )
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
        evaluation.values_for(one_point, recipient_id=person_id)
    naive = (time.perf_counter() - started) / len(sample) * big["people"]
    classes = [one_point]
    classes.append(
        BadgeClass.objects.create(
            slug="bench-diem-cap-do",
            name="Bench: điểm theo cấp",
            recipient="person",
            levels=["bronze", "silver", "gold"],
            criteria={"fact": "points", "min": [50, 100, 200]},
            status="draft",
        )
    )
    for slug in (
        "dai-su-so",
        "cong-dan-so",
        "dang-vien-tien-phong",
        "gia-dinh-so",
        "thon-so",
    ):
        current = BadgeClass.objects.get(slug=slug, status="published")
        classes.append(
            services.new_version(current, by=None, at=timezone.now(), origin=COMMAND)
        )
    results = []
    for badge_class in classes:
        print(f"  {badge_class.slug} ...", flush=True)
        results.append(_publish_one(badge_class))
        print(
            f"    {results[-1]['awards_made']:,} awards in {results[-1]['seconds']} s",
            flush=True,
        )
    worst = results[0]
    print("  the write floor: as many award rows without evaluation ...", flush=True)
    floor_write = write_floor(big)
    print(f"    {floor_write}", flush=True)
    return {
        "write_floor": floor_write,
        "people": big["people"],
        "classes": results,
        "slowest_seconds": max(r["seconds"] for r in results),
        "grouped_sum_seconds": round(floor, 1),
        "grouped_rows": grouped,
        "naive_per_person_seconds_extrapolated": round(naive, 1),
        "ratio_naive_over_ours": round(naive / worst["seconds"], 1),
    }


def subscriber_latency(big: dict, count: int = 50) -> dict:
    """Award → the subscriber's frame: a village's credit, a person's credit with
    badge evaluation off, and on (a points class with levels depends on it)."""
    from badges import services
    from badges.models import BadgeClass
    from bench import fanout
    from units.audit import COMMAND
    from units.models import Membership, Unit

    badge_class = BadgeClass.objects.create(
        slug="bench-b-diem",
        name="Bench (b): điểm",
        recipient="person",
        levels=["bronze", "silver", "gold"],
        criteria={"fact": "points", "min": [20, 50, 100]},
        status="draft",
    )
    services.publish_class(badge_class, by=None, at=timezone.now(), origin=COMMAND)
    competition, province_id = big["competition"], big["province_id"]
    board = f"{competition.pk}-{province_id}-village-all-points"
    village = Unit.objects.filter(
        kind="village", path__startswith=Unit.objects.get(pk=province_id).path
    ).first()
    people = list(
        Membership.objects.filter(unit=village, is_primary=True).values_list(
            "person_id", flat=True
        )
    )
    fanout.AWARD_SAMPLES = count

    async def measure() -> dict:
        worker, port = await sync_to_async(fanout.start_worker)({})
        uri = f"ws://127.0.0.1:{port}/ws/leaderboards/{board}/"
        results = {}
        try:
            for label, on, person in (
                ("village", False, False),
                ("person_off", False, True),
                ("person_on", True, True),
            ):
                settings.BADGES_EVALUATE = on

                def award(person=person):
                    return fanout.award_once(
                        competition,
                        village,
                        random.choice(people) if person else None,
                    )

                results[label] = await fanout.award_to_one_subscriber(
                    uri, sync_to_async(award, thread_sensitive=False)
                )
            # The same awards made by another process: the measuring client no
            # longer shares the awarding interpreter (bench/awarder.py).
            async with fanout.Awarder(competition.pk, village.pk) as awarder:
                for label, on, person in (
                    ("village", False, False),
                    ("person_off", False, True),
                    ("person_on", True, True),
                ):
                    results[f"{label}_apart"] = await fanout.award_to_one_subscriber(
                        uri, awarder.award(person=person, badges=on)
                    )
        finally:
            settings.BADGES_EVALUATE = True
            worker.terminate()
            worker.wait(timeout=10)
        return results

    fanout.raise_file_limit()
    return asyncio.run(measure())


def award_path(big: dict, count: int = 50) -> dict:
    from learning import services as learning
    from learning.models import Completion, Training
    from units.audit import COMMAND
    from units.models import Membership

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


def run(big: dict, *, parts=("subscriber", "path", "publish"), samples=50) -> dict:
    print("Badges: what the learning badges count, for everyone ...", flush=True)
    result = {"facts": learning_facts(big)}
    print(f"  {result['facts']}", flush=True)
    if "subscriber" in parts:
        print("Badges: award → subscriber, evaluation off and on ...", flush=True)
        result["award_to_subscriber"] = subscriber_latency(big, count=samples)
    if "path" in parts:
        print(
            "Badges: a completion's award path, evaluation off and on ...", flush=True
        )
        result["award_path"] = award_path(big)
    if "publish" in parts:
        print("Badges: publishing classes over everyone ...", flush=True)
        result["publish"] = publish(big)
    return result


def _publish_lines(g: dict) -> list[str]:
    lines = []
    for row in g["classes"]:
        label = f"(g) publish {row['class']} v{row['version']}: s / awards"
        lines.append(f"{label[:58]:58} {row['seconds']:>12} {row['awards_made']:>12}")
    lines += [
        f"{'(g) 1 point over ' + format(g['people'], ',') + ' people vs naive (s)':58} {g['classes'][0]['seconds']:>12} {g['naive_per_person_seconds_extrapolated']:>12} {g['ratio_naive_over_ours']:>8}x",
        f"{'(g) the grouped SUM alone, without badges (s)':58} {g['grouped_sum_seconds']:>12}",
    ]
    if "write_floor" in g:
        w = g["write_floor"]
        lines.append(
            f"{'(g) 1 point vs writing ' + format(w['rows'], ',') + ' award rows alone (s)':58} {g['classes'][0]['seconds']:>12} {w['seconds']:>12} {round(g['classes'][0]['seconds'] / w['seconds'], 2):>9}"
        )
        lines.append(
            f"{'(g) PostgreSQL CPU s: 1 point vs the rows alone':58} {g['classes'][0]['server_cpu_seconds']:>12} {w['server_cpu_seconds']:>12}"
        )
    return lines


def table_lines(result: dict) -> list[str]:
    g, h = result.get("publish"), result.get("award_path")
    b = result.get("award_to_subscriber", {})
    lines = []
    if g:
        lines += _publish_lines(g)
    for key, label in (
        ("village", "(b) village award → subscriber p50/p95 ms"),
        ("person_off", "(b) person award → subscriber p50/p95, badges off"),
        ("person_on", "(b) person award → subscriber p50/p95, badges on"),
        ("village_apart", "(b) the same, awarded by another process: village"),
        ("person_off_apart", "(b) the same, another process: person, badges off"),
        ("person_on_apart", "(b) the same, another process: person, badges on"),
    ):
        if key in b:
            lines.append(f"{label:58} {b[key]['p50_ms']:>12} {b[key]['p95_ms']:>12}")
    if h:
        lines += [
            f"{'(h) award (completion) p50/p95 ms, badges on':58} {h['on']['p50_ms']:>12} {h['on']['p95_ms']:>12}",
            f"{'(h) award (completion) p50/p95 ms, badges off':58} {h['off']['p50_ms']:>12} {h['off']['p95_ms']:>12}",
        ]
    return lines
