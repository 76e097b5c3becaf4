"""Reading boards: rows with names, ranks with ties, derived measures, the board list."""

import threading
import time
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.models import Competition, PointEntry
from units.models import Membership, Person, Unit

from . import snapshots
from .boards import PEOPLE, Board, UnknownBoard, period_start
from .stores import get_store

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
AROUND = 5


@dataclass
class Row:
    rank: int
    key: str
    name: str
    unit: str
    value: float | int
    member: int
    # Compared with the ranks kept at the start of the day (snapshots.py): whether
    # there was anything to compare with, and the rank then (None: not ranked).
    compared: bool = False
    previous_rank: int | None = None

    def as_dict(self) -> dict:
        data = {
            "rank": self.rank,
            "key": self.key,
            "name": self.name,
            "unit": self.unit,
            "value": self.value,
        }
        if self.compared:
            data["previous_rank"] = self.previous_rank
        return data

    @property
    def moved(self) -> int | None:
        """Places gained since the start of the day (negative: lost); None if new
        or nothing to compare with."""
        if not self.compared or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


class _TTLCache:
    """A tiny per-process cache: a board read once a second serves every viewer."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.values: dict = {}
        self.lock = threading.Lock()

    def get(self, key, compute):
        now = time.monotonic()
        hit = self.values.get(key)
        if hit and hit[0] > now:
            return hit[1]
        value = compute()
        with self.lock:
            self.values[key] = (now + self.seconds, value)
            if len(self.values) > 5000:
                self.values.clear()
        return value

    def fresh(self, key):
        """The value if it is cached and not expired, else None; never computes."""
        hit = self.values.get(key)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        return None


_derived_cache = _TTLCache(2.0)


_resolved = _TTLCache(30.0)


def resolve(board: Board) -> tuple[Competition, Unit]:
    """The competition and scope of a board, or UnknownBoard (cached half a minute:
    a crowd reading a board should not cost a query each)."""
    return _resolved.get(
        (board.competition_id, board.scope_id), lambda: _resolve(board)
    )


def resolved_if_cached(board: Board) -> tuple[Competition, Unit] | None:
    """What resolve() answers, if cached; None otherwise. No query, so safe to call
    in the event loop."""
    return _resolved.fresh((board.competition_id, board.scope_id))


def _resolve(board: Board) -> tuple[Competition, Unit]:
    try:
        competition = Competition.objects.get(pk=board.competition_id)
        scope = Unit.objects.get(pk=board.scope_id, is_active=True)
    except (Competition.DoesNotExist, Unit.DoesNotExist):
        raise UnknownBoard(board.name) from None
    if not scope.path.startswith(competition.scope_unit.path):
        raise UnknownBoard(board.name)
    if Unit.objects.filter(path__in=scope.ancestor_paths, is_active=False).exists():
        raise UnknownBoard(board.name)  # under a deactivated unit (boards.counts)
    return competition, scope


def _under_inactive(scope: Unit):
    """A test for paths below the scope that have a deactivated unit above them or
    are one: such units are on no board (boards.counts)."""
    inactive = tuple(
        Unit.objects.filter(path__startswith=scope.path, is_active=False).values_list(
            "path", flat=True
        )
    )
    return lambda path: path.startswith(inactive) if inactive else False


def shared_ranks(values: list) -> list[int]:
    """Competition ranking of values already in descending order: 1, 2, 2, 4."""
    ranks, previous = [], object()
    for index, value in enumerate(values):
        ranks.append(ranks[-1] if value == previous else index + 1)
        previous = value
    return ranks


NAME_SECONDS = 60.0
_name_cache: dict[tuple[bool, int], tuple[float, tuple[str, str, bool]]] = {}


def _lookup(people: bool, members) -> dict[int, tuple[str, str, bool]]:
    """Name, parent unit name and anonymity of members, in one or two queries."""
    if people:
        rows = Membership.objects.filter(
            person_id__in=members, is_primary=True
        ).values_list(
            "person_id",
            "person__display_name",
            "unit__name",
            "person__appears_anonymously",
        )
        found = {pid: (name, unit, anonymous) for pid, name, unit, anonymous in rows}
        missing = set(members) - set(found)
        if missing:
            for pid, name, anonymous in Person.objects.filter(
                pk__in=missing
            ).values_list("pk", "display_name", "appears_anonymously"):
                found[pid] = (name, "", anonymous)
        return found
    rows = list(Unit.objects.filter(pk__in=members).values_list("pk", "name", "path"))
    parents = {
        path[: -Unit.steplen] for _pk, _name, path in rows if len(path) > Unit.steplen
    }
    parent_names = dict(
        Unit.objects.filter(path__in=parents).values_list("path", "name")
    )
    return {
        pk: (name, parent_names.get(path[: -Unit.steplen], ""), False)
        for pk, name, path in rows
    }


def _names(board: Board, members: list[int]) -> dict[int, tuple[str, str]]:
    """Display name and unit of each member; anonymous people shown as such.

    Names change rarely and a board is read thousands of times a minute, so they are
    kept per process for a minute (an opt-out of public display shows within that).
    """
    now = time.monotonic()
    people = board.is_people
    known, missing = {}, []
    for member in members:
        hit = _name_cache.get((people, member))
        if hit and hit[0] > now:
            known[member] = hit[1]
        else:
            missing.append(member)
    if missing:
        fetched = _lookup(people, missing)
        if len(_name_cache) > 200_000:
            _name_cache.clear()
        for member, value in fetched.items():
            _name_cache[(people, member)] = (now + NAME_SECONDS, value)
        known.update(fetched)
    anonymous = _("Anonymous")
    return {
        m: (anonymous if hidden else name, unit)
        for m, (name, unit, hidden) in known.items()
    }


def _row_key(board: Board, member: int) -> str:
    return f"{'p' if board.is_people else 'u'}{member}"


def _derived_scores(board: Board, today) -> list[tuple[int, float]]:
    """All members of a unit board under a derived measure, best first (cached)."""

    def compute():
        competition, scope = resolve(board)
        points = get_store().scores(board.with_(measure="points").storage_key(today))
        hidden = _under_inactive(scope)
        entities = [
            (pk, path)
            for pk, path in Unit.objects.filter(
                path__startswith=scope.path, kind=board.entity, is_active=True
            )
            .exclude(pk=scope.pk)
            .values_list("pk", "path")
            if not hidden(path)
        ]
        groups = competition.eligible_target_groups or [
            "citizen",
            "student",
            "public_servant",
            "enterprise_worker",
        ]
        field = {
            "citizen": "adult_residents",
            "student": "students",
            "public_servant": "public_servants",
            "enterprise_worker": "enterprise_workers",
        }
        subtree = list(
            Unit.objects.filter(
                path__startswith=scope.path, is_active=True
            ).values_list("path", *[field[g] for g in groups])
        )
        if board.measure == "per_member":
            counts = dict(
                Membership.objects.filter(
                    unit__path__startswith=scope.path, person__is_active=True
                )
                .values_list("unit__path")
                .annotate(n=Count("person", distinct=True))
                .order_by()
            )
        else:
            # KPI: distinct people with a completed training in the board's period,
            # over the target headcount. A completion credited at zero (a cap was
            # reached) still reached a person; a reversed one did not.
            completed = PointEntry.objects.filter(
                competition=competition,
                unit__path__startswith=scope.path,
                reverses__isnull=True,
                reversed_by__isnull=True,
                activity_type__code="training-completed",
            )
            since = period_start(board.period, today)
            if since is not None:
                completed = completed.filter(occurred_at__gte=since)
            counts = dict(
                completed.values_list("unit__path")
                .annotate(n=Count("person", distinct=True))
                .order_by()
            )
        result = []
        for pk, path in entities:
            if board.measure == "per_member":
                denominator = sum(n for p, n in counts.items() if p.startswith(path))
                numerator = points.get(pk, 0)
            else:
                denominator = sum(
                    sum(values) for p, *values in subtree if p.startswith(path)
                )
                numerator = sum(n for p, n in counts.items() if p.startswith(path))
            value = (
                round(
                    numerator
                    / denominator
                    * (1 if board.measure == "per_member" else 100),
                    2,
                )
                if denominator
                else 0
            )
            result.append((pk, value))
        result.sort(key=lambda item: (-item[1], item[0]))
        return result

    return _derived_cache.get((board.name, today), compute)


def board_rows(
    board: Board, *, offset: int = 0, limit: int = DEFAULT_LIMIT, today=None
) -> tuple[list[Row], int]:
    """A page of ranked rows and the board's size."""
    today = today or timezone.localdate()
    store = get_store()
    if board.measure == "points":
        key = board.storage_key(today)
        ranked, total = store.window(key, offset=offset, limit=limit)
        # The board's first row is first; a page further down may start inside a tie.
        first_rank = 1 if offset == 0 or not ranked else store.rank(key, ranked[0][0])
        ranks = _page_ranks(first_rank, offset, [points for _member, points in ranked])
    else:
        everything = _derived_scores(board, today)
        total = len(everything)
        all_ranks = shared_ranks([v for _m, v in everything])
        ranked = everything[offset : offset + limit]
        ranks = all_ranks[offset : offset + limit]
    members = [member for member, _value in ranked]
    names = _names(board, members)
    previous = snapshots.previous_ranks(board, members, today)
    rows = [
        Row(
            rank=rank,
            key=_row_key(board, member),
            name=names.get(member, ("?", ""))[0],
            unit=names.get(member, ("?", ""))[1],
            value=value,
            member=member,
            compared=previous is not None,
            previous_rank=previous.get(member) if previous is not None else None,
        )
        for (member, value), rank in zip(ranked, ranks, strict=True)
    ]
    return rows, total


def _page_ranks(first_rank: int, offset: int, values: list) -> list[int]:
    """Ranks of a page starting at offset; its first row's rank is known (it may
    share a tie that began on an earlier page); later rows rank by position."""
    ranks = []
    for index, value in enumerate(values):
        if index == 0:
            ranks.append(first_rank)
        elif value == values[index - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(offset + index + 1)
    return ranks


def overview(
    competition_id: int,
    scope_id: int,
    *,
    unit_entity: str,
    person_id=None,
    limit: int = 10,
    period: str = "all",
):
    """A scope at a glance: top people, top units of a kind, and one person's standing.

    Everything comes from the store in one round trip (Redis) and names from the
    per-process cache: this is the read a crowd makes, so it costs no SQL.
    """
    today = timezone.localdate()
    people = Board(competition_id, scope_id, PEOPLE, period=period)
    units = Board(competition_id, scope_id, unit_entity, period=period)
    people_key, units_key = people.storage_key(today), units.storage_key(today)
    (people_page, units_page), mine = get_store().windows_and_standing(
        [(people_key, 0, limit), (units_key, 0, limit)],
        (people_key, person_id) if person_id is not None else None,
    )

    def rows(board, page):
        ranked, _total = page
        names = _names(board, [member for member, _points in ranked])
        ranks = _page_ranks(1, 0, [points for _member, points in ranked])
        return [
            Row(
                rank=rank,
                key=_row_key(board, member),
                name=names.get(member, ("?", ""))[0],
                unit=names.get(member, ("?", ""))[1],
                value=points,
                member=member,
            )
            for (member, points), rank in zip(ranked, ranks, strict=True)
        ]

    return {
        "people_board": people,
        "units_board": units,
        "people": rows(people, people_page),
        "people_count": people_page[1],
        "units": rows(units, units_page),
        "units_count": units_page[1],
        "mine": {"points": mine[0], "rank": mine[1]} if mine else None,
    }


def position_of(board: Board, member: int, today=None) -> int | None:
    today = today or timezone.localdate()
    if board.measure == "points":
        return get_store().position(board.storage_key(today), member)
    for index, (candidate, _value) in enumerate(_derived_scores(board, today)):
        if candidate == member:
            return index
    return None


def around(board: Board, member: int, *, radius: int = AROUND, today=None) -> list[Row]:
    """Rows around a member: radius above, the member, radius below."""
    index = position_of(board, member, today)
    if index is None:
        return []
    start = max(0, index - radius)
    rows, _total = board_rows(board, offset=start, limit=2 * radius + 1, today=today)
    return rows


def board_snapshot(board: Board, *, limit: int = DEFAULT_LIMIT) -> dict:
    """What a live client receives: the top rows, as plain data with no private field."""
    rows, total = board_rows(board, limit=limit)
    snapshot = {
        "board": board.name,
        "count": total,
        "rows": [row.as_dict() for row in rows],
        "at": timezone.now().isoformat(),
    }
    expires = time.monotonic() + _snapshot_cache.seconds
    _snapshot_cache.values[(board.name, limit)] = (expires, snapshot)
    return snapshot


_snapshot_cache = _TTLCache(1.0)


def recent_snapshot(board: Board, *, limit: int = DEFAULT_LIMIT) -> dict:
    """A snapshot at most a second old: a thousand phones connecting at once (a
    reconnect storm after a restart) cost one read, not a thousand."""
    return _snapshot_cache.get(
        (board.name, limit), lambda: board_snapshot(board, limit=limit)
    )


def cached_snapshot(board: Board, *, limit: int = DEFAULT_LIMIT) -> dict | None:
    """recent_snapshot() if it needs no read, else None: safe in the event loop."""
    return _snapshot_cache.fresh((board.name, limit))


def search(board: Board, query: str, *, limit: int = 10) -> list[Row]:
    """Rows of the board whose name contains the query (anonymous people never match)."""
    _competition, scope = resolve(board)
    if board.is_people:
        candidates = list(
            Person.objects.filter(
                display_name__icontains=query,
                appears_anonymously=False,
                is_active=True,
                memberships__unit__path__startswith=scope.path,
            )
            .values_list("pk", flat=True)
            .distinct()[:limit]
        )
    else:
        candidates = list(
            Unit.objects.filter(
                name__icontains=query, kind=board.entity, path__startswith=scope.path
            )
            .exclude(pk=scope.pk)
            .values_list("pk", flat=True)[:limit]
        )
    found = []
    for member in candidates:
        rows = around(board, member, radius=0)
        found += rows
    return sorted(found, key=lambda row: (row.rank, row.member))


def member_for_user(board: Board, user) -> int | None:
    """The signed-in visitor's own row on this board: themselves, or their unit."""
    if not user.is_authenticated:
        return None
    person = Person.objects.filter(user=user).first()
    if person is None:
        return None
    if board.is_people:
        return person.pk
    membership = (
        Membership.objects.filter(person=person, is_primary=True)
        .select_related("unit")
        .first()
    )
    if membership is None:
        return None
    chain = Unit.objects.filter(
        path__in=[*membership.unit.ancestor_paths, membership.unit.path],
        kind=board.entity,
    )
    unit = chain.order_by("-depth").first()
    return unit.pk if unit else None


ENTITY_ORDER = [
    "commune",
    "ward",
    "village",
    "residential_group",
    "school",
    "department",
    "office",
    "youth_branch",
    "digital_team",
    "enterprise",
    "cooperative",
]


def board_directory() -> list[dict]:
    """The boards worth listing: for each running competition, its scope and its communes."""
    listing = []
    for competition in Competition.objects.filter(
        status=Competition.Status.RUNNING
    ).select_related("scope_unit"):
        scope = competition.scope_unit
        kinds = set(
            Unit.objects.filter(path__startswith=scope.path, is_active=True)
            .exclude(pk=scope.pk)
            .values_list("kind", flat=True)
            .distinct()
        )
        boards = [Board(competition.pk, scope.pk, PEOPLE)]
        boards += [
            Board(competition.pk, scope.pk, kind)
            for kind in ENTITY_ORDER
            if kind in kinds
        ]
        communes = [
            (
                commune,
                Board(competition.pk, commune.pk, "village"),
                Board(competition.pk, commune.pk, PEOPLE),
            )
            for commune in Unit.objects.filter(
                path__startswith=scope.path,
                kind__in=["commune", "ward"],
                is_active=True,
            ).order_by("name")
        ]
        listing.append(
            {
                "competition": competition,
                "scope": scope,
                "boards": boards,
                "communes": communes,
            }
        )
    return listing


def entity_label(entity: str) -> str:
    if entity == PEOPLE:
        return _("People")
    return str(dict(Unit.Kind.choices).get(entity, entity))


def forget_cached() -> None:
    """Drop the per-process caches (tests, and after a rebuild)."""
    _snapshot_cache.values.clear()
    _derived_cache.values.clear()
    _name_cache.clear()
    _resolved.values.clear()


@dataclass
class Standing:
    """Where a person (or their unit) stands on one board."""

    board: Board
    competition: Competition
    scope: Unit
    member_name: str
    points: int
    rank: int
    count: int
    previous_rank: int | None = None
    compared: bool = False

    @property
    def moved(self) -> int | None:
        if not self.compared or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def person_standings(
    person: Person, *, periods=("week", "all"), today=None
) -> list[Standing]:
    """Every board of a running competition the person is on, and their village's
    (or other unit's) place among its peers: people boards of each unit above them,
    then unit boards. Three queries and one store round trip, however many boards.
    """
    today = today or timezone.localdate()
    membership = (
        Membership.objects.filter(person=person, is_primary=True)
        .select_related("unit")
        .first()
    )
    if membership is None:
        return []
    home = membership.unit
    chain = list(
        Unit.objects.filter(path__in=[*home.ancestor_paths, home.path]).order_by(
            "depth"
        )
    )
    if not all(unit.is_active for unit in chain):
        return []  # on no board (boards.counts)
    paths = {unit.path for unit in chain}
    wanted: list[tuple[Board, Competition, Unit, int, str]] = []
    for competition in Competition.objects.filter(
        status=Competition.Status.RUNNING
    ).select_related("scope_unit"):
        if competition.scope_unit.path not in paths:
            continue
        scopes = [u for u in chain if u.depth >= competition.scope_unit.depth]
        for period in periods:
            # The person among the people of each unit above them, narrowest first.
            for scope in reversed(scopes):
                board = Board(competition.pk, scope.pk, PEOPLE, period=period)
                wanted.append(
                    (board, competition, scope, person.pk, person.display_name)
                )
            # Their own unit among the units of its kind in each unit above it.
            for scope in reversed(scopes[:-1]):
                board = Board(competition.pk, scope.pk, home.kind, period=period)
                wanted.append((board, competition, scope, home.pk, home.name))
    found = get_store().standings(
        [(board.storage_key(today), member) for board, _c, _s, member, _n in wanted]
    )
    standings = []
    for (board, competition, scope, _member, name), standing in zip(
        wanted, found, strict=True
    ):
        if standing is None:
            continue
        points, rank, count = standing
        standings.append(
            Standing(
                board=board,
                competition=competition,
                scope=scope,
                member_name=name,
                points=points,
                rank=rank,
                count=count,
            )
        )
    for standing in standings:
        previous = snapshots.previous_ranks(
            standing.board,
            [person.pk if standing.board.is_people else home.pk],
            today,
        )
        if previous is not None:
            standing.compared = True
            standing.previous_rank = next(iter(previous.values()))
    return standings
