"""Commendations in the benchmark (`python -m bench --only commendations`).

(i) A province's final review proposes: the top 3 of every board of the
competition (people of each village and each commune, villages of each commune,
communes and people of the province) plus every holder of a badge (10,000
people), read from the ranking store and the badges' assertions and written in
one insert. Baseline in the same run: the naive way, the ledger summed per person
for each board (an ORM `Sum` grouped by person, top 3, one query per board),
timed on a sample of boards and extrapolated to all of them.

(j) 1,000 dossiers generated in the background thread with progress (facts from
the ledger and badges, one .docx each, its file and row). Baseline: the naive
per-dossier way, every ledger row of the nominee loaded as a model and summed in
Python, then the same .docx, its file and its row written in a transaction of its
own, timed on 50 and extrapolated to 1,000.
"""

import os
import tempfile
import time
import uuid

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone


def _cpu() -> dict:
    """CPU seconds used so far by this process, by the PostgreSQL server (the
    postmaster and every backend and helper under it) and by Redis: on a shared
    VM the work done is steadier than the wall clock."""
    found = {"python": time.process_time()}
    with connection.cursor() as cursor:
        cursor.execute("SHOW data_directory")
        (data,) = cursor.fetchone()
    try:
        postmaster = int(open(f"{data}/postmaster.pid").readline())
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(pid) == postmaster:
                # Its own time and that of the backends that have exited.
                total += sum(int(value) for value in fields[11:15])
            elif int(fields[1]) == postmaster:
                total += int(fields[11]) + int(fields[12])
        found["postgres"] = total / tick
    except (OSError, ValueError):
        found["postgres"] = None
    try:
        import redis

        info = redis.Redis.from_url(settings.REDIS_URL).info("cpu")
        found["redis"] = info["used_cpu_user"] + info["used_cpu_sys"]
    except Exception:
        found["redis"] = None
    return found


def _cpu_used(before: dict) -> dict:
    after = _cpu()
    return {
        key: None
        if before[key] is None or after[key] is None
        else round(after[key] - before[key], 1)
        for key in before
    }


def _admin():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return User.objects.filter(username="bench-admin").first() or User.objects.create(
        username="bench-admin", is_superuser=True, is_staff=True
    )


def _holders(big: dict, count: int) -> int:
    """A badge held by `count` people, written directly (evaluation is (g)'s)."""
    from badges.models import Assertion, BadgeClass

    badge = BadgeClass.objects.create(
        slug="bench-dai-su",
        name="Bench: đại sứ",
        recipient="person",
        criteria={},
        status="published",
    )
    step = max(1, big["people"] // count)
    now = timezone.now()
    Assertion.objects.bulk_create(
        [
            Assertion(
                uid=uuid.uuid4(),
                badge_class=badge,
                badge_slug=badge.slug,
                person_id=big["first_person"] + i * step,
                salt="x",
                issued_at=now,
            )
            for i in range(count)
        ],
        batch_size=5000,
    )
    return badge


def _review(big: dict, badge, *, with_villages: bool):
    from commendations.models import AwardType, ProposalRule, Review
    from competitions.models import Competition
    from units.models import Unit

    award = AwardType.objects.get(code="bang-khen-tinh")
    competition = Competition.objects.get(pk=big["competition"].pk)
    province = Unit.objects.get(pk=big["province_id"])
    review = Review.objects.create(
        competition=competition,
        unit=province,
        kind=Review.Kind.FINAL,
        name=f"Bench {uuid.uuid4().hex[:6]}",
        held_on=timezone.localdate(),
    )
    rules = [
        ("people", "", 10),
        ("people", "commune", 3),
        ("village", "commune", 3),
        ("commune", "", 3),
    ]
    if with_villages:
        rules.append(("people", "village", 3))
    for entity, per, top in rules:
        ProposalRule.objects.create(
            review=review,
            kind=ProposalRule.Kind.BOARD_TOP,
            award_type=award,
            entity=entity,
            per_scope_kind=per,
            top=top,
        )
    if badge is not None:
        ProposalRule.objects.create(
            review=review,
            kind=ProposalRule.Kind.BADGE_HOLDERS,
            award_type=award,
            badge_slug=badge.slug,
        )
    return review


def propose(big: dict) -> dict:
    from commendations import nominations
    from competitions.models import PointEntry
    from units.audit import COMMAND
    from units.models import Unit

    badge = _holders(big, 10_000)
    review = _review(big, badge, with_villages=True)
    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), _cpu()
    result = nominations.close_review(
        review=review, by=_admin(), at=timezone.now(), origin=COMMAND
    )
    ours = time.perf_counter() - started
    cpu = _cpu_used(cpu)
    started = time.perf_counter()
    again = nominations.close_review(
        review=review, by=_admin(), at=timezone.now(), origin=COMMAND
    )
    second = time.perf_counter() - started
    province = Unit.objects.get(pk=big["province_id"])
    communes = Unit.objects.filter(
        path__startswith=province.path, kind="commune"
    ).count()
    villages = Unit.objects.filter(
        path__startswith=province.path, kind="village"
    ).count()
    boards = 1 + communes + communes + 1 + villages
    sample = list(
        Unit.objects.filter(path__startswith=province.path, kind="village")
        .order_by("path")
        .values_list("path", flat=True)[:40]
    ) + list(
        Unit.objects.filter(path__startswith=province.path, kind="commune")
        .order_by("path")
        .values_list("path", flat=True)[:10]
    )
    started = time.perf_counter()
    for path in sample:
        list(
            PointEntry.objects.filter(
                competition_id=big["competition"].pk,
                unit__path__startswith=path,
                person__isnull=False,
            )
            .values("person_id")
            .annotate(total=Sum("points"))
            .order_by("-total", "person_id")[:3]
        )
    naive = (time.perf_counter() - started) / len(sample) * boards
    return {
        "boards": boards,
        "badge_holders": 10_000,
        "proposed": result.new,
        "seconds": round(ours, 2),
        # CPU seconds of this process, PostgreSQL and Redis, and the machine's
        # load when it started: the VM is shared.
        "cpu_seconds": cpu,
        "load_1min": round(load, 1),
        "second_close_seconds": round(second, 2),
        "second_close_new": again.new,
        "naive_seconds_extrapolated": round(naive, 1),
        "ratio_naive_over_ours": round(naive / ours, 1),
    }


def _naive_dossier(nomination) -> bytes:
    from django.core.files.base import ContentFile
    from django.db import transaction

    from commendations import documents
    from commendations.models import Dossier
    from competitions.models import PointEntry

    by_activity: dict[str, list] = {}
    for entry in PointEntry.objects.filter(
        person_id=nomination.person_id
    ).select_related("activity_type"):
        row = by_activity.setdefault(entry.activity_type.name, [0, 0])
        row[0] += entry.points
        row[1] += 1
    facts = {
        "points": sum(r[0] for r in by_activity.values()),
        "by_activity": [
            {"activity": name, "points": p, "entries": n}
            for name, (p, n) in by_activity.items()
        ],
    }
    data = documents.achievement_report(nomination, facts)
    # Kept like ours: the file and the row, here one transaction (a commit) each.
    with transaction.atomic():
        dossier, _created = Dossier.objects.update_or_create(
            nomination=nomination,
            defaults={"facts": facts, "generated_at": timezone.now()},
        )
        dossier.document.save("report.docx", ContentFile(data), save=True)
    return data


def dossiers(big: dict) -> dict:
    from commendations import dossiers as generation
    from commendations import nominations
    from commendations.models import DossierJob, Nomination
    from units.audit import COMMAND

    review = _review(big, None, with_villages=False)
    # 1,000 people: the top 5 of each commune's people board (200 communes).
    review.rules.all().delete()
    from commendations.models import AwardType, ProposalRule

    ProposalRule.objects.create(
        review=review,
        kind=ProposalRule.Kind.BOARD_TOP,
        award_type=AwardType.objects.get(code="bang-khen-tinh"),
        entity="people",
        per_scope_kind="commune",
        top=5,
    )
    nominations.close_review(
        review=review, by=_admin(), at=timezone.now(), origin=COMMAND
    )
    listed = list(
        Nomination.objects.filter(review=review)
        .select_related(
            "review__competition",
            "person",
            "nominee_unit",
            "award_type",
            "nominating_unit",
        )
        .order_by("pk")
    )
    count = len(listed)
    started = time.perf_counter()
    for nomination in listed[:50]:
        _naive_dossier(nomination)
    naive = (time.perf_counter() - started) / 50 * count
    connection.close()  # the job's thread opens its own
    load = os.getloadavg()[0]
    started, cpu = time.perf_counter(), _cpu()
    job = generation.start_job(review=review, at=timezone.now())
    polls = 0
    while True:
        job.refresh_from_db()
        if job.status != DossierJob.Status.RUNNING:
            break
        polls += 1
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    cpu = _cpu_used(cpu)
    return {
        "dossiers": job.done,
        "status": job.status,
        "seconds": round(seconds, 1),
        "cpu_seconds": cpu,
        "load_1min": round(load, 1),
        "progress_polls": polls,
        "naive_seconds_extrapolated": round(naive, 1),
        "ratio_naive_over_ours": round(naive / seconds, 2),
    }


def run(big: dict) -> dict:
    from leaderboards import projector

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-media-")
    print("Commendations: boards into the store ...", flush=True)
    projector.rebuild()
    print("Commendations: proposing for the province's final review ...", flush=True)
    proposal = propose(big)
    print("Commendations: 1,000 dossiers in the background ...", flush=True)
    return {"propose": proposal, "dossiers": dossiers(big)}


def table_lines(result: dict) -> list[str]:
    i, j = result["propose"], result["dossiers"]
    return [
        f"{'(i) propose: top 3 of ' + format(i['boards'], ',') + ' boards + 10,000 holders (s)':58} {i['seconds']:>12} {i['naive_seconds_extrapolated']:>12} {i['ratio_naive_over_ours']:>8}x",
        f"{'(i) proposed; the same review closed again (s, new)':58} {i['proposed']:>12} {i['second_close_seconds']:>12} {i['second_close_new']:>8}",
        f"{'(j) ' + format(j['dossiers'], ',') + ' dossiers in the background (s)':58} {j['seconds']:>12} {j['naive_seconds_extrapolated']:>12} {j['ratio_naive_over_ours']:>8}x",
    ]
