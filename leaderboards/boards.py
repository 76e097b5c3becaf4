"""What a board is, how it is named, and which boards a ledger entry moves.

A public board is competition × scope unit × entity × period × measure, written in
URLs as ``<competition>-<scope>-<entity>-<period>-<measure>``, e.g.
``1-3-village-week-points``: the villages of unit 3 this week, by points. The
ranking store keeps one sorted set of points per competition × scope × entity ×
period *instance* (this ISO week, this month, all time); the other measures are
derived from it when read.
"""

from dataclasses import dataclass
from datetime import date

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
        if not (competition.isdigit() and scope.isdigit()):
            raise UnknownBoard(name)
        if entity not in ENTITIES or period not in PERIODS or measure not in MEASURES:
            raise UnknownBoard(name)
        if entity == PEOPLE and measure != "points":
            raise UnknownBoard(name)  # per member and KPI are unit measures
        return cls(int(competition), int(scope), entity, period, measure)


def storage_key(competition_id: int, scope_id: int, entity: str, instance: str) -> str:
    return f"lb:{competition_id}:{scope_id}:{entity}:{instance}"


def parse_storage_key(key: str) -> tuple[int, int, str, str]:
    _prefix, competition, scope, entity, instance = key.split(":")
    return int(competition), int(scope), entity, instance


@dataclass(frozen=True)
class Increment:
    key: str
    member: int
    delta: int


def increments_for(
    *,
    competition_id: int,
    person_id: int | None,
    points: int,
    day: date,
    chain: list[tuple[int, str]],
    instances: tuple[str, ...] | None = None,
) -> list[Increment]:
    """Every sorted-set change one ledger entry causes.

    `chain` is the credited unit's ancestors and itself, root first, as (id, kind).
    A person counts on the person boards of every unit in the chain; each unit of
    the chain counts on the boards of its kind in every unit above it.
    """
    if instances is None:
        instances = tuple(period_instance(period, day) for period in PERIODS)
    changes = []
    for instance in instances:
        if person_id is not None:
            for scope_id, _kind in chain:
                changes.append(
                    Increment(
                        storage_key(competition_id, scope_id, PEOPLE, instance),
                        person_id,
                        points,
                    )
                )
        for depth, (unit_id, kind) in enumerate(chain):
            for scope_id, _scope_kind in chain[:depth]:
                changes.append(
                    Increment(
                        storage_key(competition_id, scope_id, kind, instance),
                        unit_id,
                        points,
                    )
                )
    return changes
