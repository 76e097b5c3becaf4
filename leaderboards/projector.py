"""The projector: puts ledger entries on the boards, exactly once, after commit.

The ledger queues every new entry (UnprojectedEntry) in the entry's transaction;
the projector applies queued entries to the store and unqueues them in one
transaction. Projection and rebuilds take one lock (a transaction-scoped advisory
lock on PostgreSQL, the ProjectorLock row elsewhere), so only one of them changes
the store at a time, across every worker. An award's own
projection does not wait for that lock (nor for a stopped Redis): whatever it skips
stays queued, and the catch-up timer applies it a few seconds later. The store
always equals the sum of the entries no longer queued, so a rebuild from the
ledger gives exactly what the increments gave.
"""

import hashlib
import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from competitions.models import PointEntry, UnprojectedEntry
from units import schedule
from units.models import Person, Unit

from . import hub
from .boards import (
    PERIODS,
    Changes,
    counting_units,
    counts,
    parse_storage_key,
    period_instance,
    period_start,
    storage_key,
)
from .models import ProjectorLock
from .stores import StoreUnavailable, get_store

logger = logging.getLogger(__name__)

BATCH = 2000


# The advisory lock's key ("thidua" in ASCII); advisory locks are per database.
ADVISORY_KEY = 0x746869647561


def take_lock(*, wait: bool) -> bool:
    """Take the projector lock inside the current transaction; False if busy."""
    if connection.vendor == "postgresql":
        # One statement, released at commit or rollback like a row lock. The row
        # lock cost three round trips on every award's way to its viewers (a
        # savepoint, so that a busy NOWAIT fails alone, the select, the release).
        with connection.cursor() as cursor:
            if wait:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_KEY])
                return True
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_KEY])
            return cursor.fetchone()[0]
    try:
        # A savepoint: a busy lock fails this statement only, not the transaction.
        with transaction.atomic():
            ProjectorLock.objects.select_for_update(nowait=not wait).get_or_create(id=1)
    except DatabaseError:
        return False
    return True


def unit_chains(unit_ids, *, known=None) -> dict[int, list[tuple[int, str, bool]]]:
    """Each unit's ancestors and itself, root first, as (id, kind, active).

    One query for the ancestors; one more for the units themselves unless the
    caller already read them (`known`: id -> (path, kind, active)).
    """
    if known is None:
        known = {
            pk: (path, kind, active)
            for pk, path, kind, active in Unit.objects.filter(
                pk__in=set(unit_ids)
            ).values_list("pk", "path", "kind", "is_active")
        }
    step = Unit.steplen
    ancestors = {
        path[:end]
        for path, _kind, _active in known.values()
        for end in range(step, len(path), step)
    }
    by_path = {
        path: (pk, kind, active)
        for pk, path, kind, active in Unit.objects.filter(
            path__in=ancestors
        ).values_list("pk", "path", "kind", "is_active")
    }
    by_path.update(
        {path: (pk, kind, active) for pk, (path, kind, active) in known.items()}
    )
    return {
        pk: [by_path[path[:end]] for end in range(step, len(path) + 1, step)]
        for pk, (path, _kind, _active) in known.items()
    }


def local_day(moment: datetime):
    return timezone.localtime(moment).date()


ENTRY_FIELDS = (
    "pk",
    "competition_id",
    "unit_id",
    "person_id",
    "points",
    "occurred_at",
    "person__is_active",
    "unit__path",
    "unit__kind",
    "unit__is_active",
)


def entry_changes(rows) -> Changes:
    """The store changes of entries read as ENTRY_FIELDS tuples, summed."""
    chains = unit_chains(None, known={row[2]: (row[7], row[8], row[9]) for row in rows})
    visible = {unit_id: counting_units(chain) for unit_id, chain in chains.items()}
    changes = Changes()
    for (
        _pk,
        competition_id,
        unit_id,
        person_id,
        points,
        occurred,
        person_active,
        *_unit,
    ) in rows:
        changes.add_entry(
            competition_id=competition_id,
            person_id=(
                person_id
                if person_id is not None
                and counts(chains[unit_id], person_active=person_active)
                else None
            ),
            points=points,
            day=local_day(occurred),
            chain=visible[unit_id],
        )
    return changes


def take_queued(entry_ids, limit: int) -> list[tuple]:
    """Unqueue the oldest queued entries (of `entry_ids`, if given) and return them
    as ENTRY_FIELDS tuples, in id order.

    On PostgreSQL one statement takes and reads them: it is on every award's way to
    its viewers, where two ORM queries (select, then delete) cost about 2 ms more
    (README, "Badges", run H)."""
    if connection.vendor != "postgresql":
        queued = UnprojectedEntry.objects.order_by("entry_id")
        if entry_ids is not None:
            queued = queued.filter(entry_id__in=list(entry_ids))
        entries = list(
            PointEntry.objects.filter(pk__in=queued.values("entry_id")[:limit])
            .order_by("pk")
            .values_list(*ENTRY_FIELDS)
        )
        UnprojectedEntry.objects.filter(
            entry_id__in=[row[0] for row in entries]
        ).delete()
        return entries
    queue = UnprojectedEntry._meta.db_table
    wanted, params = "", []
    if entry_ids is not None:
        wanted, params = "WHERE entry_id = ANY(%s::bigint[])", [list(entry_ids)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH taken AS (DELETE FROM {queue} WHERE entry_id IN ("
            f"SELECT entry_id FROM {queue} {wanted} ORDER BY entry_id LIMIT %s"
            ") RETURNING entry_id) "
            f"SELECT {_ENTRY_COLUMNS} FROM taken "
            f"JOIN {PointEntry._meta.db_table} e ON e.id = taken.entry_id "
            f"JOIN {Unit._meta.db_table} u ON u.id = e.unit_id "
            f"LEFT JOIN {Person._meta.db_table} p ON p.id = e.person_id "
            "ORDER BY e.id",
            [*params, limit],
        )
        return cursor.fetchall()


# ENTRY_FIELDS as the columns of take_queued's statement.
_ENTRY_COLUMNS = (
    "e.id, e.competition_id, e.unit_id, e.person_id, e.points, e.occurred_at, "
    "p.is_active, u.path, u.kind, u.is_active"
)


@dataclass
class Projection:
    entries: int = 0
    keys: set = field(default_factory=set)


def project(entry_ids=None, *, wait: bool = False, limit: int = BATCH) -> Projection:
    """Apply queued entries (those given, or the oldest) to the store; unqueue them."""
    result = Projection()
    store = get_store()
    with transaction.atomic():
        if not take_lock(wait=wait):
            return result
        # Unqueued before the store is touched: should the store fail, the rollback
        # queues them again; only a failed commit could leave the store ahead.
        entries = take_queued(entry_ids, limit)
        if not entries:
            return result
        changes = entry_changes(entries)
        # The batch's identity: a cluster store applies a batch once per slot even
        # when a failure makes the projector send it again (RedisClusterStore). Of
        # the ids in order, whatever order they were read in (the ORM's read gave
        # them newest first before take_queued).
        changes.batch = hashlib.sha256(
            ",".join(str(pk) for pk in sorted(row[0] for row in entries)).encode()
        ).hexdigest()[:32]
        try:
            store.apply(changes)
        except StoreUnavailable as error:
            logger.warning(
                "ranking store unavailable, %d entries wait: %s", len(entries), error
            )
            transaction.set_rollback(True)
            return Projection()
        result.entries = len(entries)
        result.keys = changes.keys()
        keys = result.keys
        if store.seen_before_commit:
            # Redis shows the change from now on to anyone who reads a board, so
            # the viewers are told now, not after the queue's commit (a durable
            # one: a few milliseconds of every award's way to its viewers). Should
            # that commit fail, the store is ahead whether they were told or not.
            hub.announce(keys)
        else:
            transaction.on_commit(lambda: hub.announce(keys))
    return result


def catch_up(*, wait: bool = True, max_batches: int = 1000) -> int:
    """Project everything still unprojected; return how many entries were applied.

    A Redis that restarted empty has lost what was projected before: then the
    boards are rebuilt from the ledger instead.
    """
    store = get_store()
    try:
        if store.lost_everything() and PointEntry.objects.projected().exists():
            logger.warning(
                "the ranking store came back empty; rebuilding from the ledger"
            )
            return rebuild().marked
        server = store.new_server()
        if server is not None:
            from . import reconciliation

            logger.warning(
                "another Redis answers (a failover or a restart from disk); "
                "comparing the boards with the ledger now"
            )
            reconciliation.reconcile_and_repair()
            store.remember_server(server)
    except StoreUnavailable:
        return 0
    total = 0
    for _ in range(max_batches):
        applied = project(wait=wait).entries
        total += applied
        if applied < BATCH:
            break
    return total


# Rebuild -------------------------------------------------------------------------


@dataclass
class LedgerTotals:
    """The projected ledger, summed for a rebuild: everything boards are made of.

    `own_people[(competition, scope, instance)]` holds the points of the people
    credited at that scope itself (only where they count, see boards.counts);
    a scope's people board is its own people plus its child scopes' boards.
    `unit_boards` are complete (they are small). `parents` links each scope that
    has a people board to the scope above it.
    """

    unit_boards: dict[str, dict[int, int]]
    own_people: dict[tuple[int, int, str], dict[int, int]]
    parents: dict[int, int | None]
    depths: dict[int, int]

    def people_boards(self) -> dict[str, dict[int, int]]:
        """The people boards in full, computed here (the SQL store, reconciliation)."""
        boards: dict[str, dict[int, int]] = defaultdict(dict)
        for (competition, scope, instance), people in self.own_people.items():
            current = scope
            while current is not None:
                board = boards[storage_key(competition, current, "people", instance)]
                for person, points in people.items():
                    board[person] = board.get(person, 0) + points
                current = self.parents.get(current)
        return dict(boards)

    def all_boards(self) -> dict[str, dict[int, int]]:
        return {**self.unit_boards, **self.people_boards()}


def _raw_rows(queryset, *, chunk: int = 50_000):
    """The rows of a values_list queryset as the database sends them, streamed.

    Skips Django's per-value converters: integers and sums need none, and over a
    million grouped rows they cost more than the query itself (3.7 s against 2.3 s,
    measured).
    """
    sql, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield from rows


def period_sums(today) -> tuple[tuple[str, str, str], dict]:
    """The current period instances (all time, this month, this week) and the
    aggregates that sum entries into each, in that order."""
    week, month = period_start("week", today), period_start("month", today)
    instances = ("all", period_instance("month", today), period_instance("week", today))
    sums = {
        "total_all": Sum("points"),
        "total_month": Sum("points", filter=Q(occurred_at__gte=month)),
        "total_week": Sum("points", filter=Q(occurred_at__gte=week)),
    }
    return instances, sums


def ledger_totals(*, today, progress=None) -> LedgerTotals:
    """Sum the projected entries for every current board in two grouped queries.

    All-time boards and this week's and this month's; older weeks and months are
    history nobody is shown, and are not rebuilt.
    """
    instances, sums = period_sums(today)
    projected = PointEntry.objects.projected()
    unit_rows = list(
        projected.values_list("competition_id", "unit_id").annotate(**sums).order_by()
    )
    full_chains = unit_chains({row[1] for row in unit_rows})
    chains = {k: counting_units(v) for k, v in full_chains.items()}
    unit_boards: dict[str, dict[int, int]] = defaultdict(dict)
    parents: dict[int, int | None] = {}
    depths: dict[int, int] = {}
    for competition_id, unit_id, *totals in unit_rows:
        chain = chains[unit_id]
        for depth, (scope_id, _kind) in enumerate(chain):
            parents[scope_id] = chain[depth - 1][0] if depth else None
            depths[scope_id] = depth
        for instance, total in zip(instances, totals, strict=True):
            if total is None:
                continue
            for depth, (member, kind) in enumerate(chain):
                for scope_id, _scope_kind in chain[:depth]:
                    board = unit_boards[
                        storage_key(competition_id, scope_id, kind, instance)
                    ]
                    board[member] = board.get(member, 0) + total
    if progress:
        progress(1, 2)
    # A person counts at the unit credited, if that unit's whole chain counts
    # (boards.counts); an inactive person never does, which the database filters
    # out of a million rows more cheaply than Python.
    anchors = {
        unit_id: unit_id for unit_id, chain in full_chains.items() if counts(chain)
    }
    own: dict[tuple[int, int, str], dict[int, int]] = defaultdict(dict)
    person_rows = (
        projected.filter(person__isnull=False, person__is_active=True)
        .values_list("competition_id", "unit_id", "person_id")
        .annotate(**sums)
        .order_by()
    )
    # (competition, credited unit) -> the own-people dicts of its anchor, one per
    # instance: a million rows then cost three dict updates each.
    targets: dict[tuple[int, int], tuple | None] = {}
    for competition_id, unit_id, person_id, *totals in _raw_rows(person_rows):
        target = targets.get((competition_id, unit_id), ())
        if target == ():
            anchor = anchors.get(unit_id)
            target = targets[(competition_id, unit_id)] = (
                None
                if anchor is None
                else tuple(own[(competition_id, anchor, i)] for i in instances)
            )
        if target is None:
            continue
        for people, total in zip(target, totals, strict=True):
            if total is not None:
                people[person_id] = people.get(person_id, 0) + total
    if progress:
        progress(2, 2)
    # A member whose entries cancel out (an award and its reversal) keeps 0 points,
    # as the increments leave it: both ways agree exactly. A period with no entry
    # at a scope has no board there.
    own_people = {key: people for key, people in own.items() if people}
    return LedgerTotals(dict(unit_boards), own_people, parents, depths)


def _current_keys(keys, today) -> list[str]:
    current = {"all", period_instance("week", today), period_instance("month", today)}
    found = []
    for key in keys:
        try:
            instance = parse_storage_key(key)[3]
        except ValueError:
            continue  # a key of another format: not a current board
        if instance in current:
            found.append(key)
    return found


@dataclass
class RebuildReport:
    boards: int
    members: int
    marked: int
    seconds: float


def rebuild(*, progress=None) -> RebuildReport:
    """Rebuild every current board from the ledger and swap it in atomically."""
    started = time.perf_counter()
    store = get_store()
    with transaction.atomic():
        take_lock(wait=True)
        # Entries committed but not yet projected join the rebuild now; anything
        # committed after this line waits for the projector.
        marked, _kinds = UnprojectedEntry.objects.all().delete()
        totals = ledger_totals(today=timezone.localdate(), progress=progress)
        built = store.replace_from_totals(totals)
        ProjectorLock.objects.update_or_create(
            id=1, defaults={"rebuilt_at": timezone.now()}
        )
        keys = set(built)
        transaction.on_commit(lambda: hub.announce(keys))
        from .selectors import forget_cached

        forget_cached()
    return RebuildReport(
        boards=len(built),
        members=sum(built.values()),
        marked=marked,
        seconds=time.perf_counter() - started,
    )


@dataclass
class Reconciliation:
    boards: int
    members: int
    mismatches: list


def reconcile(*, locked: bool = True) -> Reconciliation:
    """Compare every current board in the store with the ledger; change nothing.

    Locked, no projection runs meanwhile and every mismatch is real (the
    `--check` of rebuild_leaderboards). Unlocked, awards are projected meanwhile
    (reading a million members takes seconds) and a mismatch may only be an entry
    projected between the two reads: the scheduled repair checks each one again
    under the lock (reconciliation.py).
    """
    store = get_store()
    with transaction.atomic():
        if locked:
            take_lock(wait=True)
        today = timezone.localdate()
        expected = ledger_totals(today=today).all_boards()
        mismatches = []
        keys = set(expected) | set(_current_keys(store.keys(), today))
        members = 0
        for key, actual in store.scores_many(sorted(keys)):
            wanted = expected.get(key, {})
            members += len(wanted)
            for member in set(actual) | set(wanted):
                if actual.get(member, 0) != wanted.get(member, 0):
                    mismatches.append(
                        (key, member, wanted.get(member), actual.get(member))
                    )
    return Reconciliation(boards=len(keys), members=members, mismatches=mismatches)


# Catch-up timer --------------------------------------------------------------------

_timer: threading.Thread | None = None
_timer_stop = threading.Event()


def scheduled_round() -> list[str]:
    """One pass of the timer over the scheduled jobs (reconciliation and the
    others registered in units.schedule), each run by one worker at a time."""
    try:
        close_old_connections()
        return schedule.run_due()
    except Exception:  # keep the timer alive whatever one round met
        logger.exception("scheduled jobs failed")
        return []
    finally:
        close_old_connections()


def catch_up_round() -> int:
    """One pass of the timer: project what is waiting, with fresh connections."""
    try:
        close_old_connections()
        return catch_up(wait=True)
    except Exception:  # keep the timer alive whatever one round met
        logger.exception("catch-up failed")
        return 0
    finally:
        close_old_connections()


def start_catch_up_timer() -> None:
    """Project what awards left behind (Redis down, lock busy), now and periodically,
    and run the scheduled jobs that are due."""
    global _timer
    if _timer is not None and _timer.is_alive():
        return
    _timer_stop.clear()

    def loop():
        try:
            while not _timer_stop.is_set():
                interval = settings.LEADERBOARD_CATCH_UP_SECONDS
                if interval > 0:
                    catch_up_round()
                scheduled_round()
                _timer_stop.wait(interval if interval > 0 else 1.0)
        finally:
            connection.close()  # this thread's own connection

    _timer = threading.Thread(target=loop, name="leaderboard-catch-up", daemon=True)
    _timer.start()


def stop_catch_up_timer(timeout: float = 10.0) -> None:
    """Stop the timer after its current round (tests; a worker just exits)."""
    global _timer
    _timer_stop.set()
    if _timer is not None:
        _timer.join(timeout)
    _timer = None


__all__ = [
    "PERIODS",
    "catch_up",
    "project",
    "rebuild",
    "reconcile",
    "start_catch_up_timer",
    "stop_catch_up_timer",
]
