"""Class sessions and self-reports: completions recorded by an officer, by the learner
at the door (QR check-in), or by the learner with a certificate for review.

A named attendee's completion credits the learner (in their own unit) and the trainer
(in the host unit) in one transaction; attendees who are not named are a count
credited to the host unit once per session.

The projected check-in QR code changes every CODE_SECONDS: it carries an HMAC of the
session's token and the current window, and the current and the previous window's
codes are accepted, so a photo of it forwarded to a chat group is dead within a
minute. Scanning a current code marks the learner's browser session, which then has
SCAN_VALID to sign in and press "I am here". A learner who belongs to no unit in the
host commune is recorded as awaiting the session officer's confirmation and credited
only once confirmed.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from competitions.evidence import InvalidEvidence, clean_photo
from competitions.models import Notification
from units.audit import Origin, record_event
from units.models import Membership, Person, Unit

from . import crediting, services
from .models import ClassSession, Completion, Training
from .services import LearningError, NewCompletion

MAX_ANONYMOUS_ATTENDEES = 500
SESSION_KINDS = (Training.Kind.COMMUNITY_CLASS, Training.Kind.THEMATIC_SESSION)
# A projected code is accepted in its window and the next: 30 to 60 seconds.
CODE_SECONDS = 30
# From scanning a current code to pressing "I am here", signing in included.
SCAN_VALID = timedelta(minutes=10)
# The area whose people check in without an officer's confirmation.
HOST_AREA_KINDS = (Unit.Kind.COMMUNE, Unit.Kind.WARD)


class CheckInClosed(LearningError):
    pass


class CodeExpired(LearningError):
    """The scanned code is not the projected one (any more): 410."""


def code_expired() -> CodeExpired:
    return CodeExpired(
        _(
            "This check-in code has expired. Ask the officer to show the current "
            "code and scan it again."
        )
    )


def _window(at: datetime) -> int:
    return int(at.timestamp()) // CODE_SECONDS


def _code(session: ClassSession, window: int) -> str:
    return salted_hmac(
        "learning.sessions.checkin",
        f"{session.checkin_token}:{window}",
        algorithm="sha256",
    ).hexdigest()[:16]


def checkin_code(session: ClassSession, *, at: datetime) -> str:
    """The code to project now."""
    return _code(session, _window(at))


def checkin_path(session: ClassSession, *, at: datetime) -> str:
    """The address the projected QR code holds now."""
    return reverse(
        "learning:checkin_scan",
        args=[session.checkin_token, checkin_code(session, at=at)],
    )


def seconds_to_next_code(at: datetime) -> int:
    """Seconds until the projected code changes (rounded up, at least 1)."""
    return max(1, CODE_SECONDS - int(at.timestamp()) % CODE_SECONDS)


def scan(*, session: ClassSession, code: str, at: datetime) -> datetime:
    """A learner scanned a check-in code; the time of the scan if it is current."""
    if at > session.checkin_until:
        raise CheckInClosed(_("Check-in for this session is closed."))
    now = _window(at)
    if not any(
        constant_time_compare(code, _code(session, window)) for window in (now, now - 1)
    ):
        raise code_expired()
    return at


def scan_is_fresh(scanned_at: datetime | None, *, at: datetime) -> bool:
    """Whether a scan of a current code still allows checking in at `at`."""
    return scanned_at is not None and timedelta(0) <= at - scanned_at <= SCAN_VALID


def host_area(unit: Unit) -> Unit:
    """The commune or ward a unit is in (itself if it is one); the unit if none."""
    found = (
        Unit.objects.filter(
            path__in=[*unit.ancestor_paths, unit.path], kind__in=HOST_AREA_KINDS
        )
        .order_by("-depth")
        .first()
    )
    return found or unit


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


def _credit_trainer(session: ClassSession, person: Person, *, by, at) -> None:
    if session.trainer_id and session.trainer_id != person.pk:
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


def _attend(
    session: ClassSession,
    person: Person,
    unit: Unit,
    *,
    source,
    by,
    at,
    origin,
    status=Completion.Status.CONFIRMED,
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
        status=status,
    )
    if created and completion.status == Completion.Status.CONFIRMED:
        _credit_trainer(session, person, by=by, at=at)
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
    *,
    session: ClassSession,
    user,
    scanned_at: datetime | None,
    at: datetime,
    origin: Origin,
) -> tuple[Completion, bool]:
    """The signed-in learner checks in, having scanned a current code at scanned_at.

    Returns (completion, created); (completion, False) if already in. Someone who
    belongs to no unit of the host commune is recorded as awaiting the officer's
    confirmation, and credited only when the officer confirms.
    """
    person = getattr(user, "person", None)
    if person is None or not person.is_active:
        raise LearningError(
            _("Your account has no active learner record; ask your unit's officer.")
        )
    if at > session.checkin_until:
        raise CheckInClosed(_("Check-in for this session is closed."))
    if not scan_is_fresh(scanned_at, at=at):
        raise code_expired()
    if session.trainer_id == person.pk:
        raise LearningError(
            _("The trainer cannot check in as a learner of their own session.")
        )
    home = services.primary_units([person.pk]).get(person.pk)
    if home is None:
        raise LearningError(_("Your account has no unit yet; ask your unit's officer."))
    area = host_area(session.unit)
    local = bool(_member_of_subtree([person.pk], area))
    with transaction.atomic():
        completion, created = _attend(
            session,
            person,
            home,
            source=Completion.Source.CHECKIN,
            by=user,
            at=at,
            origin=origin,
            status=Completion.Status.CONFIRMED if local else Completion.Status.PENDING,
        )
        if created and not local:
            _tell_officer(session, completion, area=area, at=at)
    return completion, created


def _tell_officer(
    session: ClassSession, completion: Completion, *, area: Unit, at: datetime
) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        message = _(
            "%(name)s, who is not registered in %(area)s, checked in at “%(title)s”: "
            "confirm or refuse."
        ) % {
            "name": completion.person.display_name,
            "area": area.name,
            "title": session.training.title,
        }
    Notification.objects.create(
        user_id=session.created_by_id,
        message=message[:300],
        link=reverse("learning:session", args=[session.pk]),
        created_at=at,
    )


@transaction.atomic
def decide_check_in(
    *,
    session: ClassSession,
    completion: Completion,
    approve: bool,
    by,
    at: datetime,
    origin: Origin,
) -> Completion:
    """The session's officer confirms (and credits) or refuses an outside check-in."""
    if (
        completion.session_id != session.pk
        or completion.source != Completion.Source.CHECKIN
    ):
        raise LearningError(_("This check-in is not one of this session's."))
    with translation.override(settings.LANGUAGE_CODE):
        reason = "" if approve else _("The session's officer did not confirm it.")
    completion = services.decide_completion(
        completion=completion,
        reviewer=by,
        approve=approve,
        reason=reason,
        at=at,
        origin=origin,
    )
    if approve:
        _credit_trainer(session, completion.person, by=by, at=at)
    return completion


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
