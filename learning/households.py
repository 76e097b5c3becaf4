"""Households (Gia đình số) and citizens helped with VNeID.

A household becomes digital once, when a first member has a confirmed completion:
for completions recorded later that happens in `services.awards_for`; here, when a
member who already completed a training joins a household that was not digital.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, Sum
from django.utils.translation import gettext as _

from units.audit import Origin, record_event
from units.models import Membership, Person, Unit

from . import crediting
from .models import Completion, Household, HouseholdMember, VneidHelp
from .services import LearningError
from .signals import households_changed, send_on_commit

MAX_CITIZENS_PER_RECORD = 500
# A 12-digit citizen ID (CCCD) or a 9-digit old ID (CMND): never stored, however
# its digits are grouped (spaces, dots, dashes, slashes between them).
_ID_NUMBER = re.compile(r"(?<!\d)(\d{12}|\d{9})(?!\d)")
_DIGIT_SEPARATORS = re.compile(r"(?<=\d)[\s.\-/_]+(?=\d)")


def looks_like_an_id_number(text: str) -> bool:
    return _ID_NUMBER.search(_DIGIT_SEPARATORS.sub("", text)) is not None


@transaction.atomic
def create_household(
    *, unit: Unit, name: str, by, at: datetime, origin: Origin
) -> Household:
    """Record a household of the village."""
    name = name.strip()
    if not name:
        raise LearningError(_("Give the household a name the village knows it by."))
    household = Household.objects.create(unit=unit, name=name[:120], created_at=at)
    record_event(
        actor=by,
        action="household.create",
        obj=household,
        at=at,
        origin=origin,
        unit=unit,
    )
    return household


@transaction.atomic
def add_member(
    *, household: Household, person: Person, by, at: datetime, origin: Origin
) -> bool:
    """Add a person of the village; True if the household became digital with them."""
    household = (
        Household.objects.select_for_update()
        .select_related("unit")
        .get(pk=household.pk)
    )
    in_village = Membership.objects.filter(
        person=person, unit__path__startswith=household.unit.path
    ).exists()
    if not in_village:
        raise LearningError(_("Only people of this village can join its households."))
    try:
        with transaction.atomic():
            HouseholdMember.objects.create(household=household, person=person)
    except IntegrityError:
        raise LearningError(
            _("%(name)s already belongs to a household.")
            % {"name": person.display_name}
        ) from None
    record_event(
        actor=by,
        action="household.add_member",
        obj=household,
        at=at,
        origin=origin,
        unit=household.unit,
        reason=str(person.pk),
    )
    turned_digital = False
    if household.digital_since is None:
        first = Completion.objects.filter(
            person=person, status=Completion.Status.CONFIRMED
        ).aggregate(first=Min("completed_on"))["first"]
        if first is not None:
            household.digital_since = first
            household.save(update_fields=["digital_since"])
            crediting.record(
                [
                    crediting.Award(
                        activity=crediting.DIGITAL_HOUSEHOLD,
                        unit=household.unit,
                        person=None,
                        on=first,
                        key=f"household:{household.pk}",
                        explanation=household.name[:200],
                    )
                ],
                by=by,
                at=at,
            )
            turned_digital = True
    # A new member of a digital household is a member of a Gia đình số too
    # (announced after the ledger's credit, so that the boards move first).
    send_on_commit(households_changed, sender=Household, household_ids=[household.pk])
    return turned_digital


@transaction.atomic
def remove_member(
    *, household: Household, person: Person, by, at: datetime, origin: Origin
) -> None:
    """Take a person out of the household; points already earned stay."""
    deleted, _rows = HouseholdMember.objects.filter(
        household=household, person=person
    ).delete()
    if deleted:
        record_event(
            actor=by,
            action="household.remove_member",
            obj=household,
            at=at,
            origin=origin,
            unit=household.unit,
            reason=str(person.pk),
        )


@dataclass(frozen=True)
class HouseholdShare:
    digital: int
    recorded: int
    total: int  # the village's headcount of households, or the recorded ones

    @property
    def percent(self) -> int:
        return round(100 * self.digital / self.total) if self.total else 0


def household_share(unit: Unit) -> HouseholdShare:
    """Digital households of the unit's subtree over its households."""
    counts = Household.objects.filter(unit__path__startswith=unit.path).aggregate(
        recorded=Count("pk"), digital=Count("pk", filter=Q(digital_since__isnull=False))
    )
    recorded, digital = counts["recorded"], counts["digital"]
    headcount = (
        Unit.objects.filter(path__startswith=unit.path).aggregate(n=Sum("households"))[
            "n"
        ]
        or 0
    )
    return HouseholdShare(
        digital=digital, recorded=recorded, total=max(headcount, recorded)
    )


@transaction.atomic
def record_vneid_help(
    *,
    unit: Unit,
    helper: Person | None,
    helped_on: date,
    citizens: int,
    note: str,
    form_token: uuid.UUID | None,
    by,
    today: date,
    at: datetime,
    origin: Origin,
) -> tuple[VneidHelp, bool]:
    """Record citizens helped to activate VNeID (a count); (record, False) on a replay."""
    if form_token is not None:
        existing = VneidHelp.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing, False
    if looks_like_an_id_number(note):
        raise LearningError(
            _(
                "Do not enter citizen ID numbers: only the count of people helped is recorded."
            )
        )
    if helped_on > today:
        raise LearningError(_("The date cannot be in the future."))
    if not 1 <= citizens <= MAX_CITIZENS_PER_RECORD:
        raise LearningError(
            _("Between 1 and %(most)d citizens in one record.")
            % {"most": MAX_CITIZENS_PER_RECORD}
        )
    if (
        helper is not None
        and not Membership.objects.filter(
            person=helper, unit__path__startswith=unit.path
        ).exists()
    ):
        raise LearningError(_("The helper must be a member of the unit."))
    record = VneidHelp.objects.create(
        unit=unit,
        helper=helper,
        helped_on=helped_on,
        citizens=citizens,
        note=note.strip()[:300],
        recorded_by=by,
        recorded_at=at,
        **({"form_token": form_token} if form_token else {}),
    )
    record_event(
        actor=by,
        action="vneid.record",
        obj=record,
        at=at,
        origin=origin,
        unit=unit,
        to_state=str(citizens),
    )
    crediting.record(
        [
            crediting.Award(
                activity=crediting.VNEID_HELP,
                unit=unit,
                person=helper,
                on=helped_on,
                key=f"vneid:{record.pk}",
                quantity=citizens,
            )
        ],
        by=by,
        at=at,
    )
    return record, True
