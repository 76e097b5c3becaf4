"""Ranks at the start of the day, for "places moved since yesterday".

Once a day, just after midnight, one worker keeps every board's ranks as they are
(the scheduled job `leaderboards.rank_snapshot`, checked every
LEADERBOARD_SNAPSHOT_MINUTES): Redis COPYs each sorted set in C, the SQL store
writes each member's shared rank once. A board page then asks the kept ranks only
of the members it shows, once per process per day (they never change during the
day): a crowd reading a board costs the store nothing more than before.

A board begun today (a new week, a new month) has no kept ranks: it shows no
arrows rather than calling everyone new. If no worker was up at midnight, the
first one after takes the snapshot then, and the pages say since when.
"""

import threading
import time
from datetime import UTC, date, datetime

from django.utils import timezone

from .boards import Board
from .stores import StoreUnavailable, get_store

TAKEN_SECONDS = 60.0  # how long a process trusts what it read of the snapshot time

_lock = threading.Lock()
_taken: tuple[float, float | None] | None = None  # (read at, taken at)
_ranks: dict[tuple[str, float], dict[int, int | None] | None] = {}


def take_if_due(*, now: datetime | None = None) -> bool:
    """Take today's snapshot unless it is taken; True if taken now."""
    now = now or timezone.now()
    store = get_store()
    taken = store.rank_snapshot_taken()
    if taken is not None and _day(taken) >= timezone.localdate(now):
        return False
    store.take_rank_snapshot(at=now.timestamp())
    forget()
    return True


def forget() -> None:
    """Drop this process's cached ranks (after a snapshot; tests)."""
    global _taken
    with _lock:
        _taken = None
        _ranks.clear()


def _day(unix: float) -> date:
    return timezone.localtime(datetime.fromtimestamp(unix, tz=UTC)).date()


def taken_at(today: date) -> datetime | None:
    """When today's snapshot was taken (local time), or None if none is for today."""
    global _taken
    now = time.monotonic()
    cached = _taken
    if cached is None or cached[0] + TAKEN_SECONDS < now:
        try:
            value = get_store().rank_snapshot_taken()
        except StoreUnavailable:
            value = None
        with _lock:
            _taken = cached = (now, value)
    if cached[1] is None or _day(cached[1]) != today:
        return None
    return timezone.localtime(datetime.fromtimestamp(cached[1], tz=UTC))


def previous_ranks(
    board: Board, members: list[int], today: date
) -> dict[int, int | None] | None:
    """The members' ranks at the start of today on this board (None: not ranked
    then), or None when there is nothing to compare with.

    Only boards by points are kept; the derived measures (points per member,
    target reached) move with headcounts too, and show no arrows.
    """
    if board.measure != "points" or not members:
        return None
    since = taken_at(today)
    if since is None:
        return None
    key = board.storage_key(today)
    cache_key = (key, since.timestamp())
    known = _ranks.get(cache_key, {})
    if known is None:
        return None  # this board was not kept
    missing = [member for member in members if member not in known]
    if missing:
        try:
            fetched = get_store().previous_ranks(key, missing)
        except StoreUnavailable:
            return None
        with _lock:
            if len(_ranks) > 5000:
                _ranks.clear()
            if fetched is None:
                _ranks[cache_key] = None
                return None
            known = {**(_ranks.get(cache_key) or {}), **fetched}
            _ranks[cache_key] = known
    return {member: known.get(member) for member in members}
