"""Reads for the commendation pages: who sees what, the honour board, the trail."""

from django.db.models import Q, QuerySet

from units.models import AuditEvent, Unit
from units.permissions import Action, can, units_where

from .models import Award, CouncilMember, Nomination, Review


def visible_units(user) -> QuerySet[Unit]:
    return units_where(user, Action.VIEW_NOMINATIONS)


def may_see_nomination(user, nomination: Nomination) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if nomination.person_id and nomination.person.user_id == user.pk:
        return True
    if any(
        can(user, Action.VIEW_NOMINATIONS, unit)
        for unit in (nomination.nominating_unit, nomination.authority_unit)
    ):
        return True
    return CouncilMember.objects.filter(
        council__unit=nomination.authority_unit, user=user, is_active=True
    ).exists()


def reviews_for(user) -> QuerySet[Review]:
    return (
        Review.objects.filter(unit__in=visible_units(user))
        .select_related("competition", "unit")
        .order_by("-held_on", "-pk")
    )


def nominations_waiting(user) -> QuerySet[Nomination]:
    """Nominations submitted to units the user decides for, oldest first."""
    councils = CouncilMember.objects.filter(user=user, is_active=True).values(
        "council__unit"
    )
    return (
        Nomination.objects.filter(
            Q(authority_unit__in=visible_units(user)) | Q(authority_unit__in=councils),
            status__in=[
                Nomination.Status.SUBMITTED,
                Nomination.Status.VOTING,
                Nomination.Status.APPROVED,
            ],
        )
        .select_related(
            "award_type", "nominee_unit", "person", "unit", "authority_unit"
        )
        .order_by("submitted_at", "pk")
    )


def trail(object_type: str, ids) -> QuerySet[AuditEvent]:
    """Every recorded step of these objects, oldest first (the council sees it)."""
    return (
        AuditEvent.objects.filter(object_type=object_type, object_id__in=list(ids))
        .select_related("actor__person")
        .order_by("at", "pk")
    )


def nomination_trail(nomination) -> QuerySet[AuditEvent]:
    """The nomination's steps, oldest first; a nomination a review's close
    proposed starts with that close.

    A province's final review proposes some 70,000 nominations at once: one
    event for the close instead of 70,000 more rows in its statement helps keep
    it within its 10 s (`make bench` (i); the README gives the figures).
    """
    steps = Q(object_type="commendations.nomination", object_id=nomination.pk)
    # Only a review's close gives a nomination its review (one made by hand has
    # none); its rule may since have been deleted (SET_NULL), its review not.
    if nomination.review_id:
        steps |= Q(
            object_type="commendations.review",
            object_id=nomination.review_id,
            action="review.closed",
            at=nomination.proposed_at,
        )
    return (
        AuditEvent.objects.filter(steps)
        .select_related("actor__person")
        .order_by("at", "pk")
    )


def honour_roll(*, unit: Unit | None, year: int | None) -> QuerySet[Award]:
    """Awards of decisions recorded, not revoked, under the unit, in the year."""
    awards = Award.objects.filter(revocation__isnull=True)
    if unit is not None:
        awards = awards.filter(recipient_unit__path__startswith=unit.path)
    if year is not None:
        awards = awards.filter(decision__signed_on__year=year)
    return awards.select_related(
        "decision__issuing_unit", "award_type", "recipient_unit", "person"
    ).order_by("-decision__signed_on", "decision_id", "pk")


def honour_years() -> list[int]:
    return sorted(
        {d.year for d in Award.objects.values_list("decision__signed_on", flat=True)},
        reverse=True,
    )
