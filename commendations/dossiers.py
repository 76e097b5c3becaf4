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
    recent = [
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
    photos = list(
        Evidence.objects.filter(
            submission__in=achievements.order_by().values("pk"),
            kind=Evidence.Kind.PHOTO,
        )
        .order_by("-uploaded_at", "-pk")
        .values_list("pk", flat=True)[:EVIDENCE_PHOTOS]
    )
    return {
        "points": sum(row["points"] for row in by_activity),
        "by_activity": by_activity,
        "by_month": by_month,
        "achievements": achievements.count(),
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


def generate(nomination: Nomination, *, at: datetime) -> Dossier:
    """Gather the facts and write the achievement report (.docx) once more."""
    from . import documents

    nomination = Nomination.objects.select_related(
        "review__competition",
        "person",
        "unit",
        "nominee_unit",
        "award_type",
        "nominating_unit",
    ).get(pk=nomination.pk)
    facts = facts_for(nomination)
    data = documents.achievement_report(nomination, facts)
    with transaction.atomic():
        dossier, _created = Dossier.objects.update_or_create(
            nomination=nomination, defaults={"facts": facts, "generated_at": at}
        )
        old = dossier.document.name if dossier.document else ""
        dossier.document.save("report.docx", ContentFile(data), save=True)
    if old:
        dossier.document.storage.delete(old)
    return dossier


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
    done = 0
    try:
        for pk in ids:
            nomination = Nomination(pk=pk)
            generate(nomination, at=timezone.now())
            done += 1
            if done % progress_every == 0:
                DossierJob.objects.filter(pk=job_id).update(
                    done=done, progress_at=timezone.now()
                )
    except Exception:
        log.exception("dossier job %s failed", job_id)
        DossierJob.objects.filter(pk=job_id).update(
            status=DossierJob.Status.FAILED, done=done, progress_at=timezone.now()
        )
        return DossierJob.objects.get(pk=job_id)
    DossierJob.objects.filter(pk=job_id).update(
        status=DossierJob.Status.DONE,
        done=done,
        progress_at=timezone.now(),
        finished_at=timezone.now(),
    )
    return DossierJob.objects.get(pk=job_id)
