"""The "Đại sứ số" network: invites, confirmations, a mentor's progress, and the
patterns a reviewer should look at twice.

A mentor earns points only through `services.awards_for`, when a confirmed mentee
completes a training after the pairing; here are the rules of the pairing itself.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from competitions.models import PointEntry
from units.audit import Origin, record_event
from units.limits import Limit, address_subject, give_back, take
from units.models import Membership, Person

from . import codes, crediting
from .models import Completion, MentorInvite, Mentorship, invite_code
from .services import LearningError

MENTEE_TARGET = 5  # seed 001, IV.6.1: every mentor guides at least five
MAX_OPEN_INVITES = 20
MAX_INVITES_PER_HOUR = 30


class InviteGone(LearningError):
    """Expired: the page answers 410."""


class InviteConflict(LearningError):
    """Used, or the mentee already has a mentor: 409."""


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@transaction.atomic
def create_invite(*, mentor: Person, at: datetime) -> MentorInvite:
    """A new single-use invite, valid LEARNING_INVITE_DAYS days."""
    mentor = Person.objects.select_for_update().get(pk=mentor.pk)
    if not mentor.is_active:
        raise LearningError(_("Your learner record is deactivated."))
    invites = MentorInvite.objects.filter(mentor=mentor)
    if (
        invites.filter(used_at__isnull=True, expires_at__gt=at).count()
        >= MAX_OPEN_INVITES
    ):
        raise LearningError(
            _("You have %(count)d open invites; wait until some are used or expire.")
            % {"count": MAX_OPEN_INVITES}
        )
    if (
        invites.filter(created_at__gt=at - timedelta(hours=1)).count()
        >= MAX_INVITES_PER_HOUR
    ):
        raise LearningError(_("Too many invites in an hour; try again later."))
    return MentorInvite.objects.create(
        mentor=mentor,
        code=_free_code(),
        created_at=at,
        expires_at=at + timedelta(days=_setting("LEARNING_INVITE_DAYS", 7)),
    )


def _free_code() -> str:
    """A one-time code no other open invite has, so a code names one invite.

    Codes are unique over every invite (a constraint); with 26**11 codes a second
    draw is all but never needed.
    """
    for _attempt in range(20):
        code = invite_code()
        if not MentorInvite.objects.filter(code=code).exists():
            return code
    return code


def _mentor_chain(person_id: int) -> set[int]:
    """The person's mentor, the mentor's mentor, and so on (cycles stop the walk)."""
    chain: set[int] = set()
    current = person_id
    while True:
        mentor_id = (
            Mentorship.objects.filter(mentee_id=current)
            .values_list("mentor_id", flat=True)
            .first()
        )
        if mentor_id is None or mentor_id in chain:
            return chain
        chain.add(mentor_id)
        current = mentor_id


@transaction.atomic
def confirm_invite(
    *, invite: MentorInvite, user, at: datetime, origin: Origin
) -> Mentorship:
    """The signed-in mentee accepts the invite; refused when it would not be honest."""
    # Only the invite row here (of=self): the mentor's row is locked below, in id
    # order with the mentee's; locking it through the join deadlocked two people
    # confirming each other's invites.
    invite = (
        MentorInvite.objects.select_for_update(of=("self",))
        .select_related("mentor")
        .get(pk=invite.pk)
    )
    mentee = getattr(user, "person", None)
    if mentee is None or not mentee.is_active:
        raise LearningError(
            _("Your account has no active learner record; ask your unit's officer.")
        )
    # Both people locked, in id order: two people confirming each other's invites
    # at the same moment would otherwise both find no cycle and make one.
    list(
        Person.objects.select_for_update()
        .filter(pk__in=[invite.mentor_id, mentee.pk])
        .order_by("pk")
        .values_list("pk")
    )
    if invite.used_at is not None:
        if invite.used_by_id == mentee.pk:
            raise InviteConflict(_("You already confirmed this invite."))
        raise InviteConflict(_("This invite was already used; ask for a new one."))
    if at > invite.expires_at:
        raise InviteGone(_("This invite has expired; ask your mentor for a new one."))
    if invite.mentor_id == mentee.pk:
        raise LearningError(_("You cannot be your own mentee."))
    if not invite.mentor.is_active:
        raise LearningError(_("This mentor no longer takes mentees."))
    if Mentorship.objects.filter(mentee=mentee).exists():
        raise InviteConflict(_("You already have a mentor; a learner has one mentor."))
    if mentee.pk in _mentor_chain(invite.mentor_id):
        raise LearningError(
            _("Your mentor is already your mentee: guiding each other is not counted.")
        )
    mentorship = Mentorship.objects.create(
        mentor=invite.mentor, mentee=mentee, invite=invite, confirmed_at=at
    )
    invite.used_at, invite.used_by = at, mentee
    invite.save(update_fields=["used_at", "used_by"])
    home = Membership.objects.filter(person=mentee, is_primary=True).first()
    record_event(
        actor=user,
        action="mentorship.confirm",
        obj=mentorship,
        at=at,
        origin=origin,
        unit=home.unit if home else None,
    )
    return mentorship


class CodeNotAccepted(LearningError):
    """The one answer to a typed code that brings no mentor: unknown, expired, used,
    one's own, or refused for any other reason. It is counted as a guess."""


class TooManyWrongCodes(LearningError):
    pass


# Wrong codes allowed, per user, per client address and for everyone together. With
# 26**11 possible codes and N open invites, G wrong codes a day find an invite with
# a chance of at most G * N / 26**11: the README works it out for these figures.
WRONG_CODE_LIMITS = {
    "user": [Limit(10, 10 * 60), Limit(30, 24 * 3600)],
    "address": [Limit(100, 24 * 3600)],
    "everyone": [Limit(20_000, 24 * 3600)],
}


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


def confirm_by_code(*, code: str, user, at: datetime, origin: Origin) -> Mentorship:
    """The signed-in mentee confirms the invite whose one-time code they typed.

    Nothing about an invite is told before it is accepted: a code that brings no
    mentor, for whatever reason, gets the same answer (CodeNotAccepted) and counts
    as a wrong code against the user, their address and everyone. A typo caught by
    the check character costs nothing, and refusals that do not depend on the code
    (no learner record, a mentor already) are told first.
    """
    try:
        code = codes.normalise(code)
    except codes.Mistyped:
        raise LearningError(
            _("This code has a typo: check each character against your mentor's code.")
        ) from None
    except codes.Malformed:
        raise LearningError(
            _(
                "A code has 12 characters: digits and the letters "
                "B C F G H J K M N P R S T V X Z. Check it and type it again."
            )
        ) from None
    mentee = getattr(user, "person", None)
    if mentee is None or not mentee.is_active:
        raise LearningError(
            _("Your account has no active learner record; ask your unit's officer.")
        )
    if Mentorship.objects.filter(mentee=mentee).exists():
        raise InviteConflict(_("You already have a mentor; a learner has one mentor."))
    limits = _wrong_code_limits(user, origin)
    if not take("mentor-codes", limits=limits, at=at):
        raise TooManyWrongCodes(
            _(
                "Too many wrong codes have been typed; try again later, or ask your "
                "mentor for the invite link or QR code, which always work."
            )
        )
    invite = MentorInvite.objects.filter(
        code=code, used_at__isnull=True, expires_at__gt=at, mentor__is_active=True
    ).first()
    if invite is not None:
        try:
            mentorship = confirm_invite(invite=invite, user=user, at=at, origin=origin)
        except LearningError:
            pass  # one's own, a circle, taken a moment ago: answered as wrong
        else:
            give_back("mentor-codes", limits=limits, at=at)
            return mentorship
    raise CodeNotAccepted(
        _(
            "This code brings no invite: it is wrong, expired or already used. "
            "Check it, or ask your mentor for a new invite."
        )
    )


@dataclass
class MenteeProgress:
    mentorship: Mentorship
    completions: int


@dataclass
class MentorProgress:
    mentees: list[MenteeProgress]
    open_invites: list[MentorInvite]
    points: int
    target: int = MENTEE_TARGET
    guided: int = field(init=False)

    def __post_init__(self):
        self.guided = sum(1 for m in self.mentees if m.completions)

    @property
    def percent(self) -> int:
        return min(100, round(100 * len(self.mentees) / self.target))


def mentor_progress(*, mentor: Person, at: datetime) -> MentorProgress:
    """The mentor's mentees with their confirmed completions, open invites, points."""
    mentorships = (
        Mentorship.objects.filter(mentor=mentor)
        .select_related("mentee")
        .annotate(
            completions=Count(
                "mentee__completions",
                filter=Q(mentee__completions__status=Completion.Status.CONFIRMED),
            )
        )
        .order_by("-confirmed_at", "-pk")
    )
    points = PointEntry.objects.filter(
        person=mentor, activity_type__code=crediting.MENTEE_GUIDED
    ).aggregate(total=Sum("points"))["total"]
    return MentorProgress(
        mentees=[MenteeProgress(m, m.completions) for m in mentorships],
        open_invites=list(
            MentorInvite.objects.filter(
                mentor=mentor, used_at__isnull=True, expires_at__gt=at
            ).order_by("-created_at", "-pk")
        ),
        points=points or 0,
    )


@dataclass
class MentorFlag:
    mentor: Person
    reasons: list[str]
    mentees: int


def suspicious_mentors(*, units, at: datetime) -> list[MentorFlag]:
    """Mentors whose confirmations look made up: a burst of confirmations in minutes,
    or most mentees showing no activity of their own weeks later."""
    burst_count = _setting("LEARNING_BURST_COUNT", 10)
    burst_window = timedelta(minutes=_setting("LEARNING_BURST_MINUTES", 10))
    idle_after = timedelta(days=_setting("LEARNING_IDLE_DAYS", 14))
    mentor_ids = Membership.objects.filter(unit__in=units, is_primary=True).values(
        "person_id"
    )
    rows = (
        Mentorship.objects.filter(
            mentor_id__in=mentor_ids, confirmed_at__gt=at - timedelta(days=90)
        )
        .annotate(
            mentee_completions=Count(
                "mentee__completions",
                filter=Q(mentee__completions__status=Completion.Status.CONFIRMED),
            )
        )
        .values_list("mentor_id", "confirmed_at", "mentee_completions")
        .order_by("mentor_id", "confirmed_at")
    )
    by_mentor: dict[int, list[tuple[datetime, int]]] = {}
    for mentor_id, confirmed_at, completions in rows:
        by_mentor.setdefault(mentor_id, []).append((confirmed_at, completions))
    flagged: dict[int, list[str]] = {}
    for mentor_id, confirmations in by_mentor.items():
        reasons = []
        times = [when for when, _n in confirmations]
        start = 0
        for end, when in enumerate(times):
            while when - times[start] > burst_window:
                start += 1
            if end - start + 1 >= burst_count:
                reasons.append(
                    _(
                        "%(count)d mentees confirmed within %(minutes)d minutes, at %(time)s"
                    )
                    % {
                        "count": end - start + 1,
                        "minutes": int(burst_window.total_seconds() // 60),
                        "time": times[start].strftime("%H:%M %d/%m/%Y"),
                    }
                )
                break
        settled = [n for when, n in confirmations if when < at - idle_after]
        idle = sum(1 for n in settled if n == 0)
        if len(settled) >= MENTEE_TARGET and idle * 5 >= len(settled) * 4:
            reasons.append(
                _(
                    "%(idle)d of %(total)d mentees have completed nothing after %(days)d days"
                )
                % {"idle": idle, "total": len(settled), "days": idle_after.days}
            )
        if reasons:
            flagged[mentor_id] = reasons
    people = Person.objects.in_bulk(list(flagged))
    return [
        MentorFlag(mentor=people[pk], reasons=reasons, mentees=len(by_mentor[pk]))
        for pk, reasons in sorted(
            flagged.items(), key=lambda item: -len(by_mentor[item[0]])
        )
    ]
