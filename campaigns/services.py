"""The verbs of a campaign: create it, enrol and join, check in, verify, close.

Each verb is one transaction: the campaign changes and its audit event is written,
or nothing is. Check-ins are submissions of the campaign's own competition, made
and decided through competitions.services, so points, caps, duplicate-photo flags
and the audit trail are that app's.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from badges.models import BadgeClass
from commendations import nominations
from commendations.errors import CommendationError
from commendations.models import AwardType, ProposalRule, Review
from competitions import ledger
from competitions import services as submissions
from competitions.models import ActivityType, Competition, PointRule, Submission
from competitions.rules import occurred_at
from leaderboards.hub import announce
from learning import codes
from units.audit import Origin, record_event
from units.limits import Limit, address_subject, give_back, take
from units.models import Membership, Unit
from units.permissions import Action, can

from . import selectors
from .models import (
    CHECK_IN_ACTIVITIES,
    MAX_TARGET,
    Campaign,
    Enrolment,
    Goal,
    Snapshot,
)
from .templates import CHECK_IN_RULES, TEMPLATES

GOAL_MET_ACTIVITY = "campaign-goal-met"
# The award the top branches are proposed for, and how many are proposed.
PROPOSED_AWARD = "bang-khen-bdhvs"
PROPOSED_TOP = 3
MAX_DAYS = 366
MAX_CHECK_IN_QUANTITY = 1000

# Wrong join codes allowed per user, per client address and for everyone: a code
# has 26**11 values, so guessing is hopeless unless it is free.
WRONG_CODE_LIMITS = {
    "user": [Limit(5, 10 * 60), Limit(20, 24 * 3600)],
    "address": [Limit(50, 24 * 3600)],
    "everyone": [Limit(5_000, 24 * 3600)],
}


class CampaignError(Exception):
    """A refused step; `status` is the HTTP answer, `message` says what to do."""

    status = 400

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NotFound(CampaignError):
    status = 404


class WrongState(CampaignError):
    status = 409


class TooManyWrongCodes(CampaignError):
    status = 429


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def may_organise(user, campaign: Campaign) -> bool:
    return can(user, Action.ORGANISE_CAMPAIGN, campaign.organiser)


def _organised(campaign: Campaign, user) -> Campaign:
    """Lock the campaign; 404 unless the user organises it (foreign = missing)."""
    campaign = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("organiser", "competition")
        .get(pk=campaign.pk)
    )
    if not may_organise(user, campaign):
        raise NotFound(_("There is no such campaign."))
    return campaign


def _running(campaign: Campaign) -> None:
    if campaign.is_closed:
        raise WrongState(
            _("This campaign is closed; its results are frozen and cannot be changed.")
        )


def check_target(value) -> int:
    """A goal's target from a form: a whole number from 1 to MAX_TARGET."""
    try:
        target = int(str(value).strip())
    except (TypeError, ValueError):
        raise CampaignError(
            _("Write each target as a whole number, for example 20.")
        ) from None
    if target <= 0:
        raise CampaignError(
            _("A target must be at least 1: write how many each branch should reach.")
        )
    if target > MAX_TARGET:
        raise CampaignError(
            _(
                "A target above %(max)s per branch is not plausible; check the number "
                "(it is per branch, not for the whole campaign)."
            )
            % {"max": f"{MAX_TARGET:,}".replace(",", ".")}
        )
    return target


def _check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise CampaignError(_("The campaign must end on or after the day it starts."))
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise CampaignError(_("A campaign lasts at most a year; shorten the period."))


@dataclass(frozen=True)
class Created:
    campaign: Campaign
    join_code: str


@transaction.atomic
def create_campaign(
    *,
    organiser: Unit,
    template: str,
    by,
    at: datetime,
    origin: Origin,
    name: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    targets: dict[str, object] | None = None,
) -> Created:
    """Create a running campaign from a template, with its competition and code."""
    if not can(by, Action.ORGANISE_CAMPAIGN, organiser):
        raise NotFound(_("There is no such unit."))
    chosen = TEMPLATES.get(template)
    if chosen is None:
        raise CampaignError(_("Choose one of the templates."))
    starts_on = starts_on or timezone.localdate(at)
    ends_on = ends_on or starts_on + timedelta(days=chosen.days - 1)
    if chosen.festival:
        ends_on = starts_on  # a festival is one day
    _check_period(starts_on, ends_on)
    name = (name or chosen.name).strip()[:200]
    goals = {}
    for metric, default in chosen.goals.items():
        raw = (targets or {}).get(metric, default)
        goals[metric] = check_target(raw)
    competition = Competition.objects.create(
        name=name,
        kind=Competition.Kind.THEMATIC,
        scope_unit=organiser,
        starts_on=starts_on,
        ends_on=ends_on,
        eligible_unit_kinds=[Unit.Kind.YOUTH_BRANCH],
        status=Competition.Status.RUNNING,
        description=str(chosen.summary),
    )
    campaign = Campaign.objects.create(
        name=name,
        description=str(chosen.summary),
        template=chosen.code,
        organiser=organiser,
        competition=competition,
        starts_on=starts_on,
        ends_on=ends_on,
        is_festival=chosen.festival,
        created_by=by,
        created_at=at,
    )
    activities = {
        a.code: a
        for a in ActivityType.objects.filter(
            code__in=[*CHECK_IN_ACTIVITIES.values(), GOAL_MET_ACTIVITY]
        )
    }
    for order, (metric, target) in enumerate(goals.items()):
        activity = activities.get(CHECK_IN_ACTIVITIES.get(metric, ""))
        Goal.objects.create(
            campaign=campaign,
            metric=metric,
            target=target,
            activity_type=activity,
            order=order,
        )
        if activity is not None:
            rule = CHECK_IN_RULES[metric]
            PointRule.objects.create(
                competition=competition,
                activity_type=activity,
                version=1,
                effective_from=starts_on,
                points_per_event=rule.points_per_event,
                points_per_quantity=rule.points_per_quantity,
                max_quantity=rule.max_quantity,
                cap_period=PointRule.Period.DAY,
                max_events_per_person=rule.max_events_per_person_per_day,
                note=name[:300],
                created_by=by,
            )
    PointRule.objects.create(
        competition=competition,
        activity_type=activities[GOAL_MET_ACTIVITY],
        version=1,
        effective_from=starts_on,
        points_per_event=1,
        note=name[:300],
        created_by=by,
    )
    code = codes.new_code()
    campaign.join_code_digest = _digest(code)
    campaign.save(update_fields=["join_code_digest"])
    record_event(
        actor=by,
        action="campaign.created",
        obj=campaign,
        at=at,
        origin=origin,
        unit=organiser,
        to_state=campaign.status,
    )
    return Created(campaign, code)


@transaction.atomic
def new_join_code(*, campaign: Campaign, by, at: datetime, origin: Origin) -> str:
    """Make a new join code (the old one stops working); return it, shown once."""
    campaign = _organised(campaign, by)
    _running(campaign)
    code = codes.new_code()
    campaign.join_code_digest = _digest(code)
    campaign.save(update_fields=["join_code_digest"])
    record_event(
        actor=by,
        action="campaign.new_code",
        obj=campaign,
        at=at,
        origin=origin,
        unit=campaign.organiser,
    )
    return code


@transaction.atomic
def set_targets(
    *, campaign: Campaign, targets: dict[str, object], by, at: datetime, origin: Origin
) -> list[Goal]:
    """Change the goals' targets while the campaign runs."""
    campaign = _organised(campaign, by)
    _running(campaign)
    goals = list(campaign.goals.all())
    checked = {
        goal.pk: check_target(targets[goal.metric])
        for goal in goals
        if goal.metric in targets
    }
    for goal in goals:
        if goal.pk in checked and checked[goal.pk] != goal.target:
            goal.target = checked[goal.pk]
            goal.save(update_fields=["target"])
    record_event(
        actor=by,
        action="campaign.targets",
        obj=campaign,
        at=at,
        origin=origin,
        unit=campaign.organiser,
        reason=", ".join(f"{g.metric}={g.target}" for g in goals)[:500],
    )
    selectors.forget(campaign.pk)
    _moved_on_commit(campaign)
    return goals


def no_such_branch() -> NotFound:
    """The one answer to a branch that is missing, foreign or not a branch."""
    return NotFound(
        _(
            "There is no such youth branch under the organiser. Choose a branch "
            "from the list."
        )
    )


def _enrollable(campaign: Campaign, unit: Unit | None) -> None:
    if (
        unit is None
        or unit.kind != Unit.Kind.YOUTH_BRANCH
        or not unit.is_active
        or not unit.path.startswith(campaign.organiser.path)
    ):
        raise no_such_branch()


def _moved_on_commit(campaign: Campaign) -> None:
    """Tell the live pages after commit, as a board move does: a branch enrolled or
    a target changed moves no points, but the campaign's page changes."""
    key = selectors.board_of(campaign).storage_key(timezone.localdate())
    transaction.on_commit(lambda: announce([key]))


def _enrol(campaign, unit, *, area, via, by, at, origin) -> Enrolment:
    enrolment, created = Enrolment.objects.get_or_create(
        campaign=campaign,
        unit=unit,
        defaults={"area": area, "via": via, "joined_by": by, "joined_at": at},
    )
    if not created:
        raise WrongState(
            _("%(branch)s already takes part in this campaign.") % {"branch": unit.name}
        )
    _moved_on_commit(campaign)
    record_event(
        actor=by,
        action="campaign.enrolled",
        obj=campaign,
        at=at,
        origin=origin,
        unit=unit,
        to_state=via,
    )
    selectors.forget(campaign.pk)
    return enrolment


@transaction.atomic
def enrol(
    *,
    campaign: Campaign,
    unit: Unit | None,
    by,
    at: datetime,
    origin: Origin,
    area: Unit | None = None,
) -> Enrolment:
    """The organiser enrols a youth branch of its subtree (with the area it serves)."""
    campaign = _organised(campaign, by)
    _running(campaign)
    _enrollable(campaign, unit)
    return _enrol(
        campaign,
        unit,
        area=area,
        via=Enrolment.Via.ORGANISER,
        by=by,
        at=at,
        origin=origin,
    )


def branches_of(user):
    """The youth branches the user belongs to (member) or has a role on."""
    person = getattr(user, "person", None)
    ids = set()
    if person is not None:
        ids |= set(
            Membership.objects.filter(
                person=person, unit__kind=Unit.Kind.YOUTH_BRANCH
            ).values_list("unit_id", flat=True)
        )
    return Unit.objects.filter(
        pk__in=ids, is_active=True, kind=Unit.Kind.YOUTH_BRANCH
    ).order_by("name", "pk")


def _wrong_code_limits(user, origin: Origin) -> list[tuple[str, Limit]]:
    subjects = {
        "user": f"user:{user.pk}",
        "address": address_subject(origin.ip_address),
        "everyone": "everyone",
    }
    return [
        (subjects[scope], limit)
        for scope, limits in WRONG_CODE_LIMITS.items()
        for limit in limits
    ]


def join_with_code(
    *, code: str, unit: Unit, user, at: datetime, origin: Origin
) -> Enrolment:
    """A member of a youth branch joins it to the campaign whose code they typed.

    A code that brings no campaign counts as a guess against the user, their
    address and everyone; past the limit every code is refused for a while,
    the right one too (answering it would tell a guesser which guess was right).
    """
    try:
        code = codes.normalise(code)
    except codes.Mistyped:
        raise CampaignError(
            _(
                "This code has a typo: check each character against the organiser's code."
            )
        ) from None
    except codes.Malformed:
        raise CampaignError(
            _(
                "A code has 12 characters: digits and the letters "
                "B C F G H J K M N P R S T V X Z. Check it and type it again."
            )
        ) from None
    if not branches_of(user).filter(pk=unit.pk).exists():
        raise NotFound(
            _("You are not a member of this branch. Choose your own branch.")
        )
    limits = _wrong_code_limits(user, origin)
    if not take("campaign-codes", limits=limits, at=at):
        raise TooManyWrongCodes(
            _(
                "Too many wrong codes have been typed; try again in a few minutes, "
                "or ask the organiser to enrol your branch."
            )
        )
    campaign = (
        Campaign.objects.filter(
            join_code_digest=_digest(code), status=Campaign.Status.RUNNING
        )
        .select_related("organiser")
        .first()
    )
    if campaign is None:
        raise CampaignError(
            _(
                "This code opens no running campaign: check it, or ask the organiser "
                "for the current code."
            )
        )
    give_back("campaign-codes", limits=limits, at=at)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update(of=("self",)).get(pk=campaign.pk)
        _running(campaign)
        _enrollable(campaign, unit)
        return _enrol(
            campaign,
            unit,
            area=None,
            via=Enrolment.Via.CODE,
            by=user,
            at=at,
            origin=origin,
        )


def _check_in_goal(campaign: Campaign, goal: Goal | None) -> Goal:
    if goal is None or goal.campaign_id != campaign.pk or goal.activity_type_id is None:
        raise CampaignError(_("Choose what you did from the list of check-in tasks."))
    return goal


@transaction.atomic
def check_in(
    *,
    campaign: Campaign,
    goal: Goal,
    unit: Unit,
    user,
    occurred_on: date,
    quantity: int,
    description: str,
    photos: Sequence[File],
    at: datetime,
    origin: Origin,
    form_token=None,
) -> Submission:
    """A member checks in a task with a photo and a count, for the organiser to verify.

    The check-in is a submission of the campaign's competition: a draft with its
    evidence, sent to review. A photo already seen anywhere on the platform (the
    evidence pipeline's perceptual hash) refuses the check-in: nothing is kept.
    """
    campaign = Campaign.objects.select_related("competition").get(pk=campaign.pk)
    _running(campaign)
    goal = _check_in_goal(campaign, goal)
    today = timezone.localdate(at)
    if not (campaign.starts_on <= occurred_on <= campaign.ends_on):
        raise CampaignError(
            _("The day must be within the campaign, from %(start)s to %(end)s.")
            % {
                "start": campaign.starts_on.strftime("%d/%m/%Y"),
                "end": campaign.ends_on.strftime("%d/%m/%Y"),
            }
        )
    if occurred_on > today:
        raise CampaignError(_("The day cannot be in the future."))
    if not Enrolment.objects.filter(campaign=campaign, unit=unit).exists():
        raise CampaignError(
            _(
                "%(branch)s does not take part in this campaign: join it with the "
                "organiser's code first."
            )
            % {"branch": unit.name}
        )
    person = getattr(user, "person", None)
    if person is None or not branches_of(user).filter(pk=unit.pk).exists():
        raise NotFound(
            _("Only members of the branch can check in for it. Choose your own branch.")
        )
    if not 1 <= quantity <= MAX_CHECK_IN_QUANTITY:
        raise CampaignError(
            _("Write how many took part: a whole number from 1 to %(max)s.")
            % {"max": MAX_CHECK_IN_QUANTITY}
        )
    if not photos:
        raise CampaignError(_("Add a photo of the task: the organiser checks it."))
    try:
        submission = submissions.save_draft(
            data=submissions.SubmissionData(
                competition=campaign.competition,
                unit=unit,
                activity_type=goal.activity_type,
                occurred_on=occurred_on,
                quantity=quantity,
                description=description.strip()[:2000],
                person=person,
            ),
            by=user,
            at=at,
            origin=origin,
            form_token=form_token,
        )
        if submission.status != Submission.Status.DRAFT:
            return submission  # the same form sent twice
        stored, errors = submissions.add_evidence(
            submission=submission, uploads=list(photos)[:3], by=user, at=at
        )
        if errors or not stored:
            raise CampaignError(" ".join(errors) or _("Add a photo of the task."))
        if submissions.duplicate_evidence(submission):
            raise CampaignError(
                _(
                    "This photo was already sent before. Take a photo of this task "
                    "and send it."
                )
            )
        submission = submissions.submit_submission(
            submission=submission, by=user, at=at, origin=origin
        )
    except submissions.SubmissionError as error:
        raise CampaignError(str(error)) from None
    return submission


def _campaign_check_in(campaign: Campaign, submission_id) -> Submission:
    submission = (
        Submission.objects.filter(pk=submission_id, competition=campaign.competition)
        .select_related("unit", "activity_type", "competition")
        .first()
    )
    if submission is None:
        raise NotFound(_("There is no such check-in."))
    return submission


def verify_check_in(
    *,
    campaign: Campaign,
    submission_id,
    approve: bool,
    by,
    at: datetime,
    origin: Origin,
    reason: str = "",
) -> Submission:
    """The organiser approves or rejects a check-in through the review's verbs."""
    with transaction.atomic():
        campaign = _organised(campaign, by)
        submission = _campaign_check_in(campaign, submission_id)
        try:
            if approve:
                submissions.approve_submission(
                    submission=submission, reviewer=by, at=at, origin=origin
                )
            else:
                if not reason.strip():
                    raise CampaignError(
                        _(
                            "Say why the check-in is not accepted, so the member can fix it."
                        )
                    )
                submissions.reject_submission(
                    submission=submission,
                    reviewer=by,
                    reason=reason.strip()[:500],
                    at=at,
                    origin=origin,
                )
        except submissions.SubmissionError as error:
            raise WrongState(str(error)) from None
    selectors.forget(campaign.pk)
    return Submission.objects.get(pk=submission.pk)


# --- closing ----------------------------------------------------------------------


def _badge_class(campaign: Campaign, goals: int, *, by, at) -> BadgeClass:
    """The campaign's completion badge: a branch that met every goal earns it,
    through the badge criteria (one goal-met ledger entry per goal)."""
    badge = BadgeClass.objects.create(
        slug=f"chien-dich-{campaign.pk}",
        name=f"Hoàn thành: {campaign.name}"[:120],
        description=(
            f"Chi đoàn đạt mọi chỉ tiêu của chiến dịch “{campaign.name}” "
            f"({campaign.starts_on:%d/%m/%Y}–{campaign.ends_on:%d/%m/%Y})."
        ),
        recipient=BadgeClass.Recipient.UNIT,
        unit_kinds=[Unit.Kind.YOUTH_BRANCH],
        criteria={
            "all": [
                {
                    "fact": "points",
                    "min": goals,
                    "activity": GOAL_MET_ACTIVITY,
                    "competition": campaign.competition_id,
                }
            ]
        },
        emblem=BadgeClass.Emblem.FLAG,
        valid_from=campaign.starts_on,
        issuer_unit=campaign.organiser,
        allow_manual=False,
        status=BadgeClass.Status.PUBLISHED,
        published_at=at,
        published_by=by,
    )
    return badge


def _propose_top(campaign: Campaign, *, by, at, origin) -> Review | None:
    """Propose the top branches of the campaign board for commendation."""
    award = AwardType.objects.filter(code=PROPOSED_AWARD).first()
    if award is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        name = _("Final review of the campaign “%(name)s”") % {"name": campaign.name}
    review = Review.objects.create(
        competition=campaign.competition,
        unit=campaign.organiser,
        kind=Review.Kind.FINAL,
        name=name[:200],
        held_on=timezone.localdate(at),
    )
    ProposalRule.objects.create(
        review=review,
        kind=ProposalRule.Kind.BOARD_TOP,
        award_type=award,
        entity=Unit.Kind.YOUTH_BRANCH,
        top=PROPOSED_TOP,
    )
    try:
        nominations.propose(review=review, by=by, at=at, origin=origin)
    except CommendationError:
        return review  # no authority above the organiser: the review stays open
    return review


@transaction.atomic
def close_campaign(*, campaign: Campaign, by, at: datetime, origin: Origin) -> Snapshot:
    """Freeze the results, credit each goal met, issue badges, propose the top.

    The snapshot is written from the same reads the public page makes, and never
    recomputed: what is credited later does not change it.
    """
    campaign = _organised(campaign, by)
    _running(campaign)
    progress = selectors.compute(campaign, at=at, exact=True)
    progress.pop("badges", None)  # the screen's latest badges are not results
    snapshot = Snapshot.objects.create(
        campaign=campaign, data=progress, taken_at=at, taken_by=by
    )
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at, campaign.closed_by = at, by
    goals = list(campaign.goals.all())
    activity = ActivityType.objects.get(code=GOAL_MET_ACTIVITY)
    rule = PointRule.objects.filter(
        competition=campaign.competition, activity_type=activity
    ).first()
    credits = []
    last_day = min(timezone.localdate(at), campaign.ends_on)
    for branch in progress["branches"]:
        for goal in goals:
            if branch["values"].get(goal.metric, 0) >= goal.target:
                credits.append(
                    ledger.Credit(
                        competition=campaign.competition,
                        unit=Unit.objects.get(pk=branch["id"]),
                        person=None,
                        activity_type=activity,
                        rule=rule,
                        points=1,
                        quantity=1,
                        source="campaign",
                        explanation=f"{goal.get_metric_display()} ≥ {goal.target}",
                        idempotency_key=(
                            f"campaign:{campaign.pk}:goal:{goal.pk}:unit:{branch['id']}"
                        ),
                        occurred_at=occurred_at(last_day),
                    )
                )
    if goals:
        campaign.badge_class = _badge_class(campaign, len(goals), by=by, at=at)
    ledger.credit(credits=credits, by=by, at=at)
    campaign.save()
    competition = campaign.competition
    competition.status = Competition.Status.CLOSED
    competition.save()
    record_event(
        actor=by,
        action="campaign.closed",
        obj=campaign,
        at=at,
        origin=origin,
        unit=campaign.organiser,
        from_state=Campaign.Status.RUNNING,
        to_state=campaign.status,
    )
    # The board counts the goal-met points too, so the projector runs first.
    transaction.on_commit(lambda: _after_close(campaign.pk, by, at, origin))
    selectors.forget(campaign.pk)
    return snapshot


def _after_close(campaign_id: int, by, at, origin) -> None:
    from leaderboards.projector import catch_up

    catch_up(wait=True)
    campaign = Campaign.objects.select_related("organiser", "competition").get(
        pk=campaign_id
    )
    with transaction.atomic():
        review = _propose_top(campaign, by=by, at=at, origin=origin)
        if review is not None:
            Campaign.objects.filter(pk=campaign_id).update(review=review)
    selectors.forget(campaign_id)
