"""A nominee's dossier, gathered from the records that earned the nomination: the
ledger (points by activity and by month), the approved achievements, the badges
held and photos of the evidence. Generated, never typed.

Many dossiers (a province's final review proposes thousands) are generated in a
background thread with progress on the review's page (the completion import's
pattern): each dossier is a handful of grouped queries and one .docx.
"""

import logging
import threading
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from badges.models import Assertion
from competitions.models import Evidence, PointEntry, Submission

from .models import Dossier, DossierJob, Nomination, Review

log = logging.getLogger(__name__)

# Fewer than this many dossiers are generated inside the request.
INLINE_DOSSIERS = 50
EVIDENCE_PHOTOS = 4
STALE_SECONDS = 600


def facts_for(nomination: Nomination) -> dict:
    """What the records say about the nominee, as plain data (JSON)."""
    entries = PointEntry.objects.all()
    achievements = Submission.objects.filter(status=Submission.Status.APPROVED)
    if nomination.review_id:
        competition_id = nomination.review.competition_id
        entries = entries.filter(competition_id=competition_id)
        achievements = achievements.filter(competition_id=competition_id)
    if nomination.person_id:
        entries = entries.filter(person_id=nomination.person_id)
        achievements = achievements.filter(person_id=nomination.person_id)
        badges = Assertion.objects.valid().filter(person_id=nomination.person_id)
    else:
        path = nomination.unit.path
        entries = entries.filter(unit__path__startswith=path)
        achievements = achievements.filter(unit__path__startswith=path)
        badges = Assertion.objects.valid().filter(unit_id=nomination.unit_id)
    by_activity = [
        {"activity": name, "points": points or 0, "entries": n}
        for name, points, n in entries.values_list("activity_type__name")
        .annotate(points=Sum("points"), n=Count("id"))
        .order_by("-points", "activity_type__name")
    ]
    by_month = [
        {"month": month.strftime("%m/%Y"), "points": points or 0}
        for month, points in entries.annotate(month=TruncMonth("occurred_at"))
        .values_list("month")
        .annotate(points=Sum("points"))
        .order_by("month")
        if month is not None
    ]
    # Most nominees of a big review have points but no achievement of their own
    # on record (a class's points go to the organiser): two queries fewer each.
    count = achievements.count()
    recent = (
        [
            {
                "id": pk,
                "activity": activity,
                "on": on.strftime("%d/%m/%Y"),
                "quantity": quantity,
                "description": description[:200],
            }
            for pk, activity, on, quantity, description in achievements.order_by(
                "-occurred_on", "-pk"
            ).values_list(
                "pk", "activity_type__name", "occurred_on", "quantity", "description"
            )[:10]
        ]
        if count
        else []
    )
    photos = (
        list(
            Evidence.objects.filter(
                submission__in=achievements.order_by().values("pk"),
                kind=Evidence.Kind.PHOTO,
            )
            .order_by("-uploaded_at", "-pk")
            .values_list("pk", flat=True)[:EVIDENCE_PHOTOS]
        )
        if count
        else []
    )
    return {
        "points": sum(row["points"] for row in by_activity),
        "by_activity": by_activity,
        "by_month": by_month,
        "achievements": count,
        "recent": recent,
        "badges": [
            {
                "name": name,
                "level": level,
                "on": issued.strftime("%d/%m/%Y"),
                "uid": str(uid),
            }
            for name, level, issued, uid in badges.order_by("-issued_at").values_list(
                "badge_class__name", "level", "issued_at", "uid"
            )[:20]
        ],
        "evidence": photos,
    }


def facts_for_many(nominations: list[Nomination]) -> dict[int, dict]:
    """facts_for of each nomination, {nomination id: facts}: the people of a
    competition in a few grouped queries (by activity, by month, achievements
    counted, badges) rather than a handful each; a unit, or a person with
    achievements on record, read on their own as before."""
    found: dict[int, dict] = {}
    groups: dict[int | None, list[Nomination]] = {}
    for nomination in nominations:
        if nomination.person_id:
            competition = (
                nomination.review.competition_id if nomination.review_id else None
            )
            groups.setdefault(competition, []).append(nomination)
        else:
            found[nomination.pk] = facts_for(nomination)
    for competition_id, group in groups.items():
        people = [n.person_id for n in group]
        entries = PointEntry.objects.filter(person_id__in=people)
        achievements = Submission.objects.filter(
            status=Submission.Status.APPROVED, person_id__in=people
        )
        if competition_id is not None:
            entries = entries.filter(competition_id=competition_id)
            achievements = achievements.filter(competition_id=competition_id)
        by_activity: dict[int, list] = {}
        for person, name, points, n in (
            entries.values_list("person_id", "activity_type__name")
            .annotate(points=Sum("points"), n=Count("id"))
            .order_by("person_id", "-points", "activity_type__name")
        ):
            by_activity.setdefault(person, []).append(
                {"activity": name, "points": points or 0, "entries": n}
            )
        by_month: dict[int, list] = {}
        for person, month, points in (
            entries.annotate(month=TruncMonth("occurred_at"))
            .values_list("person_id", "month")
            .annotate(points=Sum("points"))
            .order_by("person_id", "month")
        ):
            if month is not None:
                by_month.setdefault(person, []).append(
                    {"month": month.strftime("%m/%Y"), "points": points or 0}
                )
        counted = dict(achievements.values_list("person_id").annotate(n=Count("id")))
        badges: dict[int, list] = {}
        for person, name, level, issued, uid in (
            Assertion.objects.valid()
            .filter(person_id__in=people)
            .order_by("person_id", "-issued_at")
            .values_list("person_id", "badge_class__name", "level", "issued_at", "uid")
        ):
            held = badges.setdefault(person, [])
            if len(held) < 20:
                held.append(
                    {
                        "name": name,
                        "level": level,
                        "on": issued.strftime("%d/%m/%Y"),
                        "uid": str(uid),
                    }
                )
        for nomination in group:
            person = nomination.person_id
            if counted.get(person):
                found[nomination.pk] = facts_for(nomination)
                continue
            activities = by_activity.get(person, [])
            found[nomination.pk] = {
                "points": sum(row["points"] for row in activities),
                "by_activity": activities,
                "by_month": by_month.get(person, []),
                "achievements": 0,
                "recent": [],
                "badges": badges.get(person, []),
                "evidence": [],
            }
    return found


RELATED = (
    "review__competition",
    "person",
    "unit",
    "nominee_unit",
    "award_type",
    "nominating_unit",
)


def generate(nomination: Nomination, *, at: datetime) -> Dossier:
    """Gather the facts and write the achievement report (.docx) once more."""
    nomination = Nomination.objects.select_related(*RELATED).get(pk=nomination.pk)
    with transaction.atomic():
        return _write(nomination, at=at)


def _write(nomination: Nomination, *, at: datetime) -> Dossier:
    """Inside the caller's transaction; the replaced file goes once it commits."""
    from . import documents

    facts = facts_for(nomination)
    data = documents.achievement_report(nomination, facts)
    dossier, _created = Dossier.objects.update_or_create(
        nomination=nomination, defaults={"facts": facts, "generated_at": at}
    )
    old = dossier.document.name if dossier.document else ""
    dossier.document.save("report.docx", ContentFile(data), save=True)
    if old:
        storage = dossier.document.storage
        transaction.on_commit(lambda: storage.delete(old))
    return dossier


def _write_batch(nominations: list[Nomination], *, at: datetime) -> None:
    """Many dossiers inside the caller's transaction: facts in grouped queries,
    each report's file written, the rows replaced in two statements."""
    from . import documents

    facts = facts_for_many(nominations)
    field = Dossier._meta.get_field("document")
    storage = field.storage
    rows = []
    for nomination in nominations:
        data = documents.achievement_report(nomination, facts[nomination.pk])
        name = storage.save(
            field.generate_filename(None, "report.docx"), ContentFile(data)
        )
        rows.append(
            Dossier(
                nomination=nomination,
                facts=facts[nomination.pk],
                document=name,
                generated_at=at,
            )
        )
    replaced = Dossier.objects.filter(nomination__in=nominations)
    old = [name for name in replaced.values_list("document", flat=True) if name]
    replaced.delete()
    Dossier.objects.bulk_create(rows)
    if old:
        transaction.on_commit(lambda: [storage.delete(name) for name in old])


def _pending(review: Review) -> list[int]:
    return list(
        Nomination.objects.filter(review=review)
        .exclude(status=Nomination.Status.WITHDRAWN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def start_job(*, review: Review, at: datetime) -> DossierJob:
    """Generate every dossier of the review: inline if few, else in a thread."""
    running = review.dossier_jobs.filter(status=DossierJob.Status.RUNNING).first()
    if running and (at - running.progress_at).total_seconds() < STALE_SECONDS:
        return running
    ids = _pending(review)
    job = DossierJob.objects.create(
        review=review,
        status=DossierJob.Status.RUNNING,
        total=len(ids),
        started_at=at,
        progress_at=at,
    )
    inline = len(ids) < INLINE_DOSSIERS or getattr(
        settings, "COMMENDATIONS_INLINE", False
    )
    if inline:
        run_job(job_id=job.pk, ids=ids)
    else:
        transaction.on_commit(
            lambda: threading.Thread(
                target=_in_background,
                kwargs={"job_id": job.pk, "ids": ids},
                name=f"dossiers-{job.pk}",
                daemon=True,
            ).start()
        )
    job.refresh_from_db()
    return job


def _in_background(**kwargs) -> None:
    try:
        run_job(**kwargs)
    finally:
        connections.close_all()  # this thread's connection would stay open


def run_job(*, job_id: int, ids: list[int], progress_every: int = 20) -> DossierJob:
    """Dossiers `progress_every` at a time: their nominations read in one query,
    written in one transaction (one commit to wait for, not one per dossier),
    and the progress moved after each batch."""
    done = committed = 0
    try:
        for start in range(0, len(ids), progress_every):
            batch = ids[start : start + progress_every]
            with transaction.atomic():
                listed = list(
                    Nomination.objects.select_related(*RELATED)
                    .filter(pk__in=batch)
                    .order_by("pk")
                )
                _write_batch(listed, at=timezone.now())
                done += len(listed)
                DossierJob.objects.filter(pk=job_id).update(
                    done=done, progress_at=timezone.now()
                )
            committed = done
    except Exception:
        log.exception("dossier job %s failed", job_id)
        # A failed batch was rolled back: what is done is what was committed.
        DossierJob.objects.filter(pk=job_id).update(
            status=DossierJob.Status.FAILED, done=committed, progress_at=timezone.now()
        )
        return DossierJob.objects.get(pk=job_id)
    DossierJob.objects.filter(pk=job_id).update(
        status=DossierJob.Status.DONE,
        done=done,
        progress_at=timezone.now(),
        finished_at=timezone.now(),
    )
    return DossierJob.objects.get(pk=job_id)
