"""What a board is, how it is named, and which boards a ledger entry moves.

A public board is competition × scope unit × entity × period × measure, written in
URLs as ``<competition>-<scope>-<entity>-<period>-<measure>``, e.g.
``1-3-village-week-points``: the villages of unit 3 this week, by points. The
ranking store keeps one sorted set of points per competition × scope × entity ×
period *instance* (this ISO week, this month, all time); the other measures are
derived from it when read.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.utils import timezone

from units.models import Unit

PEOPLE = "people"
PERIODS = ("week", "month", "all")
MEASURES = ("points", "per_member", "kpi")
UNIT_ENTITIES = tuple(Unit.Kind.values)
ENTITIES = (PEOPLE, *UNIT_ENTITIES)


class UnknownBoard(ValueError):
    """A board name that does not parse or names something that does not exist."""


def period_instance(period: str, day: date) -> str:
    """The stored period a date falls in: all time, its ISO week, or its month."""
    if period == "all":
        return "all"
    if period == "week":
        year, week, _weekday = day.isocalendar()
        return f"w{year}{week:02d}"
    if period == "month":
        return f"m{day.year}{day.month:02d}"
    raise UnknownBoard(period)


def period_start(period: str, day: date) -> datetime | None:
    """The local midnight a period that contains `day` begins at; None for all time."""
    if period == "all":
        return None
    if period == "week":
        first = day - timedelta(days=day.weekday())
    elif period == "month":
        first = day.replace(day=1)
    else:
        raise UnknownBoard(period)
    return timezone.make_aware(datetime.combine(first, datetime.min.time()))


@dataclass(frozen=True)
class Board:
    competition_id: int
    scope_id: int
    entity: str
    period: str = "week"
    measure: str = "points"

    @property
    def name(self) -> str:
        return f"{self.competition_id}-{self.scope_id}-{self.entity}-{self.period}-{self.measure}"

    @property
    def is_people(self) -> bool:
        return self.entity == PEOPLE

    def with_(self, **changes) -> "Board":
        values = {
            "competition_id": self.competition_id,
            "scope_id": self.scope_id,
            "entity": self.entity,
            "period": self.period,
            "measure": self.measure,
        }
        values.update(changes)
        return Board(**values)

    def storage_key(self, today: date) -> str:
        """The sorted set holding this board's points for the period containing today."""
        return storage_key(
            self.competition_id,
            self.scope_id,
            self.entity,
            period_instance(self.period, today),
        )

    @classmethod
    def parse(cls, name: str) -> "Board":
        parts = name.split("-")
        if len(parts) != 5:
            raise UnknownBoard(name)
        competition, scope, entity, period, measure = parts
        # isascii: "²".isdigit() is true, and int("²") fails.
        if not all(part.isascii() and part.isdigit() for part in (competition, scope)):
            raise UnknownBoard(name)
        if entity not in ENTITIES or period not in PERIODS or measure not in MEASURES:
            raise UnknownBoard(name)
        if entity == PEOPLE and measure != "points":
            raise UnknownBoard(name)  # per member and KPI are unit measures
        return cls(int(competition), int(scope), entity, period, measure)


def counts(
    chain: Iterable[tuple[int, str, bool]], *, person_active: bool = True
) -> bool:
    """Whether a member counts on the boards: the one rule, used everywhere.

    `chain` is the units a member is credited under, root first, as (id, kind,
    active): for a unit, its ancestors and itself; for a person, the ancestors of
    the credited unit and that unit. A member counts only if it is active and every
    unit of its chain, all the way up, is active. A deactivated unit thus leaves
    the boards with everything under it (its people included); what it earned
    before stays in the totals of the active units above it, as a deactivated
    person's points stay in their unit's: points are taken back by reversals, not
    by deactivation.
    """
    return person_active and all(active for _unit, _kind, active in chain)


def counting_units(chain: list[tuple[int, str, bool]]) -> list[tuple[int, str]]:
    """The units of a credited unit's chain that count, root first, as (id, kind):
    each one whose own chain counts (the chain down to its first inactive unit)."""
    return [
        (unit_id, kind)
        for depth, (unit_id, kind, _active) in enumerate(chain)
        if counts(chain[: depth + 1])
    ]


def storage_key(competition_id: int, scope_id: int, entity: str, instance: str) -> str:
    """The sorted set of one board instance: `lb:{1:w202647:u}:3:village`.

    The braces are Redis Cluster's hash tag: the people boards of one competition
    and period instance share a slot (`p`), and so do its unit boards (`u`), so
    that a script call or a ZUNIONSTORE over them (the projection of a batch, the
    rebuild's roll-up of people boards) touches one slot, while the six groups of
    a competition (three periods, people and units) spread over the shards.
    """
    group = "p" if entity == PEOPLE else "u"
    return f"lb:{{{competition_id}:{instance}:{group}}}:{scope_id}:{entity}"


def parse_storage_key(key: str) -> tuple[int, int, str, str]:
    tag, rest = key.removeprefix("lb:{").split("}:", 1)
    competition, instance, _group = tag.split(":")
    scope, entity = rest.split(":")
    return int(competition), int(scope), entity, instance


@dataclass(frozen=True)
class Increment:
    key: str
    member: int
    delta: int


@lru_cache(maxsize=65536)
def _entry_keys(
    competition_id: int, chain: tuple[tuple[int, str], ...], instances: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
    """The people boards and the (unit board, unit) pairs an entry of this chain moves.

    Cached: a batch of awards touches a few thousand chains, and building 18 key
    strings per award was a third of the projector's own time.
    """
    people_keys = []
    unit_pairs = []
    for instance in instances:
        for scope_id, _kind in chain:
            people_keys.append(storage_key(competition_id, scope_id, PEOPLE, instance))
        for depth, (unit_id, kind) in enumerate(chain):
            for scope_id, _scope_kind in chain[:depth]:
                unit_pairs.append(
                    (storage_key(competition_id, scope_id, kind, instance), unit_id)
                )
    return tuple(people_keys), tuple(unit_pairs)


class Changes:
    """Points to add to the boards, per storage key and member, summed as they come.

    A batch of entries moves the same unit members many times (every award of a
    village moves that village on its commune's and province's boards); summing
    here sends each (key, member) to the store once.
    """

    def __init__(self, increments: Iterable[Increment] = ()):
        self.by_key: dict[str, dict[int, int]] = defaultdict(dict)
        # The projector names the batch (a digest of its entry ids): see
        # stores.RedisClusterStore.apply.
        self.batch: str | None = None
        for item in increments:
            self.add(item.key, item.member, item.delta)

    @classmethod
    def of(cls, changes: "Changes | Iterable[Increment]") -> "Changes":
        """The changes as they are, or summed from single increments."""
        return changes if isinstance(changes, Changes) else cls(changes)

    def add(self, key: str, member: int, delta: int) -> None:
        members = self.by_key[key]
        members[member] = members.get(member, 0) + delta

    def add_entry(
        self,
        *,
        competition_id: int,
        person_id: int | None,
        points: int,
        day: date,
        chain: list[tuple[int, str]],
        instances: tuple[str, ...] | None = None,
    ) -> None:
        """Add every sorted-set change one ledger entry causes.

        `chain` is the credited unit's ancestors and itself, root first, as (id, kind).
        A person counts on the person boards of every unit in the chain; each unit of
        the chain counts on the boards of its kind in every unit above it.
        """
        if instances is None:
            instances = period_instances(day)
        people_keys, unit_pairs = _entry_keys(competition_id, tuple(chain), instances)
        by_key = self.by_key
        if person_id is not None:
            for key in people_keys:
                members = by_key[key]
                members[person_id] = members.get(person_id, 0) + points
        for key, unit_id in unit_pairs:
            members = by_key[key]
            members[unit_id] = members.get(unit_id, 0) + points

    def keys(self) -> set[str]:
        return set(self.by_key)

    def __iter__(self) -> Iterator[Increment]:
        for key, members in self.by_key.items():
            for member, delta in members.items():
                yield Increment(key, member, delta)

    def __bool__(self) -> bool:
        return bool(self.by_key)


@lru_cache(maxsize=512)
def period_instances(day: date) -> tuple[str, ...]:
    """The stored periods (in PERIODS order) a day falls in."""
    return tuple(period_instance(period, day) for period in PERIODS)


def increments_for(
    *,
    competition_id: int,
    person_id: int | None,
    points: int,
    day: date,
    chain: list[tuple[int, str]],
    instances: tuple[str, ...] | None = None,
) -> list[Increment]:
    """Every sorted-set change one ledger entry causes, one by one."""
    changes = Changes()
    changes.add_entry(
        competition_id=competition_id,
        person_id=person_id,
        points=points,
        day=day,
        chain=chain,
        instances=instances,
    )
    return list(changes)
