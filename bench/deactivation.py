"""(g) Deactivating one person or one village: only their own members move.

Against the same run's baseline, the full rebuild that a deactivation used to run
inside the request. Each deactivation goes through the service (its transaction,
its audit event, the move after commit) and is timed whole; the store's part
(reading the members' places and setting them) is timed on its own. After the
deactivations, and again after the reactivations, `rebuild_leaderboards --check`'s
comparison must find no mismatch, and the reactivated boards must equal the boards
before.
"""

import statistics
import time

from django.utils import timezone

from leaderboards import projector
from leaderboards.stores import get_store
from units.audit import COMMAND
from units.models import Person, Unit
from units.services import set_person_active, set_unit_active


class StoreClock:
    """Adds up the time spent in the store's calls that a targeted move makes."""

    CALLS = ("scores_of", "assign")

    def __init__(self, store):
        self.store = store
        self.seconds = 0.0
        self.originals = {}

    def __enter__(self):
        for name in self.CALLS:
            original = getattr(self.store, name)
            self.originals[name] = original

            def timed(*args, _original=original, **kwargs):
                started = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - started

            setattr(self.store, name, timed)
        return self

    def __exit__(self, *exc):
        for name in self.CALLS:
            delattr(self.store, name)  # back to the class's method


def _timed_change(change, target, *, active: bool, store) -> tuple[float, float]:
    """(whole call, store part) in milliseconds."""
    with StoreClock(store) as clock:
        started = time.perf_counter()
        change(target, active)
        whole = time.perf_counter() - started
    return whole * 1000, clock.seconds * 1000


def _person(person, active):
    set_person_active(
        person=person, active=active, by=None, at=timezone.now(), origin=COMMAND
    )


def _unit(unit, active):
    set_unit_active(
        unit=unit, active=active, by=None, at=timezone.now(), origin=COMMAND
    )


def _summary(samples: list[tuple[float, float]]) -> dict:
    whole = sorted(s[0] for s in samples)
    store = sorted(s[1] for s in samples)
    return {
        "n": len(samples),
        "whole_p50_ms": round(statistics.median(whole), 2),
        "whole_max_ms": round(whole[-1], 2),
        "store_p50_ms": round(statistics.median(store), 2),
        "store_max_ms": round(store[-1], 2),
    }


def _board_snapshot(store, today) -> dict:
    return {
        key: store.scores(key) for key in projector._current_keys(store.keys(), today)
    }


def run(
    dataset: dict, *, people: int = 20, villages: int = 5, rebuild_seconds=None
) -> dict:
    store = get_store()
    if rebuild_seconds is None:
        rebuild_seconds = projector.rebuild().seconds
    first = dataset["first_person"]
    step = max(1, dataset["people"] // people)
    chosen_people = list(
        Person.objects.filter(
            pk__in=[first + n * step + 7 for n in range(people)]
        ).order_by("pk")
    )
    province = Unit.objects.get(pk=dataset["province_id"])
    all_villages = list(
        Unit.objects.filter(path__startswith=province.path, kind="village")
        .order_by("path")
        .values_list("pk", flat=True)
    )
    vstep = max(1, len(all_villages) // villages)
    chosen_villages = list(
        Unit.objects.filter(pk__in=all_villages[3::vstep][:villages]).order_by("pk")
    )
    village_people = {
        village.pk: Person.objects.filter(memberships__unit=village).count()
        for village in chosen_villages
    }
    # Every current board, read before and after: the reactivations must give
    # back exactly what was there.
    today = timezone.localdate()
    before = _board_snapshot(store, today)

    off_people = [
        _timed_change(_person, p, active=False, store=store) for p in chosen_people
    ]
    off_villages = [
        _timed_change(_unit, v, active=False, store=store) for v in chosen_villages
    ]
    started = time.perf_counter()
    check_off = projector.reconcile()
    reconcile_seconds = time.perf_counter() - started

    on_people = [
        _timed_change(_person, p, active=True, store=store) for p in chosen_people
    ]
    on_villages = [
        _timed_change(_unit, v, active=True, store=store) for v in chosen_villages
    ]
    check_on = projector.reconcile()
    after = _board_snapshot(store, today)

    return {
        "baseline_full_rebuild_seconds": round(rebuild_seconds, 2),
        "person_off": _summary(off_people),
        "person_on": _summary(on_people),
        "village_off": _summary(off_villages),
        "village_on": _summary(on_villages),
        "people_per_village": sorted(village_people.values()),
        "mismatches_after_deactivation": len(check_off.mismatches),
        "mismatches_after_reactivation": len(check_on.mismatches),
        "reconcile_seconds": round(reconcile_seconds, 2),
        "boards_equal_after_reactivation": before == after,
        "ratio_rebuild_over_person": round(
            rebuild_seconds * 1000 / _summary(off_people)["whole_p50_ms"], 1
        ),
        "ratio_rebuild_over_village": round(
            rebuild_seconds * 1000 / _summary(off_villages)["whole_p50_ms"], 1
        ),
    }


def table_lines(result: dict) -> list[str]:
    p, v = result["person_off"], result["village_off"]
    base = result["baseline_full_rebuild_seconds"] * 1000
    return [
        f"{'(g) deactivate one person: whole / store work (p50 ms)':58} "
        f"{p['whole_p50_ms']:>12} {p['store_p50_ms']:>12} "
        f"(rebuild {base:.0f} ms, {result['ratio_rebuild_over_person']}x)",
        f"{'(g) deactivate one village: whole / store work (p50 ms)':58} "
        f"{v['whole_p50_ms']:>12} {v['store_p50_ms']:>12} "
        f"(rebuild {base:.0f} ms, {result['ratio_rebuild_over_village']}x)",
        f"{'(g) mismatches after / after reactivation; boards restored':58} "
        f"{result['mismatches_after_deactivation']:>12} "
        f"{result['mismatches_after_reactivation']:>12} "
        f"{result['boards_equal_after_reactivation']!s:>9}",
    ]
