"""Recording completions and what they earn: the learner, their mentor, their household.

Every way a completion arrives (self-report, attendance, QR check-in, import, the
integration API) ends in `record_completion` or `record_completions`, so the rules
are the same for all: one completion per person and training, points only once it
is confirmed, the mentor credited for a distinct mentee who completed after the
pairing was confirmed, the household made digital once.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from competitions.models import Notification
from competitions.notifications import tell_reviewers_on_commit
from units import bulk
from units.audit import Origin, record_event
from units.models import Membership, Person, Unit

from . import crediting
from .crediting import Award
from .models import Completion, Household, HouseholdMember, Mentorship, Training
from .signals import completions_recorded, households_changed, send_on_commit


class LearningError(Exception):
    """A request the learning rules refuse; the message is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AlreadyCompleted(LearningError):
    """The person already has this training on record."""


def primary_units(person_ids) -> dict[int, Unit]:
    """Each person's primary unit, in one query."""
    rows = Membership.objects.filter(
        person_id__in=list(person_ids), is_primary=True
    ).select_related("unit")
    return {row.person_id: row.unit for row in rows}


def _completion_award(completion: Completion) -> Award:
    return Award(
        activity=crediting.TRAINING_COMPLETED,
        unit=completion.unit,
        person=completion.person,
        on=completion.completed_on,
        key=f"completion:{completion.pk}",
        explanation=completion.training.title[:200],
    )


def credit_completions(
    completions: list[Completion], *, by, at: datetime, many: bool = False
) -> None:
    """Credit what confirmed completions earn, then announce them.

    Every confirmed completion passes here, whichever way it arrived. The signals
    are registered after the ledger's own: at commit the boards move first and
    what listens here (badge evaluation) comes after them.
    """
    awards, digital_now = awards_for(completions, at=at)
    (crediting.record_many if many else crediting.record)(awards, by=by, at=at)
    confirmed = [c.pk for c in completions if c.status == Completion.Status.CONFIRMED]
    if confirmed:
        send_on_commit(
            completions_recorded, sender=Completion, completion_ids=confirmed
        )
    if digital_now:
        send_on_commit(households_changed, sender=Household, household_ids=digital_now)


def awards_for(
    completions: list[Completion], *, at: datetime
) -> tuple[list[Award], list[int]]:
    """What confirmed completions earn: the learner's credit, the mentor's credit for
    a mentee who completed after the pairing, and a household's first digital credit;
    and the households that turned digital.

    Marks households digital (inside the caller's transaction).
    """
    confirmed = [c for c in completions if c.status == Completion.Status.CONFIRMED]
    if not confirmed:
        return [], []
    person_ids = {c.person_id for c in confirmed}
    mentorships = {
        m.mentee_id: m
        for m in Mentorship.objects.filter(mentee_id__in=person_ids).select_related(
            "mentor"
        )
    }
    mentor_units = primary_units({m.mentor_id for m in mentorships.values()})
    households = {
        hm.person_id: hm.household
        for hm in HouseholdMember.objects.filter(
            person_id__in=person_ids
        ).select_related("household__unit")
    }
    awards = []
    turned_digital: dict[int, tuple[Household, date]] = {}
    for completion in confirmed:
        awards.append(_completion_award(completion))
        mentorship = mentorships.get(completion.person_id)
        if (
            mentorship is not None
            and mentorship.mentor.is_active
            and completion.completed_on >= timezone.localdate(mentorship.confirmed_at)
            and mentorship.mentor_id in mentor_units
        ):
            # The key names the mentee and the training, never the mentor: one
            # mentor per mentee per training, however often it is recorded.
            awards.append(
                Award(
                    activity=crediting.MENTEE_GUIDED,
                    unit=mentor_units[mentorship.mentor_id],
                    person=mentorship.mentor,
                    on=completion.completed_on,
                    key=f"mentoring:{completion.person_id}:{completion.training_id}",
                    explanation=completion.training.title[:200],
                )
            )
        household = households.get(completion.person_id)
        if household is not None and household.digital_since is None:
            first = turned_digital.get(household.pk)
            if first is None or completion.completed_on < first[1]:
                turned_digital[household.pk] = (household, completion.completed_on)
    digital_now = []
    for household, day in turned_digital.values():
        updated = Household.objects.filter(
            pk=household.pk, digital_since__isnull=True
        ).update(digital_since=day)
        if updated:
            digital_now.append(household.pk)
            awards.append(
                Award(
                    activity=crediting.DIGITAL_HOUSEHOLD,
                    unit=household.unit,
                    person=None,
                    on=day,
                    key=f"household:{household.pk}",
                    explanation=household.name[:200],
                )
            )
    return awards, digital_now


@dataclass(frozen=True)
class NewCompletion:
    person: Person
    training: Training
    unit: Unit
    completed_on: date
    source: str
    certificate_number: str = ""
    session_id: int | None = None
    import_batch_id: int | None = None
    integration_id: int | None = None


def check_completion_date(day: date, *, today: date) -> None:
    if day > today:
        raise LearningError(_("The completion date cannot be in the future."))
    if day.year < 2020:
        raise LearningError(_("The completion date is too far in the past."))


def _completion(item: NewCompletion, *, status: str, by, at: datetime) -> Completion:
    return Completion(
        person=item.person,
        training=item.training,
        unit=item.unit,
        completed_on=item.completed_on,
        source=item.source,
        status=status,
        certificate_number=item.certificate_number[:64],
        session_id=item.session_id,
        import_batch_id=item.import_batch_id,
        integration_id=item.integration_id,
        recorded_by=by if getattr(by, "pk", None) else None,
        recorded_at=at,
    )


@transaction.atomic
def record_completion(
    item: NewCompletion,
    *,
    by,
    at: datetime,
    origin: Origin,
    status: str = Completion.Status.CONFIRMED,
    certificate=None,
) -> tuple[Completion, bool]:
    """Record one completion; (the existing one, False) if the person had it already.

    A confirmed completion is credited in the same transaction.
    """
    existing = Completion.objects.filter(
        person=item.person, training=item.training
    ).first()
    if existing is not None:
        return existing, False
    completion = _completion(item, status=status, by=by, at=at)
    if certificate is not None:
        completion.certificate = certificate
    try:
        with transaction.atomic():
            completion.save(force_insert=True)
    except IntegrityError:
        # Recorded by someone else a moment ago (two officers, two check-ins).
        return Completion.objects.get(person=item.person, training=item.training), False
    record_event(
        actor=by,
        action="completion.record",
        obj=completion,
        at=at,
        origin=origin,
        unit=completion.unit,
        to_state=completion.status,
        reason=completion.get_source_display(),
    )
    credit_completions([completion], by=by, at=at)
    if (
        completion.status == Completion.Status.PENDING
        and completion.source == Completion.Source.SELF_REPORT
    ):
        # Check-ins from outside a commune are the session officer's to confirm.
        tell_reviewers_on_commit(
            unit=completion.unit,
            text=gettext_noop("%(person)s reported completing “%(title)s”."),
            values={
                "person": completion.person.display_name,
                "title": completion.training.title,
            },
            link=reverse("learning:completion", args=[completion.pk]),
            at=at,
            not_to={completion.person.user_id, getattr(by, "pk", None)},
        )
    return completion, True


def record_completions(
    items: list[NewCompletion], *, by, at: datetime
) -> list[Completion]:
    """The bulk path (imports, the integration API): confirmed completions written
    together (by COPY on PostgreSQL), those a person already had skipped. Returns the
    ones added.

    Must run inside the caller's transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_completions must run inside a transaction")
    if not items:
        return []
    pairs = {(item.person.pk, item.training.pk) for item in items}
    fresh = [
        _completion(item, status=Completion.Status.CONFIRMED, by=by, at=at)
        for item in items
    ]
    if bulk.available():
        bulk.insert_new(fresh, key_fields=("person", "training"))
        added = [completion for completion in fresh if completion.pk is not None]
    else:
        Completion.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)
        # The rows written now are the ones with this recording time among the pairs.
        added = [
            c
            for c in Completion.objects.filter(
                person_id__in={p for p, _t in pairs},
                recorded_at=at,
                training_id__in={t for _p, t in pairs},
            ).select_related("person", "training", "unit")
            if (c.person_id, c.training_id) in pairs
        ]
    credit_completions(added, by=by, at=at, many=True)
    return added


def review_completion(
    *,
    completion: Completion,
    reviewer,
    approve: bool,
    reason: str,
    at: datetime,
    origin: Origin,
) -> Completion:
    """Confirm or reject a self-reported completion; a learner never reviews their own."""
    if completion.source == Completion.Source.CHECKIN:
        # A check-in from outside the host commune: only the session's officer
        # saw who was in the room (learning.sessions.decide_check_in).
        raise LearningError(
            _("A class check-in is confirmed by the officer of its session.")
        )
    return decide_completion(
        completion=completion,
        reviewer=reviewer,
        approve=approve,
        reason=reason,
        at=at,
        origin=origin,
    )


@transaction.atomic
def decide_completion(
    *,
    completion: Completion,
    reviewer,
    approve: bool,
    reason: str,
    at: datetime,
    origin: Origin,
) -> Completion:
    """Confirm (and credit) or reject a completion awaiting a decision, once."""
    completion = Completion.objects.select_for_update().get(pk=completion.pk)
    if completion.status != Completion.Status.PENDING:
        raise LearningError(_("This completion was already reviewed."))
    if reviewer.pk == completion.recorded_by_id or (
        completion.person.user_id and completion.person.user_id == reviewer.pk
    ):
        raise LearningError(_("You cannot review your own completion."))
    if not approve and not reason.strip():
        raise LearningError(_("Say why the completion is rejected."))
    before = completion.status
    completion.status = (
        Completion.Status.CONFIRMED if approve else Completion.Status.REJECTED
    )
    completion.reviewed_by = reviewer
    completion.reviewed_at = at
    completion.review_reason = reason.strip()
    completion.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"]
    )
    record_event(
        actor=reviewer,
        action="completion.review",
        obj=completion,
        at=at,
        origin=origin,
        unit=completion.unit,
        from_state=before,
        to_state=completion.status,
        reason=completion.review_reason,
    )
    if approve:
        credit_completions([completion], by=reviewer, at=at)
    _tell_learner(completion, at=at)
    return completion


def _tell_learner(completion: Completion, *, at: datetime) -> None:
    """Notify the learner of the decision, in the platform's language (stored text)."""
    user_id = completion.person.user_id
    if not user_id:
        return
    with translation.override(settings.LANGUAGE_CODE):
        if completion.status == Completion.Status.CONFIRMED:
            message = _("Your completion of “%(title)s” was confirmed.")
        else:
            message = _("Your completion of “%(title)s” was not confirmed: %(reason)s")
        message = message % {
            "title": completion.training.title,
            "reason": completion.review_reason,
        }
    Notification.objects.create(
        user_id=user_id,
        message=message[:300],
        link=reverse("learning:completion", args=[completion.pk]),
        created_at=at,
    )
