"""Reads of the unit tree that need care (a fixed number of queries per page)."""

import time

from django.db.models import Count, Q, QuerySet, Sum

from .models import Membership, Person, Role, Unit
from .text import fold


def ancestors_of(unit: Unit) -> list[Unit]:
    """The unit's ancestors, root first, in one query."""
    paths = unit.ancestor_paths
    if not paths:
        return []
    return list(Unit.objects.filter(path__in=paths).order_by("depth"))


def children_of(unit: Unit) -> QuerySet[Unit]:
    """The unit's direct children with their member counts, sorted by name."""
    return (
        Unit.objects.filter(
            path__startswith=unit.path, depth=unit.depth + 1, is_active=True
        )
        .annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__person__is_active=True)
            )
        )
        .order_by("name", "pk")
    )


def root_units() -> QuerySet[Unit]:
    return Unit.objects.filter(depth=1, is_active=True).order_by("name", "pk")


# Unit names folded without diacritics, per process: people type "ho lien" on a
# phone keyboard as often as "Hồ Liễn", and neither SQLite nor PostgreSQL without
# the unaccent extension folds "ễ" to "e". A province has tens of thousands of
# units: the index is a few MB and a search through it a few milliseconds.
_INDEX_SECONDS = 60.0
_index: tuple[float, list[tuple[str, int, str, int]]] | None = None


def _folded_index() -> list[tuple[str, int, str, int]]:
    """(folded name, depth, name, id) of every active unit, in the listing's order."""
    global _index
    now = time.monotonic()
    if _index is None or _index[0] < now:
        rows = (
            Unit.objects.filter(is_active=True)
            .order_by("depth", "name", "pk")
            .values_list("name", "depth", "pk")
        )
        _index = (
            now + _INDEX_SECONDS,
            [(fold(name), depth, name, pk) for name, depth, pk in rows],
        )
    return _index[1]


def forget_unit_index(**_signal) -> None:
    """Drop this process's index (a unit was saved; other workers catch up within
    a minute)."""
    global _index
    _index = None


def search_units(query: str, limit: int = 50) -> QuerySet[Unit]:
    """Active units whose name contains the query, with or without diacritics,
    the widest first."""
    wanted = fold(query)
    if not wanted:
        return Unit.objects.none()
    found = []
    for name, _depth, _original, pk in _folded_index():
        if wanted in name:
            found.append(pk)
            if len(found) == limit:
                break
    return Unit.objects.filter(pk__in=found).order_by("depth", "name", "pk")


def members_of(unit: Unit, *, subtree: bool = False) -> QuerySet[Person]:
    """Active people of the unit (or its whole subtree), sorted by name."""
    units = (
        Unit.objects.subtree_of(unit) if subtree else Unit.objects.filter(pk=unit.pk)
    )
    return (
        Person.objects.active()
        .filter(memberships__unit__in=units)
        .distinct()
        .order_by("display_name", "pk")
    )


def member_count(unit: Unit, *, subtree: bool = True) -> int:
    units = (
        Unit.objects.subtree_of(unit) if subtree else Unit.objects.filter(pk=unit.pk)
    )
    return (
        Membership.objects.filter(unit__in=units, person__is_active=True)
        .values("person")
        .distinct()
        .count()
    )


def roles_for_user(user) -> QuerySet[Role]:
    return (
        Role.objects.filter(user=user)
        .select_related("unit")
        .order_by("unit__path", "kind")
    )


def primary_unit_of(person: Person) -> Unit | None:
    membership = (
        Membership.objects.filter(person=person, is_primary=True)
        .select_related("unit")
        .first()
    )
    return membership.unit if membership else None


def headcount_totals(unit: Unit) -> dict[str, int]:
    """Headcounts of the unit and its whole subtree, added up in one query.

    Each unit records only its own people (a commune office's public servants, a
    village's residents), so the subtree's sum is the unit's real denominator.
    """
    totals = (
        Unit.objects.subtree_of(unit)
        .filter(is_active=True)
        .aggregate(**{name: Sum(name) for name in Unit.HEADCOUNT_FIELDS})
    )
    return {name: totals[name] or 0 for name in Unit.HEADCOUNT_FIELDS}


def people_to_choose(units, *, limit: int) -> QuerySet[Person]:
    """Active people of the units, sorted by name, at most `limit` of them: the
    choices a form offers (a phone page cannot carry a village of thousands)."""
    ids = (
        Person.objects.active()
        .filter(memberships__unit__in=units)
        .values_list("pk", flat=True)
        .distinct()[:limit]
    )
    return Person.objects.filter(pk__in=list(ids)).order_by("display_name", "pk")
