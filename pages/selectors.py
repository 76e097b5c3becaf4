"""What the home page and a person's own page gather from every app.

The home page is what a crowd opens on 10 October: its aggregates are kept in the
shared cache for a minute (a fixed handful of queries per minute, whatever the
province's size), the top three come from the ranking store in one round trip,
and the names from its per-process cache.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from badges import selectors as badge_selectors
from competitions.models import Competition, PointEntry
from leaderboards import selectors as board_selectors
from leaderboards.boards import PEOPLE, Board
from leaderboards.stores import StoreUnavailable
from learning import mentoring
from learning import selectors as learning_selectors
from learning.models import Completion
from units.models import Person

NUMBERS_SECONDS = 60
DIGITAL_DAY = (10, 10)  # 10 October: the national digital learning day


@dataclass(frozen=True)
class Countdown:
    day: date
    days: int

    @property
    def is_today(self) -> bool:
        return self.days == 0


def countdown(today: date) -> Countdown:
    """Days to the next 10 October (0 on the day itself)."""
    month, day = DIGITAL_DAY
    target = date(today.year, month, day)
    if target < today:
        target = date(today.year + 1, month, day)
    return Countdown(day=target, days=(target - today).days)


def featured_competition() -> Competition | None:
    """The running competition the home page shows: the widest, the oldest first."""

    def find():
        return (
            Competition.objects.filter(status=Competition.Status.RUNNING)
            .select_related("scope_unit")
            .order_by("scope_unit__depth", "pk")
            .first()
        )

    return cache.get_or_set("pages:featured", find, NUMBERS_SECONDS)


def _week_start(today: date) -> date:
    return today - timedelta(days=today.weekday())


def movement_numbers(today: date) -> dict:
    week_start = _week_start(today)

    def compute():
        numbers = learning_selectors.movement_numbers(
            week_start=week_start, today=today
        )
        numbers["recent_badges"] = badge_selectors.recent_awards(limit=5)
        return numbers

    return cache.get_or_set(
        f"pages:numbers:{today.isoformat()}:{get_language()}", compute, NUMBERS_SECONDS
    )


WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")


def _weekday_labels() -> tuple[str, ...]:
    if (get_language() or "vi").startswith("vi"):
        return WEEKDAYS
    return ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def pulse(*, today: date) -> dict:
    """Everything the home page shows a visitor."""
    competition = featured_competition()
    numbers = movement_numbers(today)
    labels = _weekday_labels()
    week_start = _week_start(today)
    per_day = [
        (
            labels[offset],
            numbers["trained_per_day"].get(week_start + timedelta(offset), 0),
        )
        for offset in range(today.weekday() + 1)
    ]
    context = {
        "competition": competition,
        "numbers": numbers,
        "trained_per_day": per_day,
        "countdown": countdown(today),
        "top": None,
    }
    if competition is not None:
        try:
            context["top"] = board_selectors.overview(
                competition.pk,
                competition.scope_unit_id,
                unit_entity="village",
                limit=3,
                period="week",
            )
        except StoreUnavailable:
            context["top_unavailable"] = True
    return context


def person_of(user) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user, is_active=True).first()


def daily_points(person: Person, *, today: date, days: int = 14) -> list[int]:
    """The person's points per day over the last `days` days, oldest first."""
    since = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    by_day = dict(
        PointEntry.objects.filter(person=person, occurred_at__gte=start)
        .annotate(day=TruncDate("occurred_at"))
        .values_list("day")
        .annotate(total=Sum("points"))
        .order_by()
    )
    return [by_day.get(since + timedelta(offset), 0) for offset in range(days)]


def next_step(
    *, completions: int, week_points: int, mentor, nearest_badge, home_board
) -> dict:
    """The one thing most worth doing next, in plain words, with where to do it."""
    if completions == 0:
        return {
            "text": _(
                "Complete your first digital-skills training: it counts for you and "
                "for your village."
            ),
            "url": reverse("learning:trainings"),
            "action": _("Find a training"),
        }
    if mentor is None or len(mentor.mentees) < mentor.target:
        have = 0 if mentor is None else len(mentor.mentees)
        return {
            "text": _(
                "Guide %(missing)d more people to become a digital ambassador "
                "(Đại sứ số): share an invite with a neighbour."
            )
            % {"missing": mentoring.MENTEE_TARGET - have},
            "url": reverse("learning:mentoring"),
            "action": _("Invite someone"),
        }
    if nearest_badge is not None:
        return {
            "text": _("You are %(percent)d%% of the way to the badge “%(badge)s”.")
            % {
                "percent": nearest_badge["percent"],
                "badge": nearest_badge["badge"].name,
            },
            "url": reverse("badges:catalogue"),
            "action": _("See what is left"),
        }
    if week_points == 0:
        return {
            "text": _("No points yet this week: a class or a completed course counts."),
            "url": reverse("learning:completion_new"),
            "action": _("Report a completed course"),
        }
    return {
        "text": _("See where your village stands this week."),
        "url": reverse("leaderboards:board", args=[home_board])
        if home_board
        else reverse("leaderboards:index"),
        "action": _("Open the board"),
    }


def board_tables(standings) -> list[dict]:
    """Standings as one table per competition: a row per board (the person among
    the people of each unit above them, then their unit among its peers), a column
    per period."""
    tables: dict[int, dict] = {}
    for standing in standings:
        table = tables.setdefault(
            standing.competition.pk,
            {"competition": standing.competition, "rows": {}},
        )
        key = (standing.board.entity, standing.scope.pk)
        row = table["rows"].setdefault(
            key,
            {
                "is_people": standing.board.is_people,
                "scope": standing.scope,
                "member_name": standing.member_name,
                "board": standing.board,
                "periods": {},
            },
        )
        row["periods"][standing.board.period] = standing
    return [
        {
            "competition": table["competition"],
            "rows": [
                {
                    **row,
                    "week": row["periods"].get("week"),
                    "all": row["periods"].get("all"),
                }
                for row in table["rows"].values()
            ],
        }
        for table in tables.values()
    ]


def my_page(person: Person, *, now: datetime) -> dict:
    """A person's own standing: boards, this week's gain, points over two weeks,
    mentoring, badges and the next useful step."""
    today = timezone.localdate(now)
    try:
        standings = board_selectors.person_standings(person, today=today)
        unavailable = False
    except StoreUnavailable:
        standings, unavailable = [], True
    people = [s for s in standings if s.board.is_people]
    # This week's gain: the person's week points on the widest board they are on.
    week = [s for s in people if s.board.period == "week"]
    week_points = min(week, key=lambda s: s.scope.depth).points if week else 0
    progress = mentoring.mentor_progress(mentor=person, at=now)
    mentor = progress if (progress.mentees or progress.open_invites) else None
    badges = badge_selectors.person_badges(person)
    nearest = badges["nearest"][0] if badges["nearest"] else None
    completions = Completion.objects.filter(
        person=person, status=Completion.Status.CONFIRMED
    ).count()
    home_board = next(
        (
            Board(s.board.competition_id, s.board.scope_id, s.board.entity).name
            for s in standings
            if not s.board.is_people and s.board.period == "week"
        ),
        None,
    )
    return {
        "person": person,
        "standings": standings,
        "board_tables": board_tables(standings),
        "people_standings": people,
        "unit_standings": [s for s in standings if not s.board.is_people],
        "unavailable": unavailable,
        "week_points": week_points,
        "daily": daily_points(person, today=today),
        "mentor": mentor,
        "badges": badges,
        "completions": completions,
        "next_step": next_step(
            completions=completions,
            week_points=week_points,
            mentor=mentor,
            nearest_badge=nearest,
            home_board=home_board,
        ),
        "people_entity": PEOPLE,
    }
