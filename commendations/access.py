"""Who may steer a deciding unit's commendations: its administrators (through
units.permissions) and its council's secretary, who prepares the sessions and
records the authority's decisions. The secretary is a position in the council,
not a role on the unit tree, so it is read here."""

from units.models import Unit
from units.permissions import Action, can

from .models import CouncilMember


def is_secretary(user, unit: Unit) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return CouncilMember.objects.filter(
        council__unit=unit,
        user=user,
        position=CouncilMember.Position.SECRETARY,
        is_active=True,
    ).exists()


def may_manage(user, unit: Unit) -> bool:
    """Close reviews, hold sessions, return nominations of this unit."""
    return can(user, Action.MANAGE_COMMENDATIONS, unit) or is_secretary(user, unit)


def may_decide(user, unit: Unit) -> bool:
    """Record the authority's decision and revoke an award of this unit."""
    return can(user, Action.DECIDE_COMMENDATION, unit) or is_secretary(user, unit)


def member_of(user, unit: Unit) -> CouncilMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        CouncilMember.objects.filter(council__unit=unit, user=user, is_active=True)
        .select_related("council")
        .first()
    )
