"""Ranking stores: Redis sorted sets in production, a SQL standings table embedded.

Both keep, per storage key, points per member, and answer the same questions in the
same order. Order: more points first; equal points by the smaller id first (the
earlier registered). Rank: ties share a rank, one more than the number of members
with strictly more points ("1, 2, 2, 4").
"""

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterable

import msgpack
from django.conf import settings
from django.db import connection, transaction

from .boards import Changes, Increment, storage_key
from .models import Standing

logger = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    """The ranking store did not answer; the ledger is unaffected and catch-up will retry."""


class RankingStore:
    name = ""
    # Whether what `apply` writes is what readers see at once, before the
    # projector's transaction commits (Redis), or only at its commit (SQL).
    seen_before_commit = False

    def apply(self, changes: Changes | Iterable[Increment]) -> None: ...
    def top(
        self, key: str, *, offset: int = 0, limit: int = 50
    ) -> list[tuple[int, int]]: ...
    def score(self, key: str, member: int) -> int | None: ...
    def rank(self, key: str, member: int) -> int | None: ...
    def position(self, key: str, member: int) -> int | None: ...
    def count(self, key: str) -> int: ...
    def scores(self, key: str) -> dict[int, int]: ...

    def scores_many(self, keys: list[str]) -> Iterable[tuple[str, dict[int, int]]]:
        """(key, scores) of each key, in order (reconciliation reads every board)."""
        for key in keys:
            yield key, self.scores(key)

    def remove(self, member: int, keys: Iterable[str]) -> None: ...

    def scores_of(
        self, pairs: Iterable[tuple[str, int]]
    ) -> dict[tuple[str, int], int | None]:
        """The points of each (key, member), None where the member is not on it."""
        return {(key, member): self.score(key, member) for key, member in pairs}

    def assign(self, values: dict[tuple[str, int], int | None]) -> None:
        """Set each (key, member) to exactly these points; None takes it off the board.

        The targeted changes (a person or unit deactivated or back, a repair) set
        values recomputed from the ledger rather than add to them.
        """
        ...

    def keys(self) -> list[str]: ...
    def replace_all(self, boards: dict[str, dict[int, int]]) -> None: ...

    # Ranks at the start of the day ("places moved since yesterday"). Taken once a
    # day by one worker (leaderboards/snapshots.py), read by the board pages: the
    # reads are cached per process for the day, so a page view costs nothing more.

    def take_rank_snapshot(self, *, at: float) -> int:
        """Keep every board's ranks as they are now; return the boards kept.
        `at` is the Unix time the snapshot stands for."""
        raise NotImplementedError

    def rank_snapshot_taken(self) -> float | None:
        """When the kept ranks were taken (Unix time), or None if never."""
        raise NotImplementedError

    def previous_ranks(
        self, key: str, members: list[int]
    ) -> dict[int, int | None] | None:
        """Each member's kept rank on the board (None: not on it then), or None when
        no ranks of this board were kept (a board begun today, a new week)."""
        raise NotImplementedError

    def lost_everything(self) -> bool:
        """True when the store came back empty (a restarted Redis has no persistence)."""
        return False

    def new_server(self) -> str | None:
        """An id of the server now answering when it is not the one the boards were
        last checked on (see RedisStore.new_server); None otherwise."""
        return None

    def remember_server(self, server: str) -> None:
        """The boards were checked on this server (after new_server)."""

    def replace_from_totals(self, totals) -> dict[str, int]:
        """Swap in every board built from ledger totals; return members per board."""
        boards = totals.all_boards()
        self.replace_all(boards)
        return {key: len(members) for key, members in boards.items()}

    def window(self, key: str, *, offset: int = 0, limit: int = 50) -> tuple[list, int]:
        """A page of rows and the board's size together."""
        return self.top(key, offset=offset, limit=limit), self.count(key)

    def windows_and_standing(self, windows, standing=None):
        """Top-N windows [(key, offset, limit)] and a member's (score, rank) if given."""
        pages = [
            self.window(key, offset=offset, limit=limit)
            for key, offset, limit in windows
        ]
        mine = None
        if standing is not None:
            score = self.score(*standing)
            if score is not None:
                mine = (score, self.rank(*standing))
        return pages, mine

    def standings(
        self, pairs: list[tuple[str, int]]
    ) -> list[tuple[int, int, int] | None]:
        """(points, shared rank, members on the board) of each (key, member), or None
        where the member is not on that board."""
        found = []
        for key, member in pairs:
            score = self.score(key, member)
            found.append(
                None
                if score is None
                else (score, self.rank(key, member), self.count(key))
            )
        return found

    def page(self, key: str, *, limit: int, member: int | None = None) -> dict:
        """Top rows, and the member's rank and points, in as few round trips as possible."""
        return {
            "rows": self.top(key, limit=limit),
            "count": self.count(key),
            "rank": self.rank(key, member) if member is not None else None,
            "score": self.score(key, member) if member is not None else None,
        }


# Redis ---------------------------------------------------------------------------

MAX_MEMBER = 10**12 - 1


def _encode(member: int) -> str:
    # Redis orders equal scores by member name and ZREVRANGE reverses that order;
    # storing MAX - id, zero padded, makes the reversed order the ascending id.
    return f"{MAX_MEMBER - member:012d}"


def _decode(raw) -> int:
    return MAX_MEMBER - int(raw)


def _decode_text(raw) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


class CircuitBreaker:
    """After a failure, skip the store for a while instead of waiting on it per award."""

    def __init__(self, pause: float = 2.0):
        self.pause = pause
        self._open_until = 0.0
        self._lock = threading.Lock()

    def allow(self) -> bool:
        return time.monotonic() >= self._open_until

    def trip(self) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self.pause

    def reset(self) -> None:
        self._open_until = 0.0


class RedisStore(RankingStore):
    name = "redis"
    seen_before_commit = True
    BATCH = 20_000  # members per script call in a rebuild

    def __init__(self, url: str, *, timeout: float):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self._redis_errors = (redis.RedisError, OSError)
        # Explicit timeouts and no retries: a stopped Redis must cost an award a
        # fraction of a millisecond, not redis-py's default seconds of retries.
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            max_connections=200,
            decode_responses=False,
        )
        self.breaker = CircuitBreaker()
        # Rebuilds and reconciliations move millions of members: their own client,
        # with room to wait; awards and page reads keep the short timeouts.
        self.bulk_client = redis.Redis.from_url(
            url,
            socket_timeout=120,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )

    def _call(self, function):
        if not self.breaker.allow():
            raise StoreUnavailable("redis circuit open")
        try:
            result = function()
        except self._redis_errors as error:
            # Said once per trip, not per call skipped: operators see when boards
            # fell back to the ledger, and why.
            logger.warning(
                "ranking store call failed (%s: %s); skipping it for %.1f s",
                type(error).__name__,
                error,
                self.breaker.pause,
            )
            self.breaker.trip()
            raise StoreUnavailable(str(error)) from error
        return result

    def apply(self, changes):
        changes = Changes.of(changes)
        if not changes:
            return
        # The whole batch as one MessagePack argument ({key: {member id: delta}}),
        # packed in C and unpacked by Redis's own cmsgpack: a 2,000-entry import
        # chunk moves ~30,000 members, and one Redis argument per member cost more
        # to pack than Redis took to apply them.
        payload = msgpack.packb(changes.by_key)

        def run():
            # One script call instead of a MULTI of thousands of ZINCRBYs: atomic
            # all the same.
            self.client.eval(self.INCREMENT, 0, payload)

        self._call(run)

    # Members are stored as MAX_MEMBER - id, zero padded (see _encode); ids stay
    # below 2^53, so Lua's numbers hold them exactly.
    INCREMENT = f"""
    local boards = cmsgpack.unpack(ARGV[1])
    local keys = {{}}
    for key, members in pairs(boards) do
        for member, delta in pairs(members) do
            redis.call('ZINCRBY', key, delta, string.format('%012d', {MAX_MEMBER} - member))
        end
        keys[#keys + 1] = key
    end
    for i = 1, #keys, 1000 do
        redis.call('SADD', 'lb:keys', unpack(keys, i, math.min(i + 999, #keys)))
    end
    return #keys
    """

    def top(self, key, *, offset=0, limit=50):
        rows = self._call(
            lambda: self.client.zrevrange(
                key, offset, offset + limit - 1, withscores=True
            )
        )
        return [(_decode(member), int(score)) for member, score in rows]

    def score(self, key, member):
        value = self._call(lambda: self.client.zscore(key, _encode(member)))
        return None if value is None else int(value)

    def rank(self, key, member):
        points = self.score(key, member)
        if points is None:
            return None
        higher = self._call(lambda: self.client.zcount(key, f"({points}", "+inf"))
        return higher + 1

    def position(self, key, member):
        return self._call(lambda: self.client.zrevrank(key, _encode(member)))

    def count(self, key):
        return self._call(lambda: self.client.zcard(key))

    def scores(self, key):
        rows = self._call(lambda: self.bulk_client.zrange(key, 0, -1, withscores=True))
        return {_decode(member): int(score) for member, score in rows}

    def scores_many(self, keys):
        # A hundred boards a round trip: 58,000 boards one by one took 12 s.
        for start in range(0, len(keys), 100):
            part = keys[start : start + 100]

            def run(part=part):
                pipe = self.bulk_client.pipeline(transaction=False)
                for key in part:
                    pipe.zrange(key, 0, -1, withscores=True)
                return pipe.execute()

            for key, rows in zip(part, self._call(run), strict=True):
                yield key, {_decode(member): int(score) for member, score in rows}

    # Score and shared rank of one member in one round trip.
    STANDING = """
    local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
    if not score then return false end
    return {score, redis.call('ZCOUNT', KEYS[1], '(' .. score, '+inf') + 1}
    """

    def windows_and_standing(self, windows, standing=None):
        """Several top-N windows and one member's (score, rank) in a single round trip."""

        def run():
            pipe = self.client.pipeline(transaction=False)
            for key, offset, limit in windows:
                pipe.zrevrange(key, offset, offset + limit - 1, withscores=True)
                pipe.zcard(key)
            if standing is not None:
                pipe.execute_command(
                    "EVAL", self.STANDING, 1, standing[0], _encode(standing[1])
                )
            return pipe.execute()

        results = self._call(run)
        pages = [
            ([(_decode(m), int(s)) for m, s in results[2 * i]], results[2 * i + 1])
            for i in range(len(windows))
        ]
        mine = None
        if standing is not None and results[-1]:
            mine = (int(float(results[-1][0])), int(results[-1][1]))
        return pages, mine

    def standings(self, pairs):
        """Every standing in one round trip: a person's page asks a dozen boards."""
        if not pairs:
            return []

        def run():
            pipe = self.client.pipeline(transaction=False)
            for key, member in pairs:
                pipe.execute_command("EVAL", self.STANDING, 1, key, _encode(member))
                pipe.zcard(key)
            return pipe.execute()

        results = self._call(run)
        found = []
        for index in range(len(pairs)):
            standing, count = results[2 * index], results[2 * index + 1]
            found.append(
                (int(float(standing[0])), int(standing[1]), int(count))
                if standing
                else None
            )
        return found

    # Writes whole boards: {key: {member id: points}} in one MessagePack argument.
    WRITE = f"""
    local boards = cmsgpack.unpack(ARGV[1])
    for key, members in pairs(boards) do
        local pairs_ = {{}}
        for member, points in pairs(members) do
            pairs_[#pairs_ + 1] = points
            pairs_[#pairs_ + 1] = string.format('%012d', {MAX_MEMBER} - member)
            if #pairs_ >= 2000 then
                redis.call('ZADD', key, unpack(pairs_))
                pairs_ = {{}}
            end
        end
        if #pairs_ > 0 then redis.call('ZADD', key, unpack(pairs_)) end
    end
    return 1
    """

    def _write(self, client, boards: dict[str, dict[int, int]]) -> None:
        """Write boards in script calls of about BATCH members each.

        A rebuild writes over a million members: packed by msgpack in C and encoded
        inside Redis, instead of one encoded string and one protocol argument per
        member in Python. Calls stay small so that page reads wait at most a few
        milliseconds behind one.
        """
        chunk: dict[str, dict[int, int]] = {}
        size = 0
        for key, members in boards.items():
            items = list(members.items())
            for start in range(0, len(items), self.BATCH):
                part = dict(items[start : start + self.BATCH])
                # A key split over calls: ZADD adds to what the last call wrote.
                chunk.setdefault(key, {}).update(part)
                size += len(part)
                if size >= self.BATCH:
                    client.eval(self.WRITE, 0, msgpack.packb(chunk))
                    chunk, size = {}, 0
        if chunk:
            client.eval(self.WRITE, 0, msgpack.packb(chunk))

    def _swap_in(self, client, rebuilt: dict[str, bool], suffix: str) -> None:
        """Make the rebuilt boards (key -> whether it has members) the live ones, in
        one transaction; the boards that are no more go.

        The old values are UNLINKed, not left for RENAME to free: freeing a
        million-member set inside the transaction held every reader for 0.4 s.
        """
        old = {k.decode() for k in client.smembers("lb:keys")}
        swap = client.pipeline(transaction=True)
        for key in old:
            swap.unlink(key)
        for key, has_members in rebuilt.items():
            if has_members:
                swap.rename(key + suffix, key)
            elif key not in old:
                swap.unlink(key)
        swap.unlink("lb:keys")
        if rebuilt:
            swap.sadd("lb:keys", *rebuilt)
        swap.set(self.FORMAT_KEY, self.KEY_FORMAT)
        swap.execute()

    def replace_from_totals(self, totals):
        """Rebuild in Redis itself: each scope's own people are written once, and the
        people board of every scope is the union (ZUNIONSTORE, summing) of its own
        people and its child scopes' boards, deepest scopes first. A million people
        then cross the wire once, not once per level of the tree."""
        suffix = f":rebuild{time.time_ns()}"
        client = self.bulk_client
        built: dict[str, int] = {}
        own_keys: dict[tuple[int, int, str], str] = {}

        def run():
            # Which scopes get a people board, and their children, per (competition, period).
            children: dict[tuple[int, str], dict[int, set]] = defaultdict(
                lambda: defaultdict(set)
            )
            for competition, scope, instance in totals.own_people:
                current = scope
                while current is not None:
                    parent = totals.parents.get(current)
                    tree = children[(competition, instance)]
                    tree.setdefault(current, set())
                    if parent is not None:
                        tree[parent].add(current)
                    current = parent
            writes: dict[str, dict[int, int]] = {}
            for (competition, scope, instance), people in totals.own_people.items():
                if children[(competition, instance)][scope]:
                    # Same hash tag as the boards it is summed into.
                    key = f"lb:own:{{{competition}:{instance}:p}}:{scope}{suffix}"
                    own_keys[(competition, scope, instance)] = key
                else:
                    # A scope with nothing below it (a village): its own people are its board.
                    key = storage_key(competition, scope, "people", instance) + suffix
                    built[storage_key(competition, scope, "people", instance)] = len(
                        people
                    )
                writes[key] = people
            for key, members in totals.unit_boards.items():
                writes[key + suffix] = members
                built[key] = len(members)
            self._write(client, writes)
            for (competition, instance), tree in children.items():
                order = sorted(tree, key=lambda scope: -totals.depths.get(scope, 0))
                pipe = client.pipeline(transaction=False)
                for scope in order:
                    if not tree[scope]:
                        continue  # written directly above
                    sources = [
                        storage_key(competition, child, "people", instance) + suffix
                        for child in sorted(tree[scope])
                    ]
                    if (competition, scope, instance) in own_keys:
                        sources.append(own_keys[(competition, scope, instance)])
                    destination = storage_key(competition, scope, "people", instance)
                    pipe.zunionstore(destination + suffix, sources, aggregate="SUM")
                    built[destination] = -1  # counted below
                    if len(pipe) > 200:
                        pipe.execute()
                pipe.execute()
            pipe = client.pipeline(transaction=False)
            people_keys = [key for key, count in built.items() if count == -1]
            for key in people_keys:
                pipe.zcard(key + suffix)
            for key, count in zip(people_keys, pipe.execute(), strict=True):
                built[key] = count
            if own_keys:
                client.delete(*own_keys.values())
            self._swap_in(client, dict.fromkeys(built, True), suffix)

        self._call(run)
        return built

    def window(self, key, *, offset=0, limit=50):
        def run():
            pipe = self.client.pipeline(transaction=False)
            pipe.zrevrange(key, offset, offset + limit - 1, withscores=True)
            pipe.zcard(key)
            return pipe.execute()

        rows, count = self._call(run)
        return [(_decode(m), int(s)) for m, s in rows], count

    def page(self, key, *, limit, member=None):
        """Top rows, count, and the member's points and rank in two round trips."""

        def first():
            pipe = self.client.pipeline(transaction=False)
            pipe.zrevrange(key, 0, limit - 1, withscores=True)
            pipe.zcard(key)
            if member is not None:
                pipe.zscore(key, _encode(member))
            return pipe.execute()

        results = self._call(first)
        rows = [(_decode(m), int(s)) for m, s in results[0]]
        score = (
            int(results[2]) if member is not None and results[2] is not None else None
        )
        rank = None
        if score is not None:
            rank = self._call(lambda: self.client.zcount(key, f"({score}", "+inf")) + 1
        return {"rows": rows, "count": results[1], "rank": rank, "score": score}

    def remove(self, member, keys):
        keys = list(keys)
        if not keys:
            return

        def run():
            pipe = self.client.pipeline(transaction=False)
            for key in keys:
                pipe.zrem(key, _encode(member))
            pipe.execute()

        self._call(run)

    def scores_of(self, pairs):
        by_key: dict[str, list[int]] = defaultdict(list)
        for key, member in pairs:
            by_key[key].append(member)
        if not by_key:
            return {}

        def run():
            pipe = self.client.pipeline(transaction=False)
            for key, members in by_key.items():
                pipe.zmscore(key, [_encode(member) for member in members])
            return pipe.execute()

        result = {}
        for (key, members), scores in zip(by_key.items(), self._call(run), strict=True):
            for member, score in zip(members, scores, strict=True):
                result[(key, member)] = None if score is None else int(score)
        return result

    # {"set": {key: {member: points}}, "remove": {key: [member, ...]}} in one
    # MessagePack argument, applied atomically.
    ASSIGN = f"""
    local changes = cmsgpack.unpack(ARGV[1])
    local keys = {{}}
    for key, members in pairs(changes['set'] or {{}}) do
        for member, points in pairs(members) do
            redis.call('ZADD', key, points, string.format('%012d', {MAX_MEMBER} - member))
        end
        keys[#keys + 1] = key
    end
    for key, members in pairs(changes['remove'] or {{}}) do
        for _, member in ipairs(members) do
            redis.call('ZREM', key, string.format('%012d', {MAX_MEMBER} - member))
        end
    end
    for i = 1, #keys, 1000 do
        redis.call('SADD', 'lb:keys', unpack(keys, i, math.min(i + 999, #keys)))
    end
    return #keys
    """

    def assign(self, values):
        if not values:
            return
        put: dict[str, dict[int, int]] = defaultdict(dict)
        remove: dict[str, list[int]] = defaultdict(list)
        for (key, member), points in values.items():
            if points is None:
                remove[key].append(member)
            else:
                put[key][member] = points
        payload = msgpack.packb({"set": dict(put), "remove": dict(remove)})
        self._call(lambda: self.client.eval(self.ASSIGN, 0, payload))

    def keys(self):
        return sorted(
            k.decode() for k in self._call(lambda: self.client.smembers("lb:keys"))
        )

    # Written by every rebuild: a Redis without it came back empty (it runs
    # without persistence), or holds boards under an older key format; either way
    # the first catch-up rebuilds it from the ledger. Increments never write it, so
    # an award projected into a Redis that restarted a moment ago does not hide
    # the loss of everything else.
    FORMAT_KEY = "lb:format"
    KEY_FORMAT = b"2"  # 2: hash-tagged keys (leaderboards.boards.storage_key)

    def lost_everything(self):
        return self._call(lambda: self.client.get(self.FORMAT_KEY)) != self.KEY_FORMAT

    # The run id of the Redis the boards were last checked on. It travels with the
    # data (replicated, persisted) while every redis-server process has a run id of
    # its own: a replica promoted by a failover, which may have missed the last
    # batches (replication is asynchronous), or a Redis restarted from its disk
    # (the last second of an appendfsync everysec log) finds it differs, and the
    # catch-up compares the boards with the ledger at once instead of at the next
    # scheduled reconciliation.
    SERVER_KEY = "lb:server"

    def new_server(self):
        def run():
            pipe = self.client.pipeline(transaction=False)
            pipe.info("server")
            pipe.get(self.SERVER_KEY)
            return pipe.execute()

        info, seen = self._call(run)
        current = str(info["run_id"])
        if seen is None:
            self.remember_server(current)  # first sight: nothing to compare with
            return None
        return None if _decode_text(seen) == current else current

    def remember_server(self, server):
        self._call(lambda: self.client.set(self.SERVER_KEY, server))

    SNAPSHOT_PREFIX = "lb:y:"
    SNAPSHOT_TAKEN = "lb:y:@taken"
    # Kept two days: a board nobody changes again (last week's) drops out by itself.
    SNAPSHOT_SECONDS = 2 * 86400

    # Boards larger than this are copied in slices: COPY of a million-member set
    # held Redis for 2.1-2.3 s on the 2-core test machine (every read and award
    # waits meanwhile); a slice of this many members held it 31 ms (median),
    # 62 ms at most, on the same machine under a load of 4.
    SNAPSHOT_SLICE = 5_000

    # Copy ranks [ARGV[1], ARGV[2]] of KEYS[1] into KEYS[2], inside Redis.
    COPY_SLICE = """
    local rows = redis.call('ZRANGE', KEYS[1], ARGV[1], ARGV[2], 'WITHSCORES')
    local args = {}
    for i = 1, #rows, 2 do
        args[#args + 1] = rows[i + 1]
        args[#args + 1] = rows[i]
        if #args >= 2000 then
            redis.call('ZADD', KEYS[2], unpack(args))
            args = {}
        end
    end
    if #args > 0 then redis.call('ZADD', KEYS[2], unpack(args)) end
    return #rows / 2
    """

    def _kept(self, key: str) -> str:
        """Where a board's start-of-day copy is kept: in the board's own slot (a
        cluster copies only within one), so an untagged key becomes the tag."""
        if slot_tag(key) != key:
            return self.SNAPSHOT_PREFIX + key
        return self.SNAPSHOT_PREFIX + "{" + key + "}"

    def take_rank_snapshot(self, *, at):
        """Copy each sorted set inside Redis (no member crosses the wire): small
        boards by COPY, large ones a slice at a time into a temporary key renamed
        at the end. The kept ranks are worked out when read, from the kept points.

        A large board changed by an award while it is being sliced may keep a
        member twice moved or not at all (shown as new): at midnight, when this
        runs, that is rare and costs one arrow, not a stalled Redis.
        """
        keys = self.keys()
        client = self.bulk_client

        def run():
            sizes = []
            for start in range(0, len(keys), 500):
                pipe = client.pipeline(transaction=False)
                for key in keys[start : start + 500]:
                    pipe.zcard(key)
                sizes += pipe.execute()
            small = [
                k for k, n in zip(keys, sizes, strict=True) if n <= self.SNAPSHOT_SLICE
            ]
            for start in range(0, len(small), 500):
                pipe = client.pipeline(transaction=False)
                for key in small[start : start + 500]:
                    kept = self._kept(key)
                    pipe.unlink(kept)
                    pipe.copy(key, kept)
                    pipe.expire(kept, self.SNAPSHOT_SECONDS)
                pipe.execute()
            for key, size in zip(keys, sizes, strict=True):
                if size <= self.SNAPSHOT_SLICE:
                    continue
                kept = self._kept(key)
                building = kept + ":building"
                client.unlink(building)
                for first in range(0, size, self.SNAPSHOT_SLICE):
                    client.eval(
                        self.COPY_SLICE,
                        2,
                        key,
                        building,
                        first,
                        first + self.SNAPSHOT_SLICE - 1,
                    )
                client.unlink(kept)
                client.rename(building, kept)
                client.expire(kept, self.SNAPSHOT_SECONDS)
            client.set(self.SNAPSHOT_TAKEN, repr(at), ex=self.SNAPSHOT_SECONDS)

        self._call(run)
        return len(keys)

    def rank_snapshot_taken(self):
        value = self._call(lambda: self.client.get(self.SNAPSHOT_TAKEN))
        return None if value is None else float(value)

    # Shared ranks of members in a kept board; false if the board was not kept.
    PREVIOUS = """
    if redis.call('EXISTS', KEYS[1]) == 0 then return false end
    local ranks = {}
    for i, member in ipairs(ARGV) do
        local score = redis.call('ZSCORE', KEYS[1], member)
        if score then
            ranks[i] = redis.call('ZCOUNT', KEYS[1], '(' .. score, '+inf') + 1
        else
            ranks[i] = 0
        end
    end
    return ranks
    """

    def previous_ranks(self, key, members):
        members = list(members)
        result = self._call(
            lambda: self.client.eval(
                self.PREVIOUS,
                1,
                self._kept(key),
                *[_encode(member) for member in members],
            )
        )
        if result is None:
            return None
        return {
            member: (int(rank) or None)
            for member, rank in zip(members, result, strict=True)
        }

    def replace_all(self, boards):
        """Swap in freshly built boards: build under temporary names, then rename at once."""
        suffix = f":rebuild{int(time.time() * 1000)}"

        def build():
            self._write(
                self.bulk_client,
                {key + suffix: members for key, members in boards.items()},
            )
            self._swap_in(
                self.bulk_client,
                {key: bool(members) for key, members in boards.items()},
                suffix,
            )

        self._call(build)


def slot_tag(key: str) -> str:
    """What Redis Cluster hashes a key by: its hash tag, or the whole key."""
    start = key.find("{")
    if start != -1:
        end = key.find("}", start + 1)
        if end > start + 1:
            return key[start + 1 : end]
    return key


class RedisClusterStore(RedisStore):
    """The Redis store on a Redis Cluster (REDIS_CLUSTER=1).

    A script call or a MULTI must touch one slot. Board keys carry a hash tag,
    {competition:period instance:people or units} (boards.storage_key), so a
    projection batch is one script call per tag it touches (about six per
    competition: all time, this month, this week, for people and for units),
    pipelined to the shards in one round trip each, and a
    rebuild's roll-up (ZUNIONSTORE) stays within one slot. The registry of keys
    and the format marker are keys of their own, written outside the scripts.

    Atomicity: one Redis applies a batch in one script, all or nothing. Over
    shards, a batch is several scripts; if a shard fails mid-batch the projector
    rolls back and retries the same entries, so each script first records the
    batch's id in its own slot (for an hour) and a retried batch skips the slots
    it already reached: no increment is applied twice. Reconciliation still
    compares every board with the ledger every 30 minutes.
    """

    name = "redis-cluster"

    def new_server(self):
        # Each shard has a run id of its own and a failover moves slots between
        # them; on a cluster the scheduled reconciliation finds what a promoted
        # replica missed.
        return None

    def __init__(self, url: str, *, timeout: float):
        import redis
        from redis.backoff import NoBackoff
        from redis.cluster import RedisCluster
        from redis.retry import Retry

        self._redis_errors = (redis.RedisError, OSError)
        self.client = RedisCluster.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            max_connections=200,
            decode_responses=False,
        )
        self.breaker = CircuitBreaker()
        self.bulk_client = RedisCluster.from_url(
            url,
            socket_timeout=120,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )

    INCREMENT_SLOT = f"""
    if ARGV[2] ~= '' then
        if redis.call('SET', KEYS[1], '1', 'NX', 'EX', 3600) == false then
            return 0
        end
    end
    local boards = cmsgpack.unpack(ARGV[1])
    local n = 0
    for key, members in pairs(boards) do
        for member, delta in pairs(members) do
            redis.call('ZINCRBY', key, delta, string.format('%012d', {MAX_MEMBER} - member))
        end
        n = n + 1
    end
    return n
    """

    @staticmethod
    def _by_slot(boards: dict[str, dict]) -> dict[str, dict[str, dict]]:
        groups: dict[str, dict[str, dict]] = defaultdict(dict)
        for key, members in boards.items():
            groups[slot_tag(key)][key] = members
        return groups

    def apply(self, changes):
        changes = Changes.of(changes)
        if not changes:
            return
        batch = getattr(changes, "batch", None) or ""
        groups = self._by_slot(changes.by_key)

        def run():
            pipe = self.client.pipeline(transaction=False)
            # Registered first: a key in the registry before it has members is
            # harmless (read as empty), one with members missing from it is not.
            pipe.sadd("lb:keys", *changes.by_key)
            for tag, boards in groups.items():
                marker = f"lb:batch:{{{tag}}}:{batch}"
                pipe.execute_command(
                    "EVAL", self.INCREMENT_SLOT, 1, marker, msgpack.packb(boards), batch
                )
            pipe.execute()

        self._call(run)

    ASSIGN_SLOT = RedisStore.ASSIGN.split("    for i = 1, #keys, 1000 do")[0] + (
        "    return #keys\n    "
    )

    def assign(self, values):
        if not values:
            return
        put: dict[str, dict[int, int]] = defaultdict(dict)
        remove: dict[str, list[int]] = defaultdict(list)
        for (key, member), points in values.items():
            if points is None:
                remove[key].append(member)
            else:
                put[key][member] = points
        tags = {slot_tag(key) for key in [*put, *remove]}

        def run():
            pipe = self.client.pipeline(transaction=False)
            if put:
                pipe.sadd("lb:keys", *put)
            for tag in tags:
                payload = msgpack.packb(
                    {
                        "set": {k: v for k, v in put.items() if slot_tag(k) == tag},
                        "remove": {
                            k: v for k, v in remove.items() if slot_tag(k) == tag
                        },
                    }
                )
                pipe.execute_command(
                    "EVAL", self.ASSIGN_SLOT, 1, f"lb:assign:{{{tag}}}", payload
                )
            pipe.execute()

        self._call(run)

    def _write(self, client, boards):
        chunk: dict[str, dict[int, int]] = {}
        size = 0

        def flush(chunk):
            pipe = client.pipeline(transaction=False)
            for tag, group in self._by_slot(chunk).items():
                pipe.execute_command(
                    "EVAL", self.WRITE, 1, f"lb:write:{{{tag}}}", msgpack.packb(group)
                )
            pipe.execute()

        for key, members in boards.items():
            items = list(members.items())
            for start in range(0, len(items), self.BATCH):
                chunk.setdefault(key, {}).update(
                    dict(items[start : start + self.BATCH])
                )
                size += min(self.BATCH, len(items) - start)
                if size >= self.BATCH:
                    flush(chunk)
                    chunk, size = {}, 0
        if chunk:
            flush(chunk)

    @staticmethod
    def _temp(key: str, suffix: str) -> str:
        """A rebuilt board's temporary name, in the board's own slot."""
        return key + suffix if slot_tag(key) != key else "{" + key + "}" + suffix

    def replace_all(self, boards):
        suffix = f":rebuild{int(time.time() * 1000)}"

        def build():
            self._write(
                self.bulk_client,
                {self._temp(key, suffix): members for key, members in boards.items()},
            )
            self._swap_in(
                self.bulk_client,
                {key: bool(members) for key, members in boards.items()},
                suffix,
            )

        self._call(build)

    # Per slot, atomically: drop the boards that are no more, rename the rebuilt
    # ones in (KEYS: gone, then each built board followed by its temporary name).
    SWAP_SLOT = """
    local gone = tonumber(ARGV[1])
    for i = 1, gone do redis.call('UNLINK', KEYS[i]) end
    for i = gone + 1, #KEYS, 2 do
        if redis.call('EXISTS', KEYS[i + 1]) == 1 then
            redis.call('RENAME', KEYS[i + 1], KEYS[i])
        else
            redis.call('UNLINK', KEYS[i])
        end
    end
    return 1
    """

    def _swap_in(self, client, rebuilt, suffix):
        """Swap per slot (one script each); the registry and the marker after."""
        old = {k.decode() for k in client.smembers("lb:keys")}
        groups: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        for key in old - set(rebuilt):
            groups[slot_tag(key)][0].append(key)
        for key in rebuilt:
            groups[slot_tag(key)][1].extend([key, self._temp(key, suffix)])
        pipe = client.pipeline(transaction=False)
        for gone, built in groups.values():
            pipe.execute_command(
                "EVAL", self.SWAP_SLOT, len(gone) + len(built), *gone, *built, len(gone)
            )
        pipe.execute()
        client.delete("lb:keys")
        keys = list(rebuilt)
        for start in range(0, len(keys), 1000):
            client.sadd("lb:keys", *keys[start : start + 1000])
        client.set(self.FORMAT_KEY, self.KEY_FORMAT)


# SQL -----------------------------------------------------------------------------


class SqlStore(RankingStore):
    """The embedded store: one row per (board key, member) in the standings table."""

    name = "sql"

    def apply(self, changes):
        changes = Changes.of(changes)
        if not changes:
            return
        table = Standing._meta.db_table
        sql = (
            f"INSERT INTO {table} (board, member, points) VALUES (%s, %s, %s) "
            f"ON CONFLICT (board, member) DO UPDATE SET points = {table}.points + excluded.points"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                sql,
                [
                    (key, member, delta)
                    for key, members in changes.by_key.items()
                    for member, delta in members.items()
                ],
            )

    def top(self, key, *, offset=0, limit=50):
        return list(
            Standing.objects.filter(board=key)
            .order_by("-points", "member")
            .values_list("member", "points")[offset : offset + limit]
        )

    def score(self, key, member):
        return (
            Standing.objects.filter(board=key, member=member)
            .values_list("points", flat=True)
            .first()
        )

    def rank(self, key, member):
        points = self.score(key, member)
        if points is None:
            return None
        return Standing.objects.filter(board=key, points__gt=points).count() + 1

    def position(self, key, member):
        points = self.score(key, member)
        if points is None:
            return None
        from django.db.models import Q

        return (
            Standing.objects.filter(board=key)
            .filter(Q(points__gt=points) | Q(points=points, member__lt=member))
            .count()
        )

    def count(self, key):
        return Standing.objects.filter(board=key).count()

    def scores(self, key):
        return dict(Standing.objects.filter(board=key).values_list("member", "points"))

    def remove(self, member, keys):
        Standing.objects.filter(board__in=list(keys), member=member).delete()

    def scores_of(self, pairs):
        found = dict.fromkeys(pairs)
        by_key: dict[str, set[int]] = defaultdict(set)
        for key, member in found:
            by_key[key].add(member)
        for key, members in by_key.items():
            for member, points in Standing.objects.filter(
                board=key, member__in=members
            ).values_list("member", "points"):
                found[(key, member)] = points
        return found

    def assign(self, values):
        if not values:
            return
        table = Standing._meta.db_table
        put = [
            (key, member, points)
            for (key, member), points in values.items()
            if points is not None
        ]
        remove: dict[str, list[int]] = defaultdict(list)
        for (key, member), points in values.items():
            if points is None:
                remove[key].append(member)
        with transaction.atomic():
            if put:
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"INSERT INTO {table} (board, member, points) VALUES (%s, %s, %s) "
                        "ON CONFLICT (board, member) DO UPDATE SET points = excluded.points",
                        put,
                    )
            for key, members in remove.items():
                Standing.objects.filter(board=key, member__in=members).delete()

    def keys(self):
        return sorted(Standing.objects.values_list("board", flat=True).distinct())

    def take_rank_snapshot(self, *, at):
        """Ranks worked out once, by the database, when kept: a page then reads a
        member's kept rank by the primary key's index."""
        from .models import RankSnapshot

        table = RankSnapshot._meta.db_table
        standings = Standing._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(
                f"INSERT INTO {table} (board, member, rank) "
                f"SELECT board, member, RANK() OVER "
                f"(PARTITION BY board ORDER BY points DESC) FROM {standings}"
            )
            RankSnapshot.objects.create(
                board=RankSnapshot.TAKEN, member=0, rank=int(at)
            )
        return Standing.objects.values("board").distinct().count()

    def rank_snapshot_taken(self):
        from .models import RankSnapshot

        value = (
            RankSnapshot.objects.filter(board=RankSnapshot.TAKEN)
            .values_list("rank", flat=True)
            .first()
        )
        return None if value is None else float(value)

    def previous_ranks(self, key, members):
        from .models import RankSnapshot

        found = dict(
            RankSnapshot.objects.filter(
                board=key, member__in=list(members)
            ).values_list("member", "rank")
        )
        if not found and not RankSnapshot.objects.filter(board=key).exists():
            return None
        return {member: found.get(member) for member in members}

    def replace_all(self, boards):
        with transaction.atomic():
            Standing.objects.all().delete()
            Standing.objects.bulk_create(
                (
                    Standing(board=key, member=member, points=points)
                    for key, members in boards.items()
                    for member, points in members.items()
                ),
                batch_size=5000,
            )


_store: RankingStore | None = None
_store_lock = threading.Lock()


def get_store() -> RankingStore:
    """The configured store: Redis when REDIS_URL is set, else SQL. One per process."""
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                if settings.REDIS_URL:
                    kind = RedisClusterStore if settings.REDIS_CLUSTER else RedisStore
                    _store = kind(
                        settings.REDIS_URL, timeout=settings.REDIS_SOCKET_TIMEOUT
                    )
                else:
                    _store = SqlStore()
    return _store


def reset_store() -> None:
    """Forget the process's store (tests switch between configurations)."""
    global _store
    _store = None
