"""Reads of competitions, the ledger and the review queue (fixed query counts)."""

from django.db.models import Count, Q, QuerySet, Sum

from units.models import Person, Unit
from units.permissions import Action, units_where

from .models import Competition, Notification, PointEntry, Submission


def running_competitions() -> QuerySet[Competition]:
    return Competition.objects.filter(status=Competition.Status.RUNNING).select_related(
        "scope_unit"
    )


def competitions_for_unit(unit: Unit) -> list[Competition]:
    """Running competitions whose scope contains the unit."""
    return [c for c in running_competitions() if c.admits_unit(unit)]


def unit_points(unit: Unit, competition: Competition) -> dict:
    """The unit's points in a competition, its whole subtree included, by activity."""
    entries = PointEntry.objects.filter(competition=competition).for_subtree(unit)
    by_activity = list(
        entries.values("activity_type__name")
        .annotate(
            points=Sum("points"), count=Count("pk", filter=Q(reverses__isnull=True))
        )
        .filter(points__gt=0)
        .order_by("-points", "activity_type__name")
    )
    total = sum(row["points"] for row in by_activity)
    return {"competition": competition, "total": total, "by_activity": by_activity}


def unit_total(unit: Unit, competition: Competition) -> int:
    return (
        PointEntry.objects.filter(competition=competition)
        .for_subtree(unit)
        .aggregate(total=Sum("points"))["total"]
        or 0
    )


def person_total(person: Person, competition: Competition) -> int:
    return (
        PointEntry.objects.filter(competition=competition, person=person).aggregate(
            total=Sum("points")
        )["total"]
        or 0
    )


def person_history(person: Person) -> QuerySet[PointEntry]:
    """Every ledger line of the person, newest first, with what explains it."""
    return (
        PointEntry.objects.filter(person=person)
        .select_related(
            "competition",
            "unit",
            "activity_type",
            "rule__activity_type",
            "created_by__person",
            "submission",
            "reverses",
        )
        .order_by("-occurred_at", "-pk")
    )


def submissions_of_units(units) -> QuerySet[Submission]:
    return (
        Submission.objects.in_units(units)
        .select_related("unit", "activity_type", "competition", "person")
        .order_by("-created_at", "-pk")
    )


def review_queue(
    units, *, competition=None, activity_type=None, status=None, flagged=False, query=""
):
    """Submissions awaiting a decision in the reviewer's units, oldest first."""
    queue = Submission.objects.in_units(units).awaiting_review()
    if status in (Submission.Status.SUBMITTED, Submission.Status.APPEALED):
        queue = queue.filter(status=status)
    if competition:
        queue = queue.filter(competition=competition)
    if activity_type:
        queue = queue.filter(activity_type=activity_type)
    if flagged:
        queue = queue.exclude(flags=[])
    if query:
        queue = queue.filter(unit__name__icontains=query)
    return queue.select_related(
        "unit", "activity_type", "competition", "person", "submitted_by"
    ).order_by("submitted_at", "pk")


def unread_notifications(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def viewable_submission_ids(user, ids: set[int]) -> set[int]:
    """Those of these submissions the user may open, in one query."""
    if not ids:
        return set()
    return set(
        Submission.objects.filter(
            pk__in=ids, unit__in=units_where(user, Action.VIEW_SUBMISSIONS)
        ).values_list("pk", flat=True)
    )
