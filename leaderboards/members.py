"""Targeted changes to the boards: some members' places recomputed from the ledger.

When a person or a unit is deactivated or comes back, only its own members move:
the person, or the unit with everything under it and the people credited there.
Their points on every current board (all time, this month, this week) are summed
from the ledger for those members alone, under the projector lock, compared with
the store and set where they differ. The same recomputation repairs the members
the reconciliation finds wrong. Rebuilding every board instead took about 9 s at
a million people, inside the request that deactivated one person.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from competitions.models import Competition, PointEntry
from units.models import Person, Unit

from . import hub
from .boards import PEOPLE, counts, parse_storage_key, storage_key
from .projector import period_sums, take_lock, unit_chains
from .selectors import forget_cached
from .stores import get_store

logger = logging.getLogger(__name__)

# Past this many people to move, one rebuild is cheaper than recomputing each
# (deactivating a whole province, say).
MAX_TARGETED_PEOPLE = 50_000


@dataclass(frozen=True)
class Change:
    """One member set to its ledger value on one board (None: off the board)."""

    key: str
    member: int
    store: int | None
    ledger: int | None


def _entries():
    """Projected entries, by competition: the ledger's indexes all begin with the
    competition (there are a few), and without it a query for one person or one
    village reads the whole ledger (a million rows)."""
    return PointEntry.objects.projected().filter(
        competition_id__in=list(Competition.objects.values_list("pk", flat=True))
    )


def _people_values(people, *, instances, sums, expected, candidates) -> None:
    """The people's points on every people board their entries reach."""
    rows = list(
        _entries()
        .filter(person_id__in=people)
        .values_list("competition_id", "unit_id", "person_id")
        .annotate(**sums)
        .order_by()
    )
    active = dict(Person.objects.filter(pk__in=people).values_list("pk", "is_active"))
    chains = unit_chains({row[1] for row in rows})
    for competition_id, unit_id, person_id, *totals in rows:
        chain = chains[unit_id]
        counted = counts(chain, person_active=active.get(person_id, False))
        for instance, total in zip(instances, totals, strict=True):
            if total is None:
                continue
            for scope_id, _kind, _active in chain:
                pair = (
                    storage_key(competition_id, scope_id, PEOPLE, instance),
                    person_id,
                )
                candidates.add(pair)
                if counted:
                    expected[pair] = expected.get(pair, 0) + total


def _subtree_filter(paths: Iterable[str]) -> Q:
    """Entries credited anywhere under these paths (nested paths folded away)."""
    roots: list[str] = []
    for path in sorted(paths):
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    condition = Q()
    for path in roots:
        condition |= Q(unit__path__startswith=path)
    return condition


def _unit_values(units, *, instances, sums, expected, candidates) -> None:
    """The units' points (their whole subtree's) on the unit boards above them."""
    known = {
        pk: (path, kind, active)
        for pk, path, kind, active in Unit.objects.filter(pk__in=units).values_list(
            "pk", "path", "kind", "is_active"
        )
    }
    if not known:
        return
    chains = unit_chains(None, known=known)
    by_path = {path: pk for pk, (path, _kind, _active) in known.items()}
    step = Unit.steplen
    rows = (
        _entries()
        .filter(_subtree_filter(by_path))
        .values_list("competition_id", "unit__path")
        .annotate(**sums)
        .order_by()
    )
    for competition_id, path, *totals in rows:
        for end in range(step, len(path) + 1, step):
            member = by_path.get(path[:end])
            if member is None:
                continue
            chain = chains[member]
            counted = counts(chain)
            kind = chain[-1][1]
            for instance, total in zip(instances, totals, strict=True):
                if total is None:
                    continue
                for scope_id, _kind, _active in chain[:-1]:
                    pair = (
                        storage_key(competition_id, scope_id, kind, instance),
                        member,
                    )
                    candidates.add(pair)
                    if counted:
                        expected[pair] = expected.get(pair, 0) + total


def ledger_values(
    *, people: Iterable[int] = (), units: Iterable[int] = (), today=None
) -> tuple[dict[tuple[str, int], int], set[tuple[str, int]]]:
    """What the ledger says of these members on the current boards.

    Returns (expected, candidates): the points of each (board key, member) where
    the member counts (boards.counts), and every (key, member) its projected
    entries reach whether it counts or not, i.e. where it may stand now.
    """
    today = today or timezone.localdate()
    instances, sums = period_sums(today)
    expected: dict[tuple[str, int], int] = {}
    candidates: set[tuple[str, int]] = set()
    people, units = set(people), set(units)
    if people:
        _people_values(
            people,
            instances=instances,
            sums=sums,
            expected=expected,
            candidates=candidates,
        )
    if units:
        _unit_values(
            units,
            instances=instances,
            sums=sums,
            expected=expected,
            candidates=candidates,
        )
    return expected, candidates | set(expected)


def refresh(
    *,
    people: Iterable[int] = (),
    units: Iterable[int] = (),
    also: Iterable[tuple[str, int]] = (),
) -> list[Change]:
    """Put these members where the ledger says, on every current board; return what
    changed. `also` names more (key, member) pairs to check, such as a member
    found on a board it has no entries for.

    Raises StoreUnavailable if the store does not answer; nothing is changed then.
    """
    store = get_store()
    with transaction.atomic():
        # Under the projector lock, the store equals the projected entries: no
        # projection can slip between reading the ledger and writing the store.
        take_lock(wait=True)
        expected, candidates = ledger_values(people=people, units=units)
        candidates |= set(also)
        pairs = sorted(candidates)
        actual = store.scores_of(pairs)
        changes = [
            Change(key, member, actual.get((key, member)), expected.get((key, member)))
            for key, member in pairs
            if actual.get((key, member)) != expected.get((key, member))
        ]
        store.assign({(c.key, c.member): c.ledger for c in changes})
        keys = {change.key for change in changes}
        if keys:
            transaction.on_commit(lambda: hub.announce(keys))
    return changes


def affected_by_unit(unit: Unit) -> tuple[list[int], list[int]]:
    """The units (the unit and its subtree) and the people credited under it."""
    units = list(Unit.objects.subtree_of(unit).values_list("pk", flat=True))
    people = list(
        _entries()
        .filter(unit__path__startswith=unit.path, person__isnull=False)
        .values_list("person_id", flat=True)
        .distinct()
        .order_by()
    )
    return units, people


def unit_activity_changed(unit: Unit) -> list[Change] | None:
    """Move a unit that was deactivated or reactivated, with everything under it.

    Returns the changes, or None when the subtree was too large and every board
    was rebuilt instead.
    """
    from .projector import rebuild

    units, people = affected_by_unit(unit)
    if len(people) > MAX_TARGETED_PEOPLE:
        logger.info(
            "unit %s moves %d people: rebuilding every board", unit.pk, len(people)
        )
        rebuild()
        return None
    changes = refresh(people=people, units=units)
    # This process's cached board scopes: a scope under the unit is unknown now.
    forget_cached()
    logger.info(
        "unit %s is now %s: %d board places changed",
        unit.pk,
        "active" if unit.is_active else "inactive",
        len(changes),
    )
    return changes


def person_activity_changed(person: Person) -> list[Change]:
    """Take a deactivated person off their boards, or put them back."""
    changes = refresh(people=[person.pk])
    logger.info(
        "person %s is now %s: %d board places changed",
        person.pk,
        "active" if person.is_active else "inactive",
        len(changes),
    )
    return changes


def members_of(pairs: Iterable[tuple[str, int]]) -> tuple[set[int], set[int]]:
    """The people and the units among (key, member) pairs, told apart by the key."""
    people: set[int] = set()
    units: set[int] = set()
    for key, member in pairs:
        entity = parse_storage_key(key)[2]
        (people if entity == PEOPLE else units).add(member)
    return people, units


__all__ = [
    "Change",
    "ledger_values",
    "members_of",
    "person_activity_changed",
    "refresh",
    "unit_activity_changed",
]
