"""Class sessions and self-reports: completions recorded by an officer, by the learner
at the door (QR check-in), or by the learner with a certificate for review.

A named attendee's completion credits the learner (in their own unit) and the trainer
(in the host unit) in one transaction; attendees who are not named are a count
credited to the host unit once per session.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import segno
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.evidence import InvalidEvidence, clean_photo
from units.audit import Origin, record_event
from units.models import Membership, Person, Unit

from . import crediting, services
from .models import ClassSession, Completion, Training
from .services import LearningError, NewCompletion

MAX_ANONYMOUS_ATTENDEES = 500
SESSION_KINDS = (Training.Kind.COMMUNITY_CLASS, Training.Kind.THEMATIC_SESSION)


class CheckInClosed(LearningError):
    pass


def qr_svg(url: str, *, label: str) -> str:
    """An inline SVG QR code of the URL (scalable, so it projects sharp in a class)."""
    return segno.make(url, error="m").svg_inline(
        scale=8, border=2, title=label, omitsize=True
    )


def _member_of_subtree(person_ids, unit: Unit) -> set[int]:
    return set(
        Membership.objects.filter(
            person_id__in=list(person_ids), unit__path__startswith=unit.path
        ).values_list("person_id", flat=True)
    )


@dataclass(frozen=True)
class SessionData:
    training: Training
    unit: Unit
    trainer: Person | None
    held_on: date
    place: str
    checkin_until: datetime


@transaction.atomic
def create_session(
    *, data: SessionData, form_token: uuid.UUID | None, by, at: datetime, origin: Origin
) -> ClassSession:
    """Create a class session; a replayed form finds the session it created."""
    if form_token is not None:
        existing = ClassSession.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing
    if data.training.kind not in SESSION_KINDS:
        raise LearningError(
            _(
                "Sessions are for community classes and thematic sessions, not online courses."
            )
        )
    if data.trainer is not None and not _member_of_subtree(
        [data.trainer.pk], data.unit
    ):
        raise LearningError(_("The trainer must be a member of the host unit."))
    if timezone.localdate(data.checkin_until) < data.held_on:
        raise LearningError(
            _("Check-in must stay open until the session day at least.")
        )
    session = ClassSession.objects.create(
        training=data.training,
        unit=data.unit,
        trainer=data.trainer,
        held_on=data.held_on,
        place=data.place,
        checkin_until=data.checkin_until,
        created_by=by,
        created_at=at,
        **({"form_token": form_token} if form_token else {}),
    )
    record_event(
        actor=by,
        action="session.create",
        obj=session,
        at=at,
        origin=origin,
        unit=data.unit,
    )
    return session


def _attend(
    session: ClassSession, person: Person, unit: Unit, *, source, by, at, origin
):
    completion, created = services.record_completion(
        NewCompletion(
            person=person,
            training=session.training,
            unit=unit,
            completed_on=session.held_on,
            source=source,
            session_id=session.pk,
        ),
        by=by,
        at=at,
        origin=origin,
    )
    if created and session.trainer_id and session.trainer_id != person.pk:
        crediting.record(
            [
                crediting.Award(
                    activity=crediting.CLASS_ATTENDEE,
                    unit=session.unit,
                    person=session.trainer,
                    on=session.held_on,
                    key=f"session:{session.pk}:attendee:{person.pk}",
                    explanation=session.training.title[:200],
                )
            ],
            by=by,
            at=at,
        )
    return completion, created


@dataclass(frozen=True)
class Attendance:
    added: int
    already: int
    anonymous: int


@transaction.atomic
def record_attendance(
    *,
    session: ClassSession,
    people: list[Person],
    anonymous: int,
    by,
    at: datetime,
    origin: Origin,
) -> Attendance:
    """Record named attendees and a count of attendees not named (once per session)."""
    session = (
        ClassSession.objects.select_for_update(of=("self",))
        .select_related("training", "unit", "trainer")
        .get(pk=session.pk)
    )
    if not 0 <= anonymous <= MAX_ANONYMOUS_ATTENDEES:
        raise LearningError(
            _("Attendees not named: between 0 and %(most)d.")
            % {"most": MAX_ANONYMOUS_ATTENDEES}
        )
    outsiders = {p.pk for p in people} - _member_of_subtree(
        [p.pk for p in people], session.unit
    )
    if outsiders:
        raise LearningError(
            _("Only people of the host unit can be recorded as attendees.")
        )
    if anonymous and session.anonymous_attendees:
        # A count is credited once; a second one would be a guess on top of a guess.
        raise LearningError(
            _("The count of attendees not named was already recorded (%(count)d).")
            % {"count": session.anonymous_attendees}
        )
    homes = services.primary_units(p.pk for p in people)
    added = already = 0
    for person in people:
        if not person.is_active or person.pk not in homes:
            raise LearningError(
                _("%(name)s is deactivated or has no unit.")
                % {"name": person.display_name}
            )
        _completion, created = _attend(
            session,
            person,
            homes[person.pk],
            source=Completion.Source.ATTENDANCE,
            by=by,
            at=at,
            origin=origin,
        )
        added += created
        already += not created
    if anonymous:
        session.anonymous_attendees = anonymous
        session.save(update_fields=["anonymous_attendees"])
        crediting.record(
            [
                crediting.Award(
                    activity=crediting.CLASS_ATTENDEE,
                    unit=session.unit,
                    person=None,
                    on=session.held_on,
                    key=f"session:{session.pk}:anonymous",
                    quantity=anonymous,
                    explanation=session.training.title[:200],
                )
            ],
            by=by,
            at=at,
        )
        record_event(
            actor=by,
            action="session.anonymous_attendees",
            obj=session,
            at=at,
            origin=origin,
            unit=session.unit,
            to_state=str(anonymous),
        )
    return Attendance(added=added, already=already, anonymous=anonymous)


def check_in(
    *, session: ClassSession, user, at: datetime, origin: Origin
) -> tuple[Completion, bool]:
    """The signed-in learner checks in at the session; (completion, False) if already in."""
    person = getattr(user, "person", None)
    if person is None or not person.is_active:
        raise LearningError(
            _("Your account has no active learner record; ask your unit's officer.")
        )
    if at > session.checkin_until:
        raise CheckInClosed(_("Check-in for this session is closed."))
    if session.trainer_id == person.pk:
        raise LearningError(
            _("The trainer cannot check in as a learner of their own session.")
        )
    home = services.primary_units([person.pk]).get(person.pk)
    if home is None:
        raise LearningError(_("Your account has no unit yet; ask your unit's officer."))
    with transaction.atomic():
        return _attend(
            session,
            person,
            home,
            source=Completion.Source.CHECKIN,
            by=user,
            at=at,
            origin=origin,
        )


def report_completion(
    *,
    user,
    training: Training,
    completed_on: date,
    certificate_number: str,
    photo: bytes,
    photo_name: str,
    today: date,
    at: datetime,
    origin: Origin,
) -> Completion:
    """The learner reports a completion with a photo of the certificate, for review."""
    person = getattr(user, "person", None)
    if person is None or not person.is_active:
        raise LearningError(
            _("Your account has no active learner record; ask your unit's officer.")
        )
    services.check_completion_date(completed_on, today=today)
    home = services.primary_units([person.pk]).get(person.pk)
    if home is None:
        raise LearningError(_("Your account has no unit yet; ask your unit's officer."))
    if Completion.objects.filter(person=person, training=training).exists():
        raise services.AlreadyCompleted(
            _("You already have this training on your record.")
        )
    try:
        clean = clean_photo(photo, photo_name)
    except InvalidEvidence as error:
        raise LearningError(str(error)) from None
    completion, created = services.record_completion(
        NewCompletion(
            person=person,
            training=training,
            unit=home,
            completed_on=completed_on,
            source=Completion.Source.SELF_REPORT,
            certificate_number=certificate_number,
        ),
        by=user,
        at=at,
        origin=origin,
        status=Completion.Status.PENDING,
        certificate=ContentFile(clean.content, name=f"{uuid.uuid4().hex}.jpg"),
    )
    if not created:
        raise services.AlreadyCompleted(
            _("You already have this training on your record.")
        )
    return completion
