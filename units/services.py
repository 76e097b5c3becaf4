"""The verbs of the units app: write operations that keep the tree consistent."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from .audit import Origin, record_event
from .models import Membership, Person, Role, Unit
from .permissions import forget_roles


class UnitCycleError(Exception):
    """A unit cannot be moved under itself or one of its descendants."""

    def __init__(self, unit: Unit, new_parent: Unit):
        self.unit = unit
        self.new_parent = new_parent
        super().__init__(
            _("“%(unit)s” cannot be placed under itself or one of its own sub-units.")
            % {"unit": unit.name}
        )


@transaction.atomic
def create_unit(
    *, parent: Unit | None, kind: str, name: str, code: str = "", **fields
) -> Unit:
    """Create a unit under a parent (or as a root) and return it."""
    values = {"kind": kind, "name": name, "code": code, **fields}
    if parent is None:
        return Unit.objects.add_root(create_kwargs=values)
    return Unit.objects.add_child(parent, create_kwargs=values)


@transaction.atomic
def move_unit(
    *, unit: Unit, new_parent: Unit, by, at: datetime, origin: Origin
) -> Unit:
    """Move a unit and its subtree under a new parent, refusing any cycle."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    if new_parent.path.startswith(unit.path):
        raise UnitCycleError(unit, new_parent)
    if unit.parent_path == new_parent.path:
        return unit
    old_parent = Unit.objects.filter(path=unit.parent_path).first()
    Unit.objects.move(unit, new_parent, "last-child")
    unit.refresh_from_db()
    record_event(
        actor=by,
        action="unit.moved",
        obj=unit,
        at=at,
        origin=origin,
        unit=new_parent,
        from_state=str(old_parent.pk if old_parent else ""),
        to_state=str(new_parent.pk),
    )
    return unit


@transaction.atomic
def update_headcounts(
    *, unit: Unit, counts: dict[str, int], by, at: datetime, origin: Origin
) -> Unit:
    """Set a unit's headcounts per target group (the KPI denominators)."""
    unknown = set(counts) - set(Unit.HEADCOUNT_FIELDS)
    if unknown:
        raise ValueError(f"not a headcount: {sorted(unknown)}")
    Unit.objects.filter(pk=unit.pk).update(**counts)
    unit.refresh_from_db()
    record_event(
        actor=by,
        action="unit.headcounts_changed",
        obj=unit,
        at=at,
        origin=origin,
        unit=unit,
        reason=", ".join(f"{name}={value}" for name, value in sorted(counts.items())),
    )
    return unit


def _activity(active: bool) -> str:
    return "active" if active else "inactive"


@transaction.atomic
def set_unit_active(
    *, unit: Unit, active: bool, by, at: datetime, origin: Origin, reason: str = ""
) -> Unit:
    """Deactivate a unit (it and everything under it stop earning and leave the
    boards) or bring it back; the boards follow after commit."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.is_active == active:
        return unit
    unit.is_active = active
    # save(), not update(): the leaderboards move the unit's members on post_save.
    unit.save(update_fields=["is_active"])
    record_event(
        actor=by,
        action="unit.activated" if active else "unit.deactivated",
        obj=unit,
        at=at,
        origin=origin,
        unit=unit,
        from_state=_activity(not active),
        to_state=_activity(active),
        reason=reason,
    )
    return unit


@transaction.atomic
def set_person_active(
    *, person: Person, active: bool, by, at: datetime, origin: Origin, reason: str = ""
) -> Person:
    """Deactivate a person (they stop earning and leave the boards; their units
    keep what they earned) or bring them back."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.is_active == active:
        return person
    person.is_active = active
    person.save(update_fields=["is_active"])
    record_event(
        actor=by,
        action="person.activated" if active else "person.deactivated",
        obj=person,
        at=at,
        origin=origin,
        from_state=_activity(not active),
        to_state=_activity(active),
        reason=reason,
    )
    return person


@transaction.atomic
def add_member(*, person: Person, unit: Unit, primary: bool = True) -> Membership:
    """Make the person a member of the unit; a new primary unit replaces the old one."""
    if primary:
        Membership.objects.filter(person=person, is_primary=True).exclude(
            unit=unit
        ).update(is_primary=False)
    membership, _created = Membership.objects.update_or_create(
        person=person, unit=unit, defaults={"is_primary": primary}
    )
    return membership


@transaction.atomic
def grant_role(*, user, unit: Unit, kind: str, granted_by=None) -> Role:
    """Give the user a role on the unit (idempotent)."""
    role, _created = Role.objects.get_or_create(
        user=user, unit=unit, kind=kind, defaults={"granted_by": granted_by}
    )
    forget_roles(user)
    return role


def update_profile(
    *, person: Person, display_name: str, appears_anonymously: bool
) -> Person:
    """Change how a person is named on public boards."""
    person.display_name = display_name
    person.appears_anonymously = appears_anonymously
    person.save(update_fields=["display_name", "appears_anonymously"])
    return person
