"""Councils, their sessions and ballots; the result is computed, never typed.

A secret ballot writes two things in one transaction: a "has voted" marker for the
member (a row with no choice column, whose unique constraint refuses a second
ballot) and an increment of the item's tally. Who chose what exists nowhere. An
open ballot also keeps each member's choice by name.

The item's row is locked while a ballot is counted, so two ballots of the same
member racing each other meet the marker's unique constraint one after the other:
one counts, the other is refused (tested with threads on PostgreSQL).
"""

import math
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from units.audit import Origin, record_event
from units.models import Membership

from .access import may_manage
from .errors import (
    AboveAuthority,
    AlreadyVoted,
    CommendationError,
    ConflictOfInterest,
    NoQuorum,
    NotAllowed,
    NotFound,
    WrongState,
)
from .models import (
    AwardType,
    Ballot,
    Council,
    CouncilMember,
    CouncilSession,
    Nomination,
    OpenVote,
    SessionItem,
)


@transaction.atomic
def open_session(
    *, council: Council, title: str, held_on: date, by, at: datetime, origin: Origin
) -> CouncilSession:
    """Open a session of the council; its members are counted now."""
    if not may_manage(by, council.unit):
        raise NotFound(_("There is no such council."))
    title = title.strip()
    if not title:
        raise CommendationError(
            _("Give the session a title, e.g. the review it decides.")
        )
    session = CouncilSession.objects.create(
        council=council,
        title=title[:200],
        held_on=held_on,
        opened_by=by,
        opened_at=at,
        members_total=council.members.filter(is_active=True).count(),
    )
    record_event(
        actor=by,
        action="session.opened",
        obj=session,
        at=at,
        origin=origin,
        unit=council.unit,
        to_state=session.status,
    )
    return session


def _open(session: CouncilSession) -> CouncilSession:
    session = (
        CouncilSession.objects.select_for_update(of=("self",))
        .select_related("council__unit")
        .get(pk=session.pk)
    )
    if session.status != CouncilSession.Status.OPEN:
        raise WrongState(_("This session is closed: its results are final."))
    return session


@transaction.atomic
def set_attendance(
    *, session: CouncilSession, member_ids: list[int], by, at: datetime, origin: Origin
) -> CouncilSession:
    """Record which members are present (the quorum is counted from them)."""
    session = _open(session)
    if not may_manage(by, session.council.unit):
        raise NotAllowed(
            _("Only the council's secretary or the unit's administrators can do this.")
        )
    members = list(
        CouncilMember.objects.filter(
            council=session.council, is_active=True, pk__in=member_ids
        )
    )
    if len(members) != len(set(member_ids)):
        raise NotFound(_("Choose members of this council from the list."))
    session.present.set(members)
    record_event(
        actor=by,
        action="session.attendance",
        obj=session,
        at=at,
        origin=origin,
        unit=session.council.unit,
        from_state=session.status,
        to_state=session.status,
        reason=", ".join(m.name for m in members),
    )
    return session


@transaction.atomic
def add_to_session(
    *,
    session: CouncilSession,
    nominations: list[Nomination],
    by,
    at: datetime,
    origin: Origin,
) -> list[SessionItem]:
    """Put submitted nominations before the council, under their ballot rules."""
    session = _open(session)
    unit = session.council.unit
    if not may_manage(by, unit):
        raise NotAllowed(
            _("Only the council's secretary or the unit's administrators can do this.")
        )
    items = []
    for nomination in (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("award_type", "authority_unit")
        .filter(pk__in=[n.pk for n in nominations])
        .order_by("pk")
    ):
        if nomination.authority_unit_id != unit.pk:
            raise AboveAuthority(
                _(
                    "“%(award)s” for %(name)s is decided by %(authority)s, not by this "
                    "council: the nominating unit forwards it there."
                )
                % {
                    "award": nomination.award_type.name,
                    "name": nomination.nominee_name,
                    "authority": nomination.authority_unit.name,
                }
            )
        if nomination.status != Nomination.Status.SUBMITTED:
            raise WrongState(
                _(
                    "Only a submitted nomination can go before the council (%(name)s: %(status)s)."
                )
                % {
                    "name": nomination.nominee_name,
                    "status": nomination.get_status_display(),
                }
            )
        award = nomination.award_type
        if not award.council_vote:
            raise CommendationError(
                _("“%(award)s” needs no council vote: record the decision directly.")
                % {"award": award.name}
            )
        items.append(
            SessionItem(
                session=session,
                nomination=nomination,
                ballot=award.ballot,
                quorum_percent=award.quorum_percent,
                threshold_percent=award.threshold_percent,
                threshold_strict=award.threshold_strict,
                denominator=award.denominator,
                written_opinions=award.written_opinions,
            )
        )
        nomination.status = Nomination.Status.VOTING
        nomination.save(update_fields=["status"])
        record_event(
            actor=by,
            action="nomination.before_council",
            obj=nomination,
            at=at,
            origin=origin,
            unit=unit,
            from_state=Nomination.Status.SUBMITTED,
            to_state=nomination.status,
            reason=session.title,
        )
    return SessionItem.objects.bulk_create(items)


# --- conflicts of interest -------------------------------------------------------------


def _member_unit_path(member: CouncilMember) -> str | None:
    return (
        Membership.objects.filter(person__user_id=member.user_id, is_primary=True)
        .values_list("unit__path", flat=True)
        .first()
    )


_UNKNOWN = object()


def member_paths(members: list[CouncilMember]) -> dict[int, str]:
    """Each member's primary unit path, in one query."""
    return dict(
        Membership.objects.filter(
            person__user_id__in=[m.user_id for m in members], is_primary=True
        ).values_list("person__user_id", "unit__path")
    )


def conflict(member: CouncilMember, nomination: Nomination, own=_UNKNOWN) -> str:
    """Why the member may not vote on it ("" when they may): their own nomination,
    or one of their own unit (the nominee is their unit, a unit above it, or a
    person of it)."""
    if nomination.person_id and nomination.person.user_id == member.user_id:
        return _("This is your own nomination: you do not vote on it.")
    if own is _UNKNOWN:
        own = _member_unit_path(member)
    if own is not None and own.startswith(nomination.nominee_unit.path):
        return _("This nomination is of your own unit: you do not vote on it.")
    return ""


# --- ballots ------------------------------------------------------------------------------


@transaction.atomic
def cast_ballot(
    *,
    item: SessionItem,
    user,
    choice: str,
    at: datetime,
    origin: Origin,
    in_writing: bool = False,
) -> None:
    """Count one member's ballot on an item, once."""
    if choice not in OpenVote.Choice.values:
        raise CommendationError(_("Choose in favour, against or abstain."))
    item = (
        SessionItem.objects.select_for_update(of=("self",))
        .select_related(
            "session__council__unit", "nomination__nominee_unit", "nomination__person"
        )
        .get(pk=item.pk)
    )
    session = item.session
    member = CouncilMember.objects.filter(
        council=session.council, user=user, is_active=True
    ).first()
    if member is None:
        raise NotAllowed(
            _("You are not a member of this council: only its members vote here.")
        )
    if (
        session.status != CouncilSession.Status.OPEN
        or item.result != SessionItem.Result.PENDING
    ):
        raise WrongState(_("Voting on this nomination is closed."))
    present = session.present.filter(pk=member.pk).exists()
    if in_writing:
        if not item.written_opinions:
            raise CommendationError(
                _("This award takes no written opinions: vote at the session.")
            )
        if present:
            raise CommendationError(
                _("You are present at the session: vote there, not in writing.")
            )
    elif not present:
        raise NotAllowed(
            _(
                "You are not marked present at this session: ask the secretary to mark you present, then vote."
            )
        )
    why = conflict(member, item.nomination)
    if why:
        raise ConflictOfInterest(why)
    try:
        with transaction.atomic():
            Ballot.objects.create(item=item, member=member, in_writing=in_writing)
    except IntegrityError:
        raise AlreadyVoted(
            _("You have already voted on this nomination; a ballot is cast once.")
        ) from None
    counter = {"yes": "yes", "no": "no", "abstain": "abstain"}[choice]
    changes = {counter: F(counter) + 1}
    if in_writing:
        changes["in_writing"] = F("in_writing") + 1
    SessionItem.objects.filter(pk=item.pk).update(**changes)
    if item.ballot == AwardType.Ballot.OPEN:
        OpenVote.objects.create(
            item=item, member=member, choice=choice, in_writing=in_writing
        )
    record_event(
        actor=user,
        action="ballot.in_writing" if in_writing else "ballot.cast",
        obj=item.nomination,
        at=at,
        origin=origin,
        unit=session.council.unit,
        # A secret ballot's choice is written nowhere, the audit trail included.
        to_state=choice if item.ballot == AwardType.Ballot.OPEN else "",
        reason=session.title,
    )


# --- the result ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    members: int
    present: int
    quorum_needed: int
    recused: int
    counted_against: int
    yes: int
    no: int
    abstain: int
    in_writing: int
    threshold_percent: int
    threshold_strict: bool
    denominator: str

    @property
    def quorum(self) -> bool:
        return self.present >= self.quorum_needed

    @property
    def share(self) -> float:
        return 100.0 * self.yes / self.counted_against if self.counted_against else 0.0

    @property
    def passed(self) -> bool:
        if not self.quorum or not self.counted_against:
            return False
        # Compared in integers: 2 of 3 is not 66.67% rounded the wrong way.
        left, right = 100 * self.yes, self.threshold_percent * self.counted_against
        return left > right if self.threshold_strict else left >= right


def count(item: SessionItem, *, present_members=None, members=None) -> Count:
    """The tally of an item against its rules: quorum, denominator, threshold."""
    session = item.session
    if present_members is None:
        present_members = list(session.present.all())
    if members is None:
        members = list(session.council.members.filter(is_active=True))
    total = session.members_total or len(members)
    paths = member_paths(members)
    recused_all = [
        m for m in members if conflict(m, item.nomination, paths.get(m.user_id))
    ]
    recused_ids = {m.pk for m in recused_all}
    recused_present = [m for m in present_members if m.pk in recused_ids]
    if item.denominator == AwardType.Denominator.ALL:
        against = total - len(recused_all)
    else:
        against = len(present_members) - len(recused_present) + item.in_writing
    return Count(
        members=total,
        present=len(present_members),
        quorum_needed=math.ceil(total * item.quorum_percent / 100),
        recused=len(recused_all),
        counted_against=max(against, 0),
        yes=item.yes,
        no=item.no,
        abstain=item.abstain,
        in_writing=item.in_writing,
        threshold_percent=item.threshold_percent,
        threshold_strict=item.threshold_strict,
        denominator=item.denominator,
    )


@transaction.atomic
def close_session(
    *, session: CouncilSession, by, at: datetime, origin: Origin
) -> list[tuple[SessionItem, Count]]:
    """Close the vote: each item's result is computed from its tally and rules."""
    session = _open(session)
    unit = session.council.unit
    if not may_manage(by, unit):
        raise NotAllowed(
            _("Only the council's secretary or the unit's administrators can do this.")
        )
    items = list(
        session.items.select_for_update(of=("self",))
        .select_related(
            "nomination__nominee_unit", "nomination__person", "session__council"
        )
        .filter(result=SessionItem.Result.PENDING)
    )
    present = list(session.present.all())
    members = list(session.council.members.filter(is_active=True))
    results = []
    for item in items:
        tally = count(item, present_members=present, members=members)
        if not tally.quorum:
            raise NoQuorum(
                _(
                    "No quorum: %(present)s of %(members)s members are present and "
                    "%(needed)s are needed. Mark who is present, or hold the vote "
                    "when enough members attend."
                )
                % {
                    "present": tally.present,
                    "members": tally.members,
                    "needed": tally.quorum_needed,
                }
            )
        results.append((item, tally))
    for item, tally in results:
        item.result = (
            SessionItem.Result.PASSED if tally.passed else SessionItem.Result.FAILED
        )
        item.counted_against = tally.counted_against
        item.save(update_fields=["result", "counted_against"])
        nomination = item.nomination
        nomination.status = (
            Nomination.Status.APPROVED
            if tally.passed
            else Nomination.Status.NOT_APPROVED
        )
        nomination.save(update_fields=["status"])
        record_event(
            actor=by,
            action="nomination.voted",
            obj=nomination,
            at=at,
            origin=origin,
            unit=unit,
            from_state=Nomination.Status.VOTING,
            to_state=nomination.status,
            reason=(
                f"{tally.yes}/{tally.counted_against} "
                f"({tally.share:.1f}%; {tally.no} / {tally.abstain})"
            ),
        )
    session.status = CouncilSession.Status.CLOSED
    session.closed_at, session.closed_by = at, by
    session.save(update_fields=["status", "closed_at", "closed_by"])
    record_event(
        actor=by,
        action="session.closed",
        obj=session,
        at=at,
        origin=origin,
        unit=unit,
        from_state=CouncilSession.Status.OPEN,
        to_state=session.status,
    )
    return results
