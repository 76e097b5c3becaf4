"""What a campaign's public page, its big screen and its live frames show.

`compute` reads each metric once for every enrolled branch (one query a metric,
whatever the number of branches) and the campaign board from the ranking store;
`public_data` serves it from a per-process cache of one second, as a board's
snapshot is served, so a crowd costs one read a second per worker. A closed
campaign is its stored snapshot, never recomputed.
"""

import time
from collections import defaultdict
from datetime import datetime, timedelta
from datetime import time as clock

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from badges.selectors import recent_awards
from competitions.models import Evidence, PointEntry, Submission
from leaderboards.boards import Board
from leaderboards.stores import StoreUnavailable, get_store
from learning.models import (
    Completion,
    Household,
    HouseholdMember,
    Mentorship,
    VneidHelp,
)
from units.models import Membership, Unit

from .models import Campaign, Enrolment, Metric

FEED_SIZE = 12
CACHE_SECONDS = 1.0
BOARD_ENTITY = Unit.Kind.YOUTH_BRANCH

COUNTED_BY_EVENT = {Metric.CLASSES_HELD}

_cache: dict[int, tuple[float, dict]] = {}
# campaign id -> (its board, the last data this process computed), however old:
# what a "points" frame (live_points) lays the board's fresh points over.
_last: dict[int, tuple[Board, dict]] = {}


def forget(campaign_id: int | None = None) -> None:
    """Drop the cached data (after a change this process made)."""
    if campaign_id is None:
        _cache.clear()
        _last.clear()
    else:
        # _last stays: a points frame lays fresh points over it, and the full frame
        # that follows every points frame brings the rest of the change.
        _cache.pop(campaign_id, None)


def board_of(campaign: Campaign, *, measure: str = "points") -> Board:
    """The leaderboards app's board of the campaign: its branches, all time."""
    return Board(
        campaign.competition_id, campaign.organiser_id, BOARD_ENTITY, "all", measure
    )


def live_name(campaign_id: int) -> str:
    """The name the worker's hub knows the campaign's sockets by."""
    return f"campaign:{campaign_id}"


def ends_at(campaign: Campaign) -> datetime:
    """The end of the campaign's last day, local time."""
    return timezone.make_aware(
        datetime.combine(campaign.ends_on + timedelta(days=1), clock.min)
    )


def _members(unit_ids) -> dict[int, set[int]]:
    """person id -> the enrolled branches they belong to."""
    found: dict[int, set[int]] = defaultdict(set)
    for person_id, unit_id in Membership.objects.filter(
        unit_id__in=unit_ids
    ).values_list("person_id", "unit_id"):
        found[person_id].add(unit_id)
    return found


def _by_person(rows, members) -> dict[int, int]:
    values: dict[int, int] = defaultdict(int)
    for person_id, value in rows:
        for unit_id in members.get(person_id, ()):
            values[unit_id] += value or 0
    return values


def _area_counts(queryset, enrolments, date_field: str, start, end) -> dict[int, int]:
    """Rows under each enrolment's area in the period: the areas' units first (one
    query by path prefix), then the rows grouped by unit through the (unit, date)
    index, summed up per area."""
    with_area = [e for e in enrolments if e.area_id]
    if not with_area:
        return {}
    within = Q()
    for enrolment in with_area:
        within |= Q(path__startswith=enrolment.area.path)
    paths = dict(Unit.objects.filter(within).values_list("pk", "path"))
    per_unit = dict(
        queryset.filter(
            unit_id__in=list(paths),
            **{f"{date_field}__gte": start, f"{date_field}__lte": end},
        )
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    counted: dict[int, int] = {}
    for enrolment in with_area:
        prefix = enrolment.area.path
        counted[enrolment.unit_id] = sum(
            n for unit_id, n in per_unit.items() if paths[unit_id].startswith(prefix)
        )
    return counted


def metric_values(campaign: Campaign, enrolments: list[Enrolment]) -> dict[int, dict]:
    """{branch id: {metric: value}} over the campaign's period."""
    start, end = campaign.starts_on, campaign.ends_on
    unit_ids = [e.unit_id for e in enrolments]
    metrics = {g.metric: g for g in campaign.goals.all()}
    values: dict[int, dict] = {pk: {m: 0 for m in metrics} for pk in unit_ids}
    if not unit_ids or not metrics:
        return values
    members = None
    if {
        Metric.VNEID_HELPED,
        Metric.MENTEES_CONFIRMED,
        Metric.TRAININGS_COMPLETED,
        Metric.HOUSEHOLDS_REACHED,
    } & metrics.keys():
        members = _members(unit_ids)
    no_area = [e for e in enrolments if not e.area_id]

    def put(metric, counted: dict[int, int], only=None):
        for unit_id, value in counted.items():
            if unit_id in values and (only is None or unit_id in only):
                values[unit_id][metric] = value

    if Metric.VNEID_HELPED in metrics:
        rows = (
            VneidHelp.objects.filter(
                helper_id__in=list(members), helped_on__gte=start, helped_on__lte=end
            )
            .values("helper_id")
            .annotate(n=Sum("citizens"))
            .values_list("helper_id", "n")
        )
        put(Metric.VNEID_HELPED, _by_person(rows, members))
    if Metric.MENTEES_CONFIRMED in metrics:
        rows = (
            Mentorship.objects.annotate(day=TruncDate("confirmed_at"))
            .filter(mentor_id__in=list(members), day__gte=start, day__lte=end)
            .values("mentor_id")
            .annotate(n=Count("pk"))
            .values_list("mentor_id", "n")
        )
        put(Metric.MENTEES_CONFIRMED, _by_person(rows, members))
    if Metric.TRAININGS_COMPLETED in metrics:
        confirmed = Completion.objects.filter(status=Completion.Status.CONFIRMED)
        put(
            Metric.TRAININGS_COMPLETED,
            _area_counts(confirmed, enrolments, "completed_on", start, end),
        )
        if no_area:
            rows = (
                confirmed.filter(
                    person_id__in=list(members),
                    completed_on__gte=start,
                    completed_on__lte=end,
                )
                .values("person_id")
                .annotate(n=Count("pk"))
                .values_list("person_id", "n")
            )
            put(
                Metric.TRAININGS_COMPLETED,
                _by_person(rows, members),
                only={e.unit_id for e in no_area},
            )
    if Metric.HOUSEHOLDS_REACHED in metrics:
        put(
            Metric.HOUSEHOLDS_REACHED,
            _area_counts(
                Household.objects.filter(digital_since__isnull=False),
                enrolments,
                "digital_since",
                start,
                end,
            ),
        )
        if no_area:
            rows = (
                HouseholdMember.objects.filter(
                    person_id__in=list(members),
                    household__digital_since__gte=start,
                    household__digital_since__lte=end,
                )
                .values("person_id")
                .annotate(n=Count("household_id", distinct=True))
                .values_list("person_id", "n")
            )
            put(
                Metric.HOUSEHOLDS_REACHED,
                _by_person(rows, members),
                only={e.unit_id for e in no_area},
            )
    check_ins = {
        g.activity_type_id: m for m, g in metrics.items() if g.activity_type_id
    }
    if check_ins:
        for unit_id, activity_id, events, people in (
            Submission.objects.filter(
                competition_id=campaign.competition_id,
                status=Submission.Status.APPROVED,
                activity_type_id__in=list(check_ins),
                unit_id__in=unit_ids,
            )
            .values("unit_id", "activity_type_id")
            .annotate(events=Count("pk"), people=Sum("quantity"))
            .values_list("unit_id", "activity_type_id", "events", "people")
        ):
            metric = check_ins[activity_id]
            # A class held counts once, whatever its attendees; merchants by head.
            counted = events if metric in COUNTED_BY_EVENT else people
            values[unit_id][metric] = counted or 0
    return values


def board_points(
    campaign: Campaign, unit_ids, *, exact: bool = False
) -> dict[int, int]:
    """Each branch's points on the campaign board (the ranking store); summed from
    the ledger when the store cannot answer, or when `exact` (the close, whose
    snapshot must hold what the ledger holds in its own transaction)."""
    board = board_of(campaign)
    try:
        if exact:
            raise StoreUnavailable("exact")
        ranked, _total = get_store().window(
            board.storage_key(timezone.localdate()), offset=0, limit=500
        )
        points = {member: int(value) for member, value in ranked}
    except StoreUnavailable:
        points = dict(
            PointEntry.objects.filter(
                competition_id=campaign.competition_id, unit_id__in=list(unit_ids)
            )
            .values("unit_id")
            .annotate(n=Sum("points"))
            .values_list("unit_id", "n")
        )
    return {pk: points.get(pk, 0) for pk in unit_ids}


def _ranks(values: list) -> list[int]:
    """Shared ranks (1, 2, 2, 4) of values already sorted best first."""
    ranks, previous = [], object()
    for index, value in enumerate(values):
        ranks.append(ranks[-1] if value == previous else index + 1)
        previous = value
    return ranks


def _rank(branches: list[dict]) -> list[dict]:
    """Sort the branches by points in place and give each its `rank` and
    `rank_percent`; return them ordered by percent."""
    branches.sort(key=lambda b: (-b["points"], -b["percent"], b["id"]))
    for branch, rank in zip(
        branches, _ranks([b["points"] for b in branches]), strict=True
    ):
        branch["rank"] = rank
    by_percent = sorted(branches, key=lambda b: (-b["percent"], -b["points"], b["id"]))
    for branch, rank in zip(
        by_percent, _ranks([b["percent"] for b in by_percent]), strict=True
    ):
        branch["rank_percent"] = rank
    return by_percent


def feed(campaign: Campaign, *, limit: int = FEED_SIZE) -> list[dict]:
    """The latest verified check-ins, with their first photo."""
    rows = list(
        Submission.objects.filter(
            competition_id=campaign.competition_id,
            status=Submission.Status.APPROVED,
            activity_type__code__startswith="campaign-",
        )
        .exclude(activity_type__code="campaign-goal-met")
        .select_related("unit", "activity_type", "person")
        .order_by("-decided_at", "-pk")[:limit]
    )
    photos = dict(
        Evidence.objects.filter(
            submission_id__in=[s.pk for s in rows], kind=Evidence.Kind.PHOTO
        )
        .order_by("submission_id", "pk")
        .values_list("submission_id", "pk")
        .distinct()
    )
    return [
        {
            "id": s.pk,
            "branch": s.unit.name,
            "activity": s.activity_type.name,
            "quantity": s.quantity,
            "label": s.activity_type.quantity_label,
            "day": s.occurred_on.isoformat(),
            "by": str(s.person.public_name) if s.person_id else "",
            "photo": (
                reverse("campaigns:photo", args=[campaign.pk, s.pk])
                if s.pk in photos
                else ""
            ),
            "at": s.decided_at.isoformat() if s.decided_at else "",
        }
        for s in rows
    ]


def compute(
    campaign: Campaign, *, at: datetime | None = None, exact: bool = False
) -> dict:
    """The campaign's progress, board and feed as plain data (JSON-able)."""
    at = at or timezone.now()
    goals = list(campaign.goals.all())
    enrolments = list(
        Enrolment.objects.filter(campaign=campaign).select_related("unit", "area")
    )
    values = metric_values(campaign, enrolments)
    points = board_points(campaign, [e.unit_id for e in enrolments], exact=exact)
    branches = []
    for enrolment in enrolments:
        mine = values.get(enrolment.unit_id, {})
        percents = {
            g.metric: min(100, (100 * mine.get(g.metric, 0)) // g.target) for g in goals
        }
        overall = sum(percents.values()) // len(goals) if goals else 0
        branches.append(
            {
                "id": enrolment.unit_id,
                "name": enrolment.unit.name,
                "values": mine,
                "percents": percents,
                "percent": overall,
                "goals_met": sum(1 for g in goals if mine.get(g.metric, 0) >= g.target),
                "points": points.get(enrolment.unit_id, 0),
            }
        )
    by_percent = _rank(branches)
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "status": campaign.status,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "ends_at": ends_at(campaign).isoformat(),
        "festival": campaign.is_festival,
        "goals": [{"metric": g.metric, "target": g.target} for g in goals],
        "branches": branches,
        "by_percent": [b["id"] for b in by_percent],
        "totals": {
            g.metric: sum(b["values"].get(g.metric, 0) for b in branches) for g in goals
        },
        "feed": feed(campaign),
        "badges": [
            {"recipient": a["recipient"], "badge": a["badge"]}
            for a in recent_awards(limit=6)
        ],
        "at": at.isoformat(),
    }


def public_data(campaign: Campaign, *, fresh: bool = False) -> dict:
    """What the public page shows: the snapshot once closed, else data at most
    CACHE_SECONDS old (one read a second per worker, whatever the crowd).

    `fresh` reads anew: a live frame follows a change, and a worker's cached
    data may predate it (the change was made by another worker).
    """
    if campaign.is_closed:
        _last.pop(campaign.pk, None)
        snapshot = getattr(campaign, "snapshot", None)
        if snapshot is not None:
            return {**snapshot.data, "status": Campaign.Status.CLOSED, "frozen": True}
    now = time.monotonic()
    cached = _cache.get(campaign.pk)
    if not fresh and cached is not None and cached[0] > now:
        return cached[1]
    data = compute(campaign)
    _cache[campaign.pk] = (now + CACHE_SECONDS, data)
    _last[campaign.pk] = (board_of(campaign), data)
    return data


def live_points(campaign_id: int) -> dict | None:
    """A "points" frame: each branch's points and ranks on the campaign board, read
    from the ranking store (one call) over the branches of this process's last
    full read. None when there is no such read yet, when the campaign is closed,
    or when the store cannot answer: the full frame still follows.

    A full read is a dozen statements (60-300 ms at a million people, measured); a
    board's frame is one store call. Sending the credit's points first gives a
    campaign's viewers a credit as soon as the board's viewers get it, and the
    progress and the feed follow in the "update" frame of read_public."""
    last = _last.get(campaign_id)
    if last is None:
        return None
    board, data = last
    # Closed in another process since this one last read it: the page shows the
    # frozen snapshot, which no later credit may move (one indexed read).
    if Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.CLOSED).exists():
        _last.pop(campaign_id, None)
        return None
    try:
        ranked, _total = get_store().window(
            board.storage_key(timezone.localdate()), offset=0, limit=500
        )
    except StoreUnavailable:
        return None
    points = {int(member): int(value) for member, value in ranked}
    branches = [
        {"id": b["id"], "points": points.get(b["id"], 0), "percent": b["percent"]}
        for b in data["branches"]
    ]
    by_percent = _rank(branches)
    return {
        "id": campaign_id,
        "branches": [
            {key: b[key] for key in ("id", "points", "rank", "rank_percent")}
            for b in branches
        ],
        "by_percent": [b["id"] for b in by_percent],
        "at": timezone.now().isoformat(),
    }


def cached_public_data(campaign_id: int) -> dict | None:
    """public_data() if it needs no read, else None: safe in the event loop."""
    cached = _cache.get(campaign_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    return None


def campaign_for_public(pk) -> Campaign | None:
    return (
        Campaign.objects.select_related("organiser", "competition", "snapshot")
        .filter(pk=pk)
        .first()
    )


def read_public(campaign_id: int) -> dict:
    """The public data of a campaign by id (for the live frames); {} if gone."""
    campaign = campaign_for_public(campaign_id)
    return public_data(campaign, fresh=True) if campaign is not None else {}
