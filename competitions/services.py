"""The verbs of achievement submission and review.

Each verb is one transaction: the submission changes state, the ledger gets its
entries, the audit trail and the notification are written, or nothing is.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncHour
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from units.audit import Origin, record_event
from units.models import Person, Unit
from units.selectors import headcount_totals

from . import ledger, rules
from .evidence import (
    MAX_FILES_PER_SUBMISSION,
    MAX_UPLOAD_BYTES,
    CleanFile,
    InvalidEvidence,
    check_size,
    clean_upload,
    hamming,
)
from .models import (
    ActivityType,
    Comment,
    Competition,
    Evidence,
    Notification,
    PointEntry,
    Submission,
)
from .notifications import tell_reviewers_on_commit
from .signals import submission_decided

Status = Submission.Status

# A burst: a unit's submissions in the last hour, far above its own usual pace (its
# average in the hours it sent any over the previous 30 days) and never fewer than
# BURST_FLOOR. A fixed count flagged every busy village every time: a flag that
# always fires teaches reviewers to ignore all flags.
BURST_WINDOW = timedelta(hours=1)
BURST_HISTORY = timedelta(days=30)
BURST_FACTOR = 3
BURST_FLOOR = 10
# Photos whose hashes differ in at most this many of 64 bits are the same picture.
DUPLICATE_DISTANCE = 4


class SubmissionError(Exception):
    """A submission action that cannot be done; str() is a message for the user."""

    status_code = 400


class SubmissionNotEditable(SubmissionError):
    status_code = 409


class FormAlreadyUsed(SubmissionError):
    """A submission form's token that belongs to another, or a sent, submission."""


class SubmissionAlreadyDecided(SubmissionError):
    status_code = 409


class CannotReviewOwnSubmission(SubmissionError):
    status_code = 403


class NoPointRule(SubmissionError):
    status_code = 409


class RecipientInactive(SubmissionError):
    status_code = 409


@dataclass(frozen=True)
class SubmissionData:
    competition: Competition
    unit: Unit
    activity_type: ActivityType
    occurred_on: date
    quantity: int
    description: str
    person: Person | None = None


def _notify(*, user, message: str, submission: Submission, at: datetime) -> None:
    Notification.objects.create(
        user=user,
        message=message[:300],
        link=f"/submissions/{submission.pk}/",
        created_at=at,
    )


def _in_default_language(text_factory):
    # Stored texts (notifications, ledger explanations) are read later by others;
    # write them in the platform's language, not the actor's.
    with translation.override(settings.LANGUAGE_CODE):
        return text_factory()


def _locked(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().get(pk=submission.pk)


def _transition(submission, *, to, actor, at, origin, reason="", action=None):
    before = submission.status
    submission.status = to
    submission.save()
    record_event(
        actor=actor,
        action=action or f"submission.{to}",
        obj=submission,
        at=at,
        origin=origin,
        unit=submission.unit,
        from_state=before,
        to_state=to,
        reason=reason,
    )


def validate_submission_data(data: SubmissionData, *, today: date) -> None:
    """Check what a form cannot: the facts against the competition and the unit."""
    if data.occurred_on > today:
        raise SubmissionError(_("The date of the activity cannot be in the future."))
    if data.competition.status != Competition.Status.RUNNING:
        raise SubmissionError(_("This competition is not open for submissions."))
    if not data.competition.admits_unit(data.unit):
        raise SubmissionError(
            _("This unit does not take part in the chosen competition.")
        )
    if not data.activity_type.is_active:
        raise SubmissionError(_("This activity no longer earns points."))
    if data.person is not None:
        if not data.activity_type.credits_person:
            raise SubmissionError(
                _(
                    "This activity credits the unit, not a person; leave the person empty."
                )
            )
        member_of = data.person.memberships.filter(
            unit__path__startswith=data.unit.path
        ).exists()
        if not member_of:
            raise SubmissionError(_("The person chosen is not a member of this unit."))
        if not data.competition.admits_person(data.person):
            raise SubmissionError(
                _("The person's target group does not take part in this competition.")
            )


@transaction.atomic
def save_draft(
    *,
    data: SubmissionData,
    by,
    at: datetime,
    origin: Origin,
    submission: Submission | None = None,
    form_token=None,
) -> Submission:
    """Create or update a draft; a replayed create (same form token) returns the first.

    The token finds only the sender's own draft of the same unit that can still be
    changed: another unit's token, or the token of a submission already sent or
    decided, is refused rather than followed.
    """
    validate_submission_data(data, today=timezone.localdate(at))
    if submission is None:
        existing = (
            Submission.objects.select_for_update().filter(form_token=form_token).first()
            if form_token
            else None
        )
        if existing is not None:
            if (
                existing.submitted_by_id != getattr(by, "pk", None)
                or existing.unit_id != data.unit.pk
                or not existing.is_editable
            ):
                raise FormAlreadyUsed(
                    _(
                        "This form was already used. Open the submission from your "
                        "list to change it, or start a new one."
                    )
                )
            return existing
        submission = Submission(submitted_by=by, status=Status.DRAFT)
        if form_token:
            submission.form_token = form_token
        created = True
    else:
        submission = _locked(submission)
        if not submission.is_editable:
            raise SubmissionNotEditable(_("This submission can no longer be changed."))
        created = False
    for field in (
        "competition",
        "unit",
        "activity_type",
        "occurred_on",
        "quantity",
        "description",
        "person",
    ):
        setattr(submission, field, getattr(data, field))
    submission.save()
    if created:
        record_event(
            actor=by,
            action="submission.created",
            obj=submission,
            at=at,
            origin=origin,
            unit=submission.unit,
            to_state=submission.status,
        )
    return submission


def add_evidence(
    *, submission: Submission, uploads: Sequence[File], by, at: datetime
) -> tuple[list[Evidence], list[str]]:
    """Clean and store each file; return what was stored and a message per refused file.

    Files are only added while the submission can still be changed: never to one
    that was sent for review or decided.

    The count and each file's size are judged from the upload's metadata before its
    content is read, and files are read and cleaned one at a time (twenty 9.5 MB
    files held as bytes together were part of what took a worker to 2 GB).
    """
    stored, errors = [], []
    if uploads and not Submission.objects.get(pk=submission.pk).is_editable:
        raise SubmissionNotEditable(_("This submission can no longer be changed."))
    room = MAX_FILES_PER_SUBMISSION - submission.evidence.count()
    for upload in uploads:
        safe_name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:120]
        if room <= 0:
            errors.append(
                _("“%(name)s” was not added: at most %(limit)d files per submission.")
                % {"name": safe_name, "limit": MAX_FILES_PER_SUBMISSION}
            )
            continue
        try:
            check_size(upload.size, safe_name)
            clean: CleanFile = clean_upload(
                upload.read(MAX_UPLOAD_BYTES + 1), safe_name
            )
        except InvalidEvidence as error:
            errors.append(str(error))
            continue
        evidence = Evidence(
            submission=submission,
            kind=clean.kind,
            original_name=safe_name,
            size=len(clean.content),
            width=clean.width,
            height=clean.height,
            phash=clean.phash,
            uploaded_by=by,
            uploaded_at=at,
        )
        if clean.phash:
            for band in range(4):
                setattr(
                    evidence, f"phash_band{band}", clean.phash[band * 4 : band * 4 + 4]
                )
        evidence.file.save("upload", ContentFile(clean.content), save=False)
        evidence.save()
        stored.append(evidence)
        room -= 1
    return stored, errors


@transaction.atomic
def remove_evidence(*, evidence: Evidence, by) -> None:
    submission = _locked(evidence.submission)
    if not submission.is_editable:
        raise SubmissionNotEditable(_("This submission can no longer be changed."))
    evidence.file.delete(save=False)
    evidence.delete()


def duplicate_evidence(submission: Submission) -> list[dict]:
    """Earlier evidence anywhere in the province that looks like this submission's photos."""
    found = []
    for evidence in submission.evidence.filter(kind=Evidence.Kind.PHOTO).exclude(
        phash=""
    ):
        bands = {
            f"phash_band{band}": evidence.phash[band * 4 : band * 4 + 4]
            for band in range(4)
        }
        match_any = Q()
        for field, value in bands.items():
            match_any |= Q(**{field: value})
        candidates = (
            Evidence.objects.filter(match_any, uploaded_at__lte=evidence.uploaded_at)
            .exclude(submission=submission)
            .values("submission_id", "phash")[:200]
        )
        for candidate in candidates:
            if hamming(candidate["phash"], evidence.phash) <= DUPLICATE_DISTANCE:
                found.append(
                    {"evidence": evidence.pk, "submission": candidate["submission_id"]}
                )
    return found


def _burst(submission: Submission, *, now: datetime) -> dict | None:
    """The burst flag, if the unit's last hour is far above its own usual hour."""
    others = Submission.objects.filter(unit_id=submission.unit_id).exclude(
        pk=submission.pk
    )
    count = (
        others.filter(
            submitted_at__gt=now - BURST_WINDOW, submitted_at__lte=now
        ).count()
        + 1
    )
    if count < BURST_FLOOR:
        return None
    history = others.filter(
        submitted_at__gt=now - BURST_WINDOW - BURST_HISTORY,
        submitted_at__lte=now - BURST_WINDOW,
    ).aggregate(sent=Count("pk"), hours=Count(TruncHour("submitted_at"), distinct=True))
    usual = history["sent"] / history["hours"] if history["hours"] else 0.0
    if count < max(BURST_FLOOR, BURST_FACTOR * usual):
        return None
    return {
        "code": "burst",
        "count": count,
        "minutes": int(BURST_WINDOW.total_seconds() // 60),
        "usual": round(usual, 1),
        "days": BURST_HISTORY.days,
    }


def plausibility_flags(submission: Submission, *, now: datetime) -> list[dict]:
    """What a reviewer should look at twice. Each flag is a code and its numbers."""
    flags = []
    unit = submission.unit
    if unit.pk:
        totals = headcount_totals(unit)
        people = (
            totals["adult_residents"]
            + totals["students"]
            + totals["public_servants"]
            + totals["enterprise_workers"]
        )
        if people and submission.quantity > people:
            flags.append(
                {
                    "code": "quantity_above_headcount",
                    "quantity": submission.quantity,
                    "headcount": people,
                }
            )
    burst = _burst(submission, now=now)
    if burst:
        flags.append(burst)
    competition = submission.competition
    if not (competition.starts_on <= submission.occurred_on <= competition.ends_on):
        flags.append(
            {"code": "outside_competition", "date": submission.occurred_on.isoformat()}
        )
    for duplicate in duplicate_evidence(submission):
        flags.append({"code": "duplicate_evidence", **duplicate})
    return flags


@transaction.atomic
def submit_submission(
    *, submission: Submission, by, at: datetime, origin: Origin
) -> Submission:
    """Send a draft (or a returned submission) to review."""
    submission = _locked(submission)
    if not submission.is_editable:
        raise SubmissionNotEditable(_("This submission was already sent for review."))
    validate_submission_data(
        SubmissionData(
            competition=submission.competition,
            unit=submission.unit,
            activity_type=submission.activity_type,
            occurred_on=submission.occurred_on,
            quantity=submission.quantity,
            description=submission.description,
            person=submission.person,
        ),
        today=timezone.localdate(at),
    )
    if not submission.evidence.exists():
        raise SubmissionError(
            _("Add at least one photo or document as evidence before sending.")
        )
    submission.submitted_at = at
    submission.flags = plausibility_flags(submission, now=at)
    _transition(submission, to=Status.SUBMITTED, actor=by, at=at, origin=origin)
    tell_reviewers_on_commit(
        unit=submission.unit,
        text=gettext_noop("%(unit)s sent “%(title)s” for review."),
        values={"unit": submission.unit.name, "title": submission_title(submission)},
        link=f"/submissions/{submission.pk}/",
        at=at,
        not_to={submission.submitted_by_id, getattr(by, "pk", None)},
    )
    return submission


def _check_reviewer(submission: Submission, reviewer) -> None:
    if submission.submitted_by_id == reviewer.pk:
        raise CannotReviewOwnSubmission(
            _("You cannot decide a submission you sent yourself.")
        )


def _credit_submission(
    submission: Submission, *, reviewer, at: datetime
) -> list[PointEntry]:
    # Lock the unit (and the person) so that two approvals for the same unit cannot
    # both pass a weekly cap; locks are taken in a fixed order: unit, then person.
    unit = Unit.objects.select_for_update().get(pk=submission.unit_id)
    person = (
        Person.objects.select_for_update().get(pk=submission.person_id)
        if submission.person_id
        else None
    )
    inactive_unit = (
        not unit.is_active
        or Unit.objects.filter(path__in=unit.ancestor_paths, is_active=False).exists()
    )
    if inactive_unit or (person is not None and not person.is_active):
        raise RecipientInactive(
            _("The unit or person is deactivated and no longer earns points.")
        )
    rule = rules.rule_for(
        competition=submission.competition,
        activity_type=submission.activity_type,
        on=submission.occurred_on,
    )
    if rule is None:
        raise NoPointRule(
            _(
                "No point rule covers this activity on that date; ask an administrator to add one."
            )
        )
    cap = rules.check_caps(
        rule=rule, unit=unit, person=person, on=submission.occurred_on
    )
    if cap.reached:
        points = 0
        explanation = _in_default_language(
            lambda: (
                _("Cap reached: at most %(limit)d per %(scope)s per %(period)s.")
                % {
                    "limit": cap.limit,
                    "scope": _("unit") if cap.scope == "unit" else _("person"),
                    "period": rule.get_cap_period_display(),
                }
            )
        )
    else:
        points = rule.points_for(submission.quantity)
        explanation = ""
    return ledger.credit(
        credits=[
            ledger.Credit(
                competition=submission.competition,
                unit=unit,
                person=person,
                activity_type=submission.activity_type,
                rule=rule,
                points=points,
                quantity=min(submission.quantity, rule.max_quantity),
                source="submission",
                explanation=explanation,
                # One approval ever per submission, whether first time or on appeal.
                idempotency_key=f"submission:{submission.pk}:approved",
                occurred_at=rules.occurred_at(submission.occurred_on),
                submission=submission,
                capped=cap.reached,
            )
        ],
        by=reviewer,
        at=at,
    )


def _after_decision(submission: Submission) -> None:
    submission_id, status = submission.pk, submission.status
    transaction.on_commit(
        lambda: submission_decided.send(
            sender=Submission, submission_id=submission_id, status=status
        )
    )


def _awaiting_review(submission: Submission, reviewer) -> Submission:
    """Lock the submission; it must await review and not be the reviewer's own."""
    submission = _locked(submission)
    if submission.status != Status.SUBMITTED:
        raise SubmissionAlreadyDecided(
            _("This submission was already decided or is not awaiting review.")
        )
    _check_reviewer(submission, reviewer)
    return submission


def submission_title(submission: Submission) -> str:
    """What a note calls the submission: its activity and day (not the model's
    str(), whose ISO date and unit read like a database row)."""
    return f"{submission.activity_type.name} ({submission.occurred_on:%d/%m/%Y})"


def _tell_sender(submission: Submission, *, at: datetime, text: str, **values) -> None:
    """Notify the sender in the platform's language (text is a msgid with %(title)s)."""
    values["title"] = submission_title(submission)
    _notify(
        user=submission.submitted_by,
        submission=submission,
        at=at,
        message=_in_default_language(lambda: _(text) % values),
    )


@transaction.atomic
def approve_submission(
    *, submission: Submission, reviewer, at: datetime, origin: Origin
) -> list[PointEntry]:
    """Approve a submission and credit its points once."""
    submission = _awaiting_review(submission, reviewer)
    entries = _credit_submission(submission, reviewer=reviewer, at=at)
    submission.decided_by, submission.decided_at = reviewer, at
    submission.decision_reason = ""
    _transition(submission, to=Status.APPROVED, actor=reviewer, at=at, origin=origin)
    _tell_sender(
        submission,
        at=at,
        text=gettext_noop("Your submission “%(title)s” was approved."),
    )
    _after_decision(submission)
    return entries


@dataclass
class BulkApproval:
    approved: list[Submission]
    refused: list[tuple[Submission, str]]  # each with why, in words


def approve_submissions(
    *, submissions: list[Submission], reviewer, at: datetime, origin: Origin
) -> BulkApproval:
    """Approve each submission in its own transaction: the valid ones once, the
    others (decided already, one's own, no rule, a cap…) listed with the reason.

    One at a time, not one transaction for all: a refused submission must not undo
    the approvals before it, and each keeps every check of approve_submission
    (four eyes, the state it is in, one credit per submission).
    """
    result = BulkApproval(approved=[], refused=[])
    for submission in submissions:
        try:
            approve_submission(
                submission=submission, reviewer=reviewer, at=at, origin=origin
            )
        except SubmissionError as error:
            result.refused.append((submission, str(error)))
        else:
            result.approved.append(submission)
    return result


@transaction.atomic
def reject_submission(
    *, submission: Submission, reviewer, reason: str, at: datetime, origin: Origin
) -> Submission:
    """Reject a submission, saying why; the unit may appeal."""
    submission = _awaiting_review(submission, reviewer)
    if not reason.strip():
        raise SubmissionError(_("Say why the submission is rejected."))
    submission.decided_by, submission.decided_at = reviewer, at
    submission.decision_reason = reason
    _transition(
        submission,
        to=Status.REJECTED,
        actor=reviewer,
        at=at,
        origin=origin,
        reason=reason,
    )
    _tell_sender(
        submission,
        at=at,
        text=gettext_noop("Your submission “%(title)s” was rejected: %(reason)s"),
        reason=reason,
    )
    _after_decision(submission)
    return submission


@transaction.atomic
def return_submission(
    *, submission: Submission, reviewer, reason: str, at: datetime, origin: Origin
) -> Submission:
    """Send a submission back to its unit for more evidence."""
    submission = _awaiting_review(submission, reviewer)
    if not reason.strip():
        raise SubmissionError(_("Say what evidence is missing."))
    submission.decision_reason = reason
    _transition(
        submission,
        to=Status.RETURNED,
        actor=reviewer,
        at=at,
        origin=origin,
        reason=reason,
    )
    _tell_sender(
        submission,
        at=at,
        text=gettext_noop(
            "Your submission “%(title)s” needs more evidence: %(reason)s"
        ),
        reason=reason,
    )
    _after_decision(submission)
    return submission


@transaction.atomic
def appeal_submission(
    *, submission: Submission, by, reason: str, at: datetime, origin: Origin
) -> Submission:
    """Appeal a rejection; another reviewer decides."""
    submission = _locked(submission)
    if submission.status != Status.REJECTED:
        raise SubmissionAlreadyDecided(_("Only a rejected submission can be appealed."))
    if submission.appealed_at is not None:
        raise SubmissionAlreadyDecided(_("This submission was already appealed once."))
    if not reason.strip():
        raise SubmissionError(_("Say why the decision should change."))
    submission.appeal_reason, submission.appealed_at = reason, at
    _transition(
        submission, to=Status.APPEALED, actor=by, at=at, origin=origin, reason=reason
    )
    # Another reviewer decides an appeal: not the one who rejected it.
    tell_reviewers_on_commit(
        unit=submission.unit,
        text=gettext_noop("%(unit)s appealed against the rejection of “%(title)s”."),
        values={"unit": submission.unit.name, "title": submission_title(submission)},
        link=f"/submissions/{submission.pk}/",
        at=at,
        not_to={
            submission.submitted_by_id,
            getattr(by, "pk", None),
            submission.decided_by_id,
        },
    )
    return submission


@transaction.atomic
def decide_appeal(
    *,
    submission: Submission,
    reviewer,
    uphold_rejection: bool,
    reason: str,
    at: datetime,
    origin: Origin,
) -> list[PointEntry]:
    """Decide an appeal: a reviewer other than the one who rejected, and not the sender."""
    submission = _locked(submission)
    if submission.status != Status.APPEALED:
        raise SubmissionAlreadyDecided(_("This appeal was already decided."))
    _check_reviewer(submission, reviewer)
    if submission.decided_by_id == reviewer.pk:
        raise CannotReviewOwnSubmission(
            _("An appeal is decided by another reviewer than the one who rejected it.")
        )
    entries = []
    if uphold_rejection:
        if not reason.strip():
            raise SubmissionError(_("Say why the rejection stands."))
        to = Status.REJECTED
    else:
        entries = _credit_submission(submission, reviewer=reviewer, at=at)
        to = Status.APPROVED
    submission.decided_by, submission.decided_at, submission.decision_reason = (
        reviewer,
        at,
        reason,
    )
    _transition(
        submission,
        to=to,
        actor=reviewer,
        at=at,
        origin=origin,
        reason=reason,
        action=f"appeal.{to}",
    )
    accepted = gettext_noop(
        "Your appeal for “%(title)s” was accepted; the points are credited."
    )
    refused = gettext_noop("Your appeal for “%(title)s” was not accepted: %(reason)s")
    _tell_sender(
        submission,
        at=at,
        text=accepted if to == Status.APPROVED else refused,
        reason=reason,
    )
    _after_decision(submission)
    return entries


def add_comment(*, submission: Submission, author, body: str, at: datetime) -> Comment:
    body = body.strip()
    if not body:
        raise SubmissionError(_("A comment cannot be empty."))
    return Comment.objects.create(
        submission=submission, author=author, body=body[:2000], created_at=at
    )


@transaction.atomic
def revoke_entries(
    *, submission: Submission, by, reason: str, at: datetime, origin: Origin
) -> list[PointEntry]:
    """Take back an approved submission's points (e.g. a false declaration found later)."""
    submission = _locked(submission)
    if not reason.strip():
        raise SubmissionError(_("Say why the points are revoked."))
    reversals = []
    for entry in submission.entries.filter(
        reverses__isnull=True, reversed_by__isnull=True
    ):
        reversal = ledger.reverse(entry=entry, reason=reason, by=by, at=at)
        if reversal:
            reversals.append(reversal)
    if reversals:
        record_event(
            actor=by,
            action="submission.points_revoked",
            obj=submission,
            at=at,
            origin=origin,
            unit=submission.unit,
            from_state=submission.status,
            to_state=submission.status,
            reason=reason,
        )
    return reversals
