"""The per-worker fan-out of live boards.

Each worker process keeps one registry of its open board sockets and one
subscription (Redis Pub/Sub channel ``lb:changed``, or an in-process call when Redis
is not configured). When a board changes, the worker reads its snapshot once,
encodes the frame once, and writes it to every local socket watching the board.
Measured on this kind of machine, going through the channel layer per consumer
costs 0.3-0.9 ms per delivery against 0.06 ms for a direct write
(research/performance.md), which decides whether 5,000 phones see a change in
under a second or in four.

Changes are coalesced: at most one frame per board every MIN_INTERVAL seconds,
however many points arrive (the first change is sent at once, the rest of the
burst in one trailing frame).
"""

import asyncio
import json
import logging
import time
from collections import defaultdict

from channels.db import database_sync_to_async
from django.conf import settings

logger = logging.getLogger(__name__)

CHANNEL = "lb:changed"
MIN_INTERVAL = 0.5
# A follower's full frame is read this long after its quick one (Hub._flush).
FULL_AFTER_QUICK = 0.5


def _prefix(key: str) -> str | None:
    """The public-board prefix ``c-s-entity-period`` of a storage key, if current."""
    from django.utils import timezone

    from .boards import parse_storage_key, period_instance

    competition, scope, entity, instance = parse_storage_key(key)
    today = timezone.localdate()
    for period in ("all", "week", "month"):
        if period_instance(period, today) == instance:
            return f"{competition}-{scope}-{entity}-{period}"
    return None


class Hub:
    def __init__(self):
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sockets: dict[str, set] = defaultdict(set)  # board name -> consumers
        self.by_address: dict[str, int] = defaultdict(int)
        self.last_sent: dict[str, float] = {}
        self.scheduled: set[str] = set()
        self.listener: asyncio.Task | None = None
        self.frames_sent = 0
        # board name -> (snapshot, its encoded frame): a crowd connecting within the
        # snapshot's second gets the same string, encoded once.
        self.snapshot_frames: dict[str, tuple[dict, str]] = {}
        # Pages that follow a board without being one (a campaign's page): name ->
        # (the board prefix whose changes move it, the sync function reading its
        # frame's data, and the one reading its quick frame or None). Registered by
        # the app above (campaigns.consumers).
        self.followers: dict[str, tuple[str, object, object]] = {}

    # Sockets -------------------------------------------------------------------

    def admit(self, address: str) -> bool:
        """Count a new socket from this address; False when it is over the cap."""
        if self.by_address[address] >= settings.WS_MAX_PER_ADDRESS:
            return False
        self.by_address[address] += 1
        return True

    def release(self, address: str) -> None:
        self.by_address[address] -= 1
        if self.by_address[address] <= 0:
            self.by_address.pop(address, None)

    def subscribe(self, board_name: str, consumer) -> None:
        self.loop = asyncio.get_running_loop()
        self.sockets[board_name].add(consumer)
        if settings.REDIS_URL and (self.listener is None or self.listener.done()):
            self.listener = self.loop.create_task(self._listen())

    def unsubscribe(self, board_name: str, consumer) -> None:
        watchers = self.sockets.get(board_name)
        if watchers is not None:
            watchers.discard(consumer)
            if not watchers:
                self.sockets.pop(board_name, None)

    def snapshot_frame(self, snapshot: dict) -> str:
        """The "snapshot" frame of a board's snapshot, encoded once per snapshot."""
        known = self.snapshot_frames.get(snapshot["board"])
        if known is not None and known[0] is snapshot:
            return known[1]
        frame = json.dumps({"type": "snapshot", **snapshot}, ensure_ascii=False)
        if len(self.snapshot_frames) > 5000:
            self.snapshot_frames.clear()
        self.snapshot_frames[snapshot["board"]] = (snapshot, frame)
        return frame

    def follow(self, name: str, *, board_prefix: str, reader, quick=None) -> None:
        """Let sockets subscribed under `name` get a frame of `reader()` whenever a
        board of `board_prefix` (``c-s-entity-period``) changes: the same read
        once, encode once, write to every socket as a board's own viewers get.

        `quick()`, if given, is a cheap read (the ranking store, no database) sent
        first as a "points" frame, while the slower `reader()` runs; it returns None
        when it has nothing to send."""
        self.followers[name] = (board_prefix, reader, quick)

    # Changes -------------------------------------------------------------------

    def changed(self, keys) -> None:
        """Called in the event loop with the storage keys that changed."""
        prefixes = {p for p in map(_prefix, keys) if p}
        for board_name in list(self.sockets):
            follower = self.followers.get(board_name)
            watched = follower[0] if follower else board_name.rsplit("-", 1)[0]
            if watched in prefixes:
                self._schedule(board_name)

    def _schedule(self, board_name: str) -> None:
        if board_name in self.scheduled:
            return  # a frame is already on its way; it will carry this change too
        self.scheduled.add(board_name)
        wait = max(
            0.0, self.last_sent.get(board_name, 0.0) + MIN_INTERVAL - time.monotonic()
        )
        self.loop.call_later(
            wait, lambda: self.loop.create_task(self._flush(board_name))
        )

    async def _flush(self, board_name: str) -> None:
        from .boards import Board
        from .selectors import board_snapshot

        self.scheduled.discard(board_name)
        self.last_sent[board_name] = time.monotonic()
        watchers = list(self.sockets.get(board_name, ()))
        if not watchers:
            return
        follower = self.followers.get(board_name)
        if follower is not None and follower[2] is not None:
            if await self._send_quick(board_name, follower[2], watchers):
                # The full read holds the interpreter for much of its time: started
                # at once, it competes with the quick frame's writes to every socket.
                await asyncio.sleep(FULL_AFTER_QUICK)
                watchers = list(self.sockets.get(board_name, ()))
        try:
            # Not thread-sensitive: the snapshot must not queue behind the worker's
            # page views in its one sync thread.
            if follower is not None:
                read = database_sync_to_async(follower[1], thread_sensitive=False)
                snapshot = await read()
            else:
                read = database_sync_to_async(board_snapshot, thread_sensitive=False)
                snapshot = await read(Board.parse(board_name))
        except Exception:
            logger.exception("could not read board %s", board_name)
            return
        await self._send(
            json.dumps({"type": "update", **snapshot}, ensure_ascii=False), watchers
        )

    async def _send_quick(self, board_name: str, quick, watchers) -> bool:
        """Send the "points" frame of `quick()`; whether there was one."""
        try:
            # The ranking store only where it is Redis; the SQL store (no Redis
            # configured) reads the database, hence the database wrapper.
            data = await database_sync_to_async(quick, thread_sensitive=False)()
        except Exception:
            logger.exception("could not read the quick frame of %s", board_name)
            return False
        if not data:
            return False
        await self._send(
            json.dumps({"type": "points", **data}, ensure_ascii=False), watchers
        )
        return True

    async def _send(self, frame: str, watchers) -> None:
        for consumer in watchers:
            try:
                await consumer.send_frame(frame)
            except Exception:  # one broken socket must not stop the others
                logger.debug("send failed", exc_info=True)
        self.frames_sent += len(watchers)

    async def _listen(self) -> None:
        """Follow the Redis channel of changed boards; reconnect with backoff."""
        import redis.asyncio as aioredis

        delay = 0.5
        while self.sockets:
            client = aioredis.Redis.from_url(settings.REDIS_URL)
            try:
                pubsub = client.pubsub()
                await pubsub.subscribe(CHANNEL)
                delay = 0.5
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self.changed(json.loads(message["data"]))
                    if not self.sockets:
                        break
            except Exception:
                logger.warning("board channel lost; retrying in %.1fs", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
            finally:
                try:
                    await client.aclose()
                except Exception:
                    pass


HUB = Hub()


def announce(keys) -> None:
    """Tell every worker which storage keys changed (sync), once what they read
    shows the change (projector.project: at once for Redis, after commit for SQL)."""
    keys = sorted(keys)
    if not keys:
        return
    if settings.REDIS_URL:
        from .stores import StoreUnavailable, get_store

        store = get_store()
        try:
            store._call(lambda: store.client.publish(CHANNEL, json.dumps(keys)))
        except (StoreUnavailable, AttributeError):
            pass  # the boards are still right; viewers get the next change
        return
    loop = HUB.loop
    if loop is not None and not loop.is_closed():
        loop.call_soon_threadsafe(HUB.changed, keys)
