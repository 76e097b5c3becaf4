"""Recording the authority's decision, and revoking an award with a reason.

A decision is written once (its rows are append-only on PostgreSQL). Each of its
awards names its nomination, which is unique: two people recording a decision for
the same nominations at once lock the nominations in id order, and the second
finds them awarded and is refused (tested with threads on PostgreSQL).
"""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from badges import services as badge_services
from badges.models import Assertion
from competitions import services as submissions
from competitions.models import Notification, Submission
from units.audit import Origin, record_event
from units.models import Unit

from .access import may_decide
from .errors import (
    AboveAuthority,
    AlreadyDecided,
    CommendationError,
    NotAllowed,
    NotPassed,
    WrongState,
)
from .models import Award, AwardDecision, AwardRevocation, Nomination, SessionItem
from .nominations import _in_default_language, can_decide


def _refuse_unless_decidable(nomination: Nomination, unit: Unit) -> SessionItem | None:
    award = nomination.award_type
    if nomination.authority_unit_id != unit.pk or not can_decide(award, unit):
        raise AboveAuthority(
            _(
                "“%(award)s” for %(name)s is decided by %(authority)s: %(unit)s cannot "
                "decide it. The nomination must be forwarded there."
            )
            % {
                "award": award.name,
                "name": nomination.nominee_name,
                "authority": nomination.authority_unit.name,
                "unit": unit.name,
            }
        )
    status = nomination.status
    if status == Nomination.Status.AWARDED:
        raise AlreadyDecided(
            _("%(name)s was already awarded by decision %(number)s.")
            % {
                "name": nomination.nominee_name,
                "number": nomination.award.decision.number,
            }
        )
    item = (
        nomination.session_items.select_related("session")
        .order_by("-session__held_on", "-pk")
        .first()
    )
    if status == Nomination.Status.APPROVED:
        return item
    if status == Nomination.Status.SUBMITTED and not award.council_vote:
        return None
    if status == Nomination.Status.NOT_APPROVED and item is not None:
        raise NotPassed(
            _(
                "%(name)s did not pass the council's vote: %(yes)s in favour of "
                "%(against)s counted, more than %(threshold)s%% needed. It cannot be decided."
            )
            % {
                "name": nomination.nominee_name,
                "yes": item.yes,
                "against": item.counted_against,
                "threshold": item.threshold_percent,
            }
        )
    if status == Nomination.Status.VOTING:
        raise WrongState(
            _(
                "The council has not closed its vote on %(name)s yet: close the session first."
            )
            % {"name": nomination.nominee_name}
        )
    raise WrongState(
        _("%(name)s cannot be decided now (%(status)s): the council votes first.")
        % {"name": nomination.nominee_name, "status": nomination.get_status_display()}
    )


@transaction.atomic
def record_decision(
    *,
    issuing_unit: Unit,
    number: str,
    signed_on: date,
    signer_name: str,
    signer_title: str,
    subject: str,
    nominations: list[Nomination],
    by,
    at: datetime,
    origin: Origin,
) -> AwardDecision:
    """Record the signed decision and its awards; the nominations become awarded."""
    if not may_decide(by, issuing_unit):
        raise NotAllowed(
            _(
                "Only the deciding unit's administrators or its council secretary record decisions."
            )
        )
    number, signer_name = number.strip(), signer_name.strip()
    if not number or not signer_name or not signer_title.strip():
        raise CommendationError(
            _(
                "Give the decision's number, who signed it and their title, as on the paper."
            )
        )
    if signed_on > timezone.localdate(at):  # signed in Vietnam, on its own date
        raise CommendationError(_("The date of signature cannot be in the future."))
    if not nominations:
        raise CommendationError(_("Choose the nominations the decision awards."))
    locked = list(
        Nomination.objects.select_for_update(of=("self",))
        .select_related(
            "award_type", "authority_unit", "person", "unit", "nominee_unit"
        )
        .filter(pk__in=sorted(n.pk for n in nominations))
        .order_by("pk")
    )
    sessions = set()
    for nomination in locked:
        item = _refuse_unless_decidable(nomination, issuing_unit)
        if item is not None:
            sessions.add(item.session_id)
    try:
        with transaction.atomic():
            decision = AwardDecision.objects.create(
                issuing_unit=issuing_unit,
                number=number[:40],
                signed_on=signed_on,
                signer_name=signer_name[:120],
                signer_title=signer_title.strip()[:200],
                subject=(subject.strip() or _("On commendations"))[:300],
                session_id=min(sessions) if len(sessions) == 1 else None,
                recorded_by=by,
                recorded_at=at,
            )
            awards = Award.objects.bulk_create(
                [
                    Award(
                        decision=decision,
                        nomination=nomination,
                        award_type=nomination.award_type,
                        person=nomination.person,
                        unit=nomination.unit,
                        recipient_name=nomination.nominee_name,
                        recipient_unit=nomination.nominee_unit,
                        citation=(nomination.justification or nomination.basis)[:2000],
                        reward_multiplier=nomination.award_type.multiplier_for(
                            person=bool(nomination.person_id)
                        ),
                    )
                    for nomination in locked
                ]
            )
    except IntegrityError:
        if AwardDecision.objects.filter(
            issuing_unit=issuing_unit, number=number
        ).exists():
            raise CommendationError(
                _("A decision numbered %(number)s of %(unit)s is already recorded.")
                % {"number": number, "unit": issuing_unit.name}
            ) from None
        raise AlreadyDecided(_("These nominations were already decided.")) from None
    Nomination.objects.filter(pk__in=[n.pk for n in locked]).update(
        status=Nomination.Status.AWARDED
    )
    record_event(
        actor=by,
        action="decision.recorded",
        obj=decision,
        at=at,
        origin=origin,
        unit=issuing_unit,
        to_state="recorded",
        reason=f"{decision.number}: {len(awards)}",
    )
    notes = []
    for nomination, award in zip(locked, awards, strict=True):
        record_event(
            actor=by,
            action="nomination.awarded",
            obj=nomination,
            at=at,
            origin=origin,
            unit=issuing_unit,
            from_state=nomination.status,
            to_state=Nomination.Status.AWARDED,
            reason=decision.number,
        )
        if nomination.person_id and nomination.person.user_id:
            notes.append(
                Notification(
                    user_id=nomination.person.user_id,
                    message=_in_default_language(
                        lambda nomination=nomination: (
                            _(
                                "You were awarded “%(award)s” by decision %(number)s. "
                                "Your certificate can be downloaded."
                            )
                            % {
                                "award": nomination.award_type.name,
                                "number": decision.number,
                            }
                        )
                    )[:300],
                    link=reverse("commendations:award", args=[award.uid]),
                    created_at=at,
                )
            )
    Notification.objects.bulk_create(notes)
    return decision


def related_submissions(award: Award):
    """Approved submissions that the award rested on (the nominee's, in the
    review's competition): what a revocation may take the points of."""
    query = Submission.objects.filter(status=Submission.Status.APPROVED)
    nomination = award.nomination
    if nomination.review_id:
        query = query.filter(competition_id=nomination.review.competition_id)
    if award.person_id:
        return query.filter(person_id=award.person_id)
    return query.filter(unit__path__startswith=award.unit.path)


def related_badges(award: Award):
    if award.person_id:
        return Assertion.objects.valid().filter(person_id=award.person_id)
    return Assertion.objects.valid().filter(unit_id=award.unit_id)


@transaction.atomic
def revoke_award(
    *,
    award: Award,
    reason: str,
    decision_number: str,
    by,
    at: datetime,
    origin: Origin,
    submission_ids: list[int] = (),
    assertion_ids: list[int] = (),
) -> AwardRevocation:
    """Revoke an award with a reason; optionally reverse the points and revoke the
    badges that rested on a false declaration (reversal entries, never deletes)."""
    award = Award.objects.select_related(
        "decision__issuing_unit", "nomination__review", "unit", "person"
    ).get(pk=award.pk)
    if not may_decide(by, award.decision.issuing_unit):
        raise NotAllowed(
            _(
                "Only the deciding unit's administrators or its council secretary revoke awards."
            )
        )
    reason, decision_number = reason.strip(), decision_number.strip()
    if not reason or not decision_number:
        raise CommendationError(
            _("Give the reason and the number of the decision that revokes the award.")
        )
    nomination = Nomination.objects.select_for_update(of=("self",)).get(
        pk=award.nomination_id
    )
    if (
        nomination.status == Nomination.Status.REVOKED
        or AwardRevocation.objects.filter(award=award).exists()
    ):
        raise AlreadyDecided(_("This award was already revoked."))
    chosen = list(related_submissions(award).filter(pk__in=list(submission_ids)))
    if len(chosen) != len(set(submission_ids)):
        raise CommendationError(_("Choose the achievements from the list shown."))
    badges = list(related_badges(award).filter(pk__in=list(assertion_ids)))
    if len(badges) != len(set(assertion_ids)):
        raise CommendationError(_("Choose the badges from the list shown."))
    reversed_points = 0
    for submission in chosen:
        for entry in submissions.revoke_entries(
            submission=submission, by=by, reason=reason, at=at, origin=origin
        ):
            reversed_points += entry.points
    for assertion in badges:
        try:
            badge_services.revoke_assertion(
                assertion=assertion, reason=reason, by=by, at=at, origin=origin
            )
        except badge_services.BadgeError as error:
            raise NotAllowed(str(error)) from None
    revocation = AwardRevocation.objects.create(
        award=award,
        reason=reason[:2000],
        decision_number=decision_number[:40],
        revoked_by=by,
        revoked_at=at,
        points_reversed=reversed_points,
        badges_revoked=len(badges),
    )
    from_state = nomination.status
    nomination.status = Nomination.Status.REVOKED
    nomination.save(update_fields=["status"])
    record_event(
        actor=by,
        action="award.revoked",
        obj=nomination,
        at=at,
        origin=origin,
        unit=award.decision.issuing_unit,
        from_state=from_state,
        to_state=nomination.status,
        reason=f"{decision_number}: {reason}"[:2000],
    )
    return revocation
