"""Nominations: proposed at a review by its rules, or by hand; submitted (forwarded
upward when the award is above the nominating unit's authority), returned with a
reason and resubmitted.

A review's proposals read what the platform already keeps ranked: the ranking
store for the top of a board (one pipelined read for hundreds of boards, never a
sum over the ledger per person), the badges' assertions for holders, and the
target-reached measure of the boards. Writing them is one insert that skips what
the unique constraints already hold, so closing a review twice proposes nobody
twice.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from badges.models import Assertion
from competitions.models import Notification
from leaderboards.boards import PEOPLE, Board
from leaderboards.selectors import board_rows, entity_label, shared_ranks
from leaderboards.stores import get_store
from units import bulk
from units.audit import Origin, record_event
from units.models import Membership, Unit
from units.permissions import Action, can

from .access import may_manage
from .errors import CommendationError, NotAllowed, NotFound, WrongState
from .models import AwardType, Nomination, ProposalRule, Review

log = logging.getLogger(__name__)

# Boards read per pipelined round trip to the ranking store.
BOARDS_PER_READ = 500
# How far past the top N a window reads, so that a tie at the N-th place is kept.
TIE_MARGIN = 20


# --- who decides -------------------------------------------------------------------


def authority_for(award_type: AwardType, unit: Unit) -> Unit | None:
    """The nearest unit at or above `unit` whose head decides the award type."""
    paths = [*unit.ancestor_paths, unit.path]
    found = [
        candidate
        for candidate in Unit.objects.filter(
            path__in=paths, kind__in=award_type.authority_kinds, is_active=True
        )
    ]
    return max(found, key=lambda u: len(u.path)) if found else None


def can_decide(award_type: AwardType, unit: Unit) -> bool:
    return unit.kind in award_type.authority_kinds


def _authority_or_refuse(award_type: AwardType, unit: Unit) -> Unit:
    authority = authority_for(award_type, unit)
    if authority is None:
        raise CommendationError(
            _(
                "No unit at or above %(unit)s decides “%(award)s”. Choose an award "
                "that %(unit)s or a unit above it can decide."
            )
            % {"unit": unit.name, "award": award_type.name}
        )
    return authority


# --- proposals at a review -----------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    person_id: int | None
    unit_id: int | None
    rank: int | None
    value: int | None
    basis: str


def _board_scopes(rule: ProposalRule, review: Review) -> list[tuple[int, str]]:
    if not rule.per_scope_kind:
        return [(review.unit_id, review.unit.name)]
    return list(
        Unit.objects.filter(
            path__startswith=review.unit.path,
            kind=rule.per_scope_kind,
            is_active=True,
        )
        .order_by("path")
        .values_list("pk", "name")
    )


def _top_of_boards(rule: ProposalRule, review: Review, *, today) -> list[Candidate]:
    """The top N (ties at the N-th place included) of each board, all time."""
    store = get_store()
    scopes = _board_scopes(rule, review)
    label = str(entity_label(rule.entity)).lower()
    template = _("Rank %(rank)s among %(who)s of %(scope)s: %(points)s points")
    found = []
    for start in range(0, len(scopes), BOARDS_PER_READ):
        chunk = scopes[start : start + BOARDS_PER_READ]
        keys = [
            Board(
                review.competition_id, scope_id, rule.entity, "all", "points"
            ).storage_key(today)
            for scope_id, _name in chunk
        ]
        # One past the N-th place tells whether a tie crosses it; only those
        # boards are read again, further (a fifth of the rows to decode).
        pages = [
            ranked
            for ranked, _count in store.windows_and_standing(
                [(key, 0, rule.top + 1) for key in keys]
            )[0]
        ]
        tied = [
            index
            for index, ranked in enumerate(pages)
            if len(ranked) > rule.top and ranked[rule.top][1] == ranked[rule.top - 1][1]
        ]
        if tied:
            wider, _mine = store.windows_and_standing(
                [(keys[index], 0, rule.top + TIE_MARGIN) for index in tied]
            )
            for index, (ranked, _count) in zip(tied, wider, strict=True):
                pages[index] = ranked
        for (_scope_id, scope_name), ranked in zip(chunk, pages, strict=True):
            ranks = shared_ranks([points for _member, points in ranked])
            for (member, points), rank in zip(ranked, ranks, strict=True):
                if rank > rule.top or points <= 0:
                    break
                basis = template % {
                    "rank": rank,
                    "who": label,
                    "scope": scope_name,
                    "points": f"{points:,}".replace(",", "."),
                }
                if rule.entity == PEOPLE:
                    found.append(Candidate(member, None, rank, points, basis))
                else:
                    found.append(Candidate(None, member, rank, points, basis))
    return found


def _badge_holders(rule: ProposalRule, review: Review) -> list[Candidate]:
    held = Assertion.objects.valid().filter(badge_slug=rule.badge_slug)
    basis_of = _("Holds the badge “%(badge)s”")
    # The subtree's active people as a semi-join (one pass over the memberships),
    # not a four-way join with the assertions: without statistics (a review run
    # right after a bulk load) PostgreSQL planned the join as nested loops that ran
    # for minutes on the demo. No ordering: DISTINCT must dedupe on what it returns.
    in_subtree = Membership.objects.filter(
        is_primary=True,
        person__is_active=True,
        unit__path__startswith=review.unit.path,
    ).values("person_id")
    people = (
        held.filter(person_id__in=in_subtree)
        .order_by()
        .values_list("person_id", "badge_class__name")
        .distinct()
    )
    units = (
        held.filter(unit__path__startswith=review.unit.path, unit__is_active=True)
        .order_by()
        .values_list("unit_id", "badge_class__name")
        .distinct()
    )
    found = [
        Candidate(pid, None, None, None, basis_of % {"badge": name})
        for pid, name in people
    ]
    found += [
        Candidate(None, uid, None, None, basis_of % {"badge": name})
        for uid, name in units
    ]
    return found


def _target_reached(rule: ProposalRule, review: Review, *, today) -> list[Candidate]:
    board = Board(review.competition_id, review.unit_id, rule.entity, "all", "kpi")
    rows, _total = board_rows(board, limit=100_000, today=today)
    return [
        Candidate(
            None,
            row.member,
            row.rank,
            None,
            _("Reached %(value)s%% of the target (at least %(target)s%% asked)")
            % {"value": row.value, "target": rule.target_percent},
        )
        for row in rows
        if row.value >= rule.target_percent
    ]


def candidates(rule: ProposalRule, review: Review, *, today) -> list[Candidate]:
    """Everyone the rule proposes, before eligibility and deduplication."""
    if rule.kind == ProposalRule.Kind.BOARD_TOP:
        return _top_of_boards(rule, review, today=today)
    if rule.kind == ProposalRule.Kind.BADGE_HOLDERS:
        return _badge_holders(rule, review)
    return _target_reached(rule, review, today=today)


def _primary_units(person_ids: list[int]) -> dict[int, int]:
    found = {}
    for start in range(0, len(person_ids), 20_000):
        found.update(
            Membership.objects.filter(
                person_id__in=person_ids[start : start + 20_000], is_primary=True
            ).values_list("person_id", "unit_id")
        )
    return found


@dataclass(frozen=True)
class Proposed:
    new: int
    already: int


def _in_default_language(factory):
    with translation.override(settings.LANGUAGE_CODE):
        return factory()


@transaction.atomic
def close_review(*, review: Review, by, at: datetime, origin: Origin) -> Proposed:
    """Close the review and propose its nominations by its rules.

    Closing again proposes only whom the rules now find and nobody twice (the
    nominations' unique constraints decide, not a check made beforehand).
    """
    review = Review.objects.select_for_update().select_related("unit").get(pk=review.pk)
    if not may_manage(by, review.unit):
        raise NotFound(_("There is no such review."))
    return propose(review=review, by=by, at=at, origin=origin)


@transaction.atomic
def propose(*, review: Review, by, at: datetime, origin: Origin) -> Proposed:
    """close_review without its permission check, for a caller that made its own:
    a campaign's organiser proposes the top branches when the campaign closes
    (campaigns.services), without being an administrator of the deciding unit."""
    review = Review.objects.select_for_update().select_related("unit").get(pk=review.pk)
    rules = list(review.rules.select_related("award_type"))
    if not rules:
        raise CommendationError(
            _("This review has no proposal rules. Add one in the administration first.")
        )
    today = timezone.localdate(at)
    # (award, "p" or "u", id) -> the row's values: the first rule to find a
    # nominee for an award proposes them.
    rows: dict[tuple, tuple] = {}
    for rule in rules:
        authority = _authority_or_refuse(rule.award_type, review.unit)
        # The basis of each is stored text read by others: the platform's language.
        with translation.override(settings.LANGUAGE_CODE):
            found = candidates(rule, review, today=today)
        eligible_units = _eligible_units(
            rule.award_type, [c.unit_id for c in found if c.unit_id]
        )
        for candidate in found:
            if candidate.person_id:
                if not rule.award_type.for_people:
                    continue
                key = (rule.award_type_id, "p", candidate.person_id)
            else:
                if candidate.unit_id not in eligible_units:
                    continue
                key = (rule.award_type_id, "u", candidate.unit_id)
            if key not in rows:
                rows[key] = (
                    rule.pk,
                    rule.award_type_id,
                    candidate.person_id,
                    candidate.unit_id,
                    authority.pk,
                    candidate.basis[:300],
                    candidate.rank,
                    candidate.value,
                )
    by_id = by if getattr(by, "pk", None) else None
    new_ids: list[int] = []
    if bulk.available():
        written = _propose_in_one_statement(
            list(rows.values()), review=review, by=by_id, at=at
        )
        found_count, new_count = written.found, written.written
    else:
        new_ids, found_count = _propose_row_by_row(
            list(rows.values()), review=review, by=by_id, at=at
        )
        new_count = len(new_ids)
    from_state = review.status
    review.status = Review.Status.CLOSED
    review.closed_at = review.closed_at or at
    review.closed_by = review.closed_by or (by if getattr(by, "pk", None) else None)
    review.proposed = review.nominations.count()
    review.save()
    record_event(
        actor=by,
        action="review.closed",
        obj=review,
        at=at,
        origin=origin,
        unit=review.unit,
        from_state=from_state,
        to_state=review.status,
        reason=_in_default_language(
            lambda: (
                _("%(new)s new of %(found)s found")
                % {"new": new_count, "found": found_count}
            )
        ),
    )
    if not bulk.available():
        _tell_nominees(new_ids, at=at)
    return Proposed(new=new_count, already=found_count - new_count)


@dataclass(frozen=True)
class _Written:
    found: int
    written: int


def _proposal_message(award: str) -> str:
    return _in_default_language(
        lambda: (
            _(
                "You were proposed for “%(award)s”. Your unit prepares the "
                "dossier from your records."
            )
            % {"award": award}
        )
    )[:300]


STAGE_COLUMNS = (
    "rule_id bigint, award_type_id bigint, person_id bigint, unit_id bigint, "
    "authority_unit_id bigint, basis varchar(300), rank integer, value bigint"
)


def _propose_in_one_statement(rows, *, review, by, at) -> _Written:
    """PostgreSQL: the candidates COPied to a staging table, then one statement
    writes the nominations the unique constraints let through and a
    notification to each nominee who signs in. Their audit trail starts at the
    review's close (selectors.nomination_trail): one event for all of them.

    A province's final review proposes some 70,000 people and units: building a
    model, an audit event and a notification for each in Python was four fifths
    of its time (measured). A person's unit is their primary membership, joined
    here; someone without one is not proposed.
    """
    if not rows:
        return _Written(0, 0)
    award_ids = sorted({row[1] for row in rows})
    names = dict(AwardType.objects.filter(pk__in=award_ids).values_list("pk", "name"))
    placeholder = "00000000-0000-0000-0000-000000000000"
    prefix, suffix = reverse("commendations:nomination", args=[placeholder]).split(
        placeholder
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS stage_proposals ({STAGE_COLUMNS})"
        )
        with cursor.copy("COPY stage_proposals FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            PROPOSE_SQL,
            {
                "review": review.pk,
                "unit": review.unit_id,
                "status": Nomination.Status.PROPOSED,
                "at": at,
                "by": by.pk if by is not None else None,
                "prefix": prefix,
                "suffix": suffix,
                "awards": award_ids,
                "messages": [_proposal_message(names[pk]) for pk in award_ids],
            },
        )
        found, written = cursor.fetchone()
        cursor.execute("TRUNCATE stage_proposals")
    return _Written(found, written)


PROPOSE_SQL = """
WITH candidate AS (
    SELECT s.*, COALESCE(s.unit_id, m.unit_id) AS nominee_unit_id
    FROM stage_proposals s
    LEFT JOIN units_membership m ON m.person_id = s.person_id AND m.is_primary
    WHERE s.unit_id IS NOT NULL OR m.unit_id IS NOT NULL
), new AS (
    INSERT INTO commendations_nomination (
        uid, review_id, rule_id, award_type_id, person_id, unit_id,
        nominee_unit_id, nominating_unit_id, authority_unit_id, status, basis,
        justification, rank, value, return_reason, proposed_at, proposed_by_id
    )
    SELECT gen_random_uuid(), %(review)s, rule_id, award_type_id, person_id,
        unit_id, nominee_unit_id, %(unit)s, authority_unit_id, %(status)s, basis,
        '', rank, value, '', %(at)s, %(by)s
    FROM candidate
    ORDER BY award_type_id, rank NULLS LAST, person_id, unit_id
    ON CONFLICT DO NOTHING
    RETURNING id, uid, person_id, award_type_id, nominee_unit_id
), notified AS (
    INSERT INTO competitions_notification (user_id, message, link, created_at)
    SELECT p.user_id, note.message, %(prefix)s || new.uid::text || %(suffix)s,
        %(at)s
    FROM new
    JOIN units_person p ON p.id = new.person_id
    JOIN unnest(%(awards)s::bigint[], %(messages)s::text[])
        AS note(award_type_id, message) ON note.award_type_id = new.award_type_id
    WHERE p.user_id IS NOT NULL
)
SELECT (SELECT count(*) FROM candidate), (SELECT count(*) FROM new)
"""


def _propose_row_by_row(rows, *, review, by, at) -> tuple[list[int], int]:
    """Elsewhere (SQLite): models written in bulk; returns the new ids and how
    many had a unit to be proposed from."""
    primary = _primary_units([row[2] for row in rows if row[2]])
    nominations = [
        Nomination(
            review=review,
            rule_id=rule_id,
            award_type_id=award_type_id,
            person_id=person_id,
            unit_id=unit_id,
            nominee_unit_id=unit_id or primary[person_id],
            nominating_unit=review.unit,
            authority_unit_id=authority_id,
            status=Nomination.Status.PROPOSED,
            basis=basis,
            rank=rank,
            value=value,
            proposed_at=at,
            proposed_by=by,
        )
        for (
            rule_id,
            award_type_id,
            person_id,
            unit_id,
            authority_id,
            basis,
            rank,
            value,
        ) in rows
        if unit_id or person_id in primary
    ]
    return _insert(nominations), len(nominations)


def _eligible_units(award_type: AwardType, unit_ids: list[int]) -> set[int]:
    if not award_type.for_units or not unit_ids:
        return set()
    query = Unit.objects.filter(pk__in=unit_ids, is_active=True)
    if award_type.unit_kinds:
        query = query.filter(kind__in=award_type.unit_kinds)
    return set(query.values_list("pk", flat=True))


def _insert(nominations: list[Nomination]) -> list[int]:
    """Insert what the constraints do not already hold; return the new ids."""
    if not nominations:
        return []
    if bulk.available():
        written = bulk.insert_new(nominations, key_fields=("uid",))
        return sorted(written.values())
    before = set(
        Nomination.objects.filter(review=nominations[0].review).values_list(
            "pk", flat=True
        )
    )
    Nomination.objects.bulk_create(nominations, ignore_conflicts=True, batch_size=2000)
    after = set(
        Nomination.objects.filter(review=nominations[0].review).values_list(
            "pk", flat=True
        )
    )
    return sorted(after - before)


def _tell_nominees(ids: list[int], *, at) -> None:
    """Tell the nominees who sign in that they were proposed."""
    notes = []
    for start in range(0, len(ids), 5000):
        rows = Nomination.objects.filter(
            pk__in=ids[start : start + 5000], person__user__isnull=False
        ).values_list("uid", "person__user_id", "award_type__name")
        for uid, user_id, award in rows:
            notes.append(
                Notification(
                    user_id=user_id,
                    message=_proposal_message(award),
                    link=reverse("commendations:nomination", args=[uid]),
                    created_at=at,
                )
            )
    Notification.objects.bulk_create(notes, batch_size=5000)


# --- by hand ---------------------------------------------------------------------------


@transaction.atomic
def nominate(
    *,
    nominating_unit: Unit,
    award_type: AwardType,
    justification: str,
    by,
    at: datetime,
    origin: Origin,
    person=None,
    unit: Unit | None = None,
) -> Nomination:
    """Propose a person or a unit of one's own subtree, with a justification."""
    if not can(by, Action.NOMINATE, nominating_unit):
        raise NotFound(_("There is no such unit."))
    if (person is None) == (unit is None):
        raise CommendationError(_("Choose one person or one unit to propose."))
    if person is not None:
        membership = (
            Membership.objects.filter(person=person, is_primary=True)
            .select_related("unit")
            .first()
        )
        if (
            membership is None
            or not membership.unit.path.startswith(nominating_unit.path)
            or not person.is_active
        ):
            raise NotFound(
                _("There is no such person in your unit. Choose someone from the list.")
            )
        nominee_unit = membership.unit
        if not award_type.for_people:
            raise CommendationError(
                _("“%(award)s” is awarded to collectives only. Choose a unit.")
                % {"award": award_type.name}
            )
    else:
        if not unit.path.startswith(nominating_unit.path) or not unit.is_active:
            raise NotFound(
                _("There is no such unit in your subtree. Choose one from the list.")
            )
        nominee_unit = unit
        if not award_type.admits_unit(unit):
            raise CommendationError(
                _(
                    "“%(award)s” is not awarded to a unit of this kind. Choose another award."
                )
                % {"award": award_type.name}
            )
    justification = justification.strip()
    if len(justification) < 20:
        raise CommendationError(
            _(
                "Write the justification: what the nominee achieved (20 characters at least)."
            )
        )
    authority = _authority_or_refuse(award_type, nominating_unit)
    nomination = Nomination.objects.create(
        award_type=award_type,
        person=person,
        unit=unit,
        nominee_unit=nominee_unit,
        nominating_unit=nominating_unit,
        authority_unit=authority,
        justification=justification[:5000],
        proposed_at=at,
        proposed_by=by,
    )
    record_event(
        actor=by,
        action="nomination.proposed",
        obj=nomination,
        at=at,
        origin=origin,
        unit=nominee_unit,
        to_state=nomination.status,
        reason=justification[:500],
    )
    _tell_nominees([nomination.pk], at=at)
    return nomination


# --- submission, forwarding, return ------------------------------------------------------


def _locked(nomination: Nomination) -> Nomination:
    return (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("award_type", "nominating_unit", "authority_unit")
        .get(pk=nomination.pk)
    )


def _submit_one(nomination: Nomination, *, by, at: datetime, origin: Origin) -> None:
    if nomination.status not in Nomination.AT_NOMINATING_UNIT:
        raise WrongState(
            _("This nomination was already sent on (now: %(status)s).")
            % {"status": nomination.get_status_display()}
        )
    if not (nomination.justification.strip() or nomination.basis.strip()):
        raise CommendationError(_("Write the justification before sending it."))
    from_state = nomination.status
    nomination.status = Nomination.Status.SUBMITTED
    nomination.submitted_at = at
    nomination.save(update_fields=["status", "submitted_at"])
    record_event(
        actor=by,
        action="nomination.forwarded"
        if nomination.forwarded
        else "nomination.submitted",
        obj=nomination,
        at=at,
        origin=origin,
        unit=nomination.authority_unit,
        from_state=from_state,
        to_state=nomination.status,
        reason=(
            f"{nomination.nominating_unit.name} → {nomination.authority_unit.name}"
        ),
    )


@transaction.atomic
def submit_nomination(
    *, nomination: Nomination, by, at: datetime, origin: Origin
) -> Nomination:
    """Send it to the unit that decides: forwarded upward when that is above."""
    nomination = _locked(nomination)
    if not can(by, Action.NOMINATE, nomination.nominating_unit):
        raise NotAllowed(_("Only the nominating unit's officers can send it."))
    _submit_one(nomination, by=by, at=at, origin=origin)
    return nomination


@transaction.atomic
def submit_review(*, review: Review, by, at: datetime, origin: Origin) -> int:
    """Send every proposed nomination of a review on; return how many."""
    if not can(by, Action.NOMINATE, review.unit):
        raise NotAllowed(_("Only the reviewing unit's officers can send them."))
    sent = 0
    for nomination in (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("nominating_unit", "authority_unit")
        .filter(review=review, status=Nomination.Status.PROPOSED)
        .order_by("pk")
    ):
        _submit_one(nomination, by=by, at=at, origin=origin)
        sent += 1
    return sent


@transaction.atomic
def return_nomination(
    *, nomination: Nomination, reason: str, by, at: datetime, origin: Origin
) -> Nomination:
    """Send it back to the nominating unit with a reason; it may be resubmitted."""
    nomination = _locked(nomination)
    if not may_manage(by, nomination.authority_unit):
        raise NotAllowed(
            _(
                "Only the deciding unit's administrators or council secretary can return it."
            )
        )
    if nomination.status not in (
        Nomination.Status.SUBMITTED,
        Nomination.Status.NOT_APPROVED,
    ):
        raise WrongState(
            _(
                "Only a nomination waiting for the council can be returned (now: %(status)s)."
            )
            % {"status": nomination.get_status_display()}
        )
    reason = reason.strip()
    if not reason:
        raise CommendationError(
            _("Say why it is returned, so the unit can complete it.")
        )
    from_state = nomination.status
    nomination.status = Nomination.Status.RETURNED
    nomination.return_reason = reason[:2000]
    nomination.save(update_fields=["status", "return_reason"])
    record_event(
        actor=by,
        action="nomination.returned",
        obj=nomination,
        at=at,
        origin=origin,
        unit=nomination.nominating_unit,
        from_state=from_state,
        to_state=nomination.status,
        reason=reason[:2000],
    )
    if nomination.proposed_by_id:
        Notification.objects.create(
            user_id=nomination.proposed_by_id,
            message=_in_default_language(
                lambda: _("A nomination was returned: %(reason)s") % {"reason": reason}
            )[:300],
            link=reverse("commendations:nomination", args=[nomination.uid]),
            created_at=at,
        )
    return nomination


@transaction.atomic
def update_justification(
    *, nomination: Nomination, justification: str, by, at: datetime, origin: Origin
) -> Nomination:
    """Complete a proposed or returned nomination's justification."""
    nomination = _locked(nomination)
    if not can(by, Action.NOMINATE, nomination.nominating_unit):
        raise NotAllowed(_("Only the nominating unit's officers can edit it."))
    if nomination.status not in Nomination.AT_NOMINATING_UNIT:
        raise WrongState(_("A nomination that was sent on can no longer be edited."))
    justification = justification.strip()
    if len(justification) < 20:
        raise CommendationError(
            _(
                "Write the justification: what the nominee achieved (20 characters at least)."
            )
        )
    nomination.justification = justification[:5000]
    nomination.save(update_fields=["justification"])
    record_event(
        actor=by,
        action="nomination.edited",
        obj=nomination,
        at=at,
        origin=origin,
        unit=nomination.nominee_unit,
        from_state=nomination.status,
        to_state=nomination.status,
        reason=justification[:500],
    )
    return nomination
