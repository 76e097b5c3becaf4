"""(b) award → WebSocket latency and fan-out, (d) a reconnect storm.

A daphne worker serves the board; N clients in this process watch it; an award is
written to the ledger and projected here, and we time until the clients have the
frame. The same clients against a bare `websockets.broadcast` server give the floor.
"""

import asyncio
import json
import math
import os
import random
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone
from websockets.asyncio.client import connect

from competitions import ledger
from competitions.models import ActivityType, PointRule
from leaderboards import projector
from units.models import Person, Unit

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the p95 of 50 samples is the 48th, not the largest."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start_worker(env_extra: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "WS_MAX_PER_ADDRESS": "1000000",
        "LEADERBOARD_CATCH_UP_SECONDS": "0",
        # As in production: the scheduled jobs run in their own process, not in the
        # measured worker. Left to the worker, the reconciliation and the rank
        # snapshot of a million people's boards ran during the rounds, and a board
        # read waiting behind them timed out (a 6-8 s frame, read from the ledger).
        "SCHEDULER": "process",
        "LOG_LEVEL": "WARNING",
        # As in production (.env.example): keep database connections open.
        "DATABASE_CONN_MAX_AGE": "60",
        **env_extra,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            # Twisted listens with a backlog of 50 unless told: a reconnect storm
            # overflows it. Production runs daphne the same way (README).
            "-e",
            f"tcp:port={port}:interface=127.0.0.1:backlog=4096",
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        # BENCH_WORKER_LOG=<file> keeps the worker's warnings (a store timeout, say).
        stderr=(
            open(os.environ["BENCH_WORKER_LOG"], "a")
            if os.environ.get("BENCH_WORKER_LOG")
            else subprocess.DEVNULL
        ),
        preexec_fn=raise_file_limit,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("worker did not start")


def start_raw(frame_bytes: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.raw_server", str(port), str(frame_bytes)],
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("raw server did not start")


class Clients:
    """N WebSocket clients; each records when it received a frame after `mark`."""

    def __init__(self, uri: str, count: int, *, ssl=None):
        # As a browser on the page that served the board: the server accepts only
        # its own scheme, host and port as the Origin (config/origins.py).
        self.uri, self.count, self.ssl = uri, count, ssl
        scheme = "https" if uri.startswith("wss:") else "http"
        self.origin = f"{scheme}://" + urlsplit(uri).netloc
        self.sockets = []
        self.arrivals: list[float] = []
        self.failed = 0
        self.gave_up = 0
        self.handshake_ms: list[float] = []  # first tries that got in
        self.errors: dict[str, str] = {}
        self.tasks = []
        self.expect_type = "update"
        # A second kind of frame to time as well (a campaign's full "update" after
        # its "points"), into later_arrivals.
        self.later_type: str | None = None
        self.later_arrivals: list[float] = []

    async def _reader(self, ws):
        try:
            async for message in ws:
                if (
                    self.expect_type is None
                    or f'"type":"{self.expect_type}"' in message
                    or f'"type": "{self.expect_type}"' in message
                ):
                    self.arrivals.append(time.perf_counter())
                elif self.later_type and (
                    f'"type":"{self.later_type}"' in message
                    or f'"type": "{self.later_type}"' in message
                ):
                    self.later_arrivals.append(time.perf_counter())
        except Exception:
            pass

    async def _open(self, limit):
        """Connect; on failure retry as board.js does (doubling, jittered delays).

        `failed` counts handshakes that failed at least once, `gave_up` the clients
        that never got in after five tries.
        """
        delay = 1.0
        for attempt in range(5):
            async with limit:
                started = time.perf_counter()
                try:
                    ws = await connect(
                        self.uri,
                        origin=self.origin,
                        open_timeout=30,
                        ping_interval=None,
                        max_queue=None,
                        **({"ssl": self.ssl} if self.ssl is not None else {}),
                    )
                except Exception as error:
                    if attempt == 0:
                        self.failed += 1
                    self.errors.setdefault(type(error).__name__, str(error)[:200])
                else:
                    if attempt == 0:
                        self.handshake_ms.append((time.perf_counter() - started) * 1000)
                    self.sockets.append(ws)
                    self.tasks.append(asyncio.create_task(self._reader(ws)))
                    return
            await asyncio.sleep(delay + random.random() * delay)
            delay *= 2
        self.gave_up += 1

    async def open(self, *, parallel: int = 100, spread: float = 0.0):
        limit = asyncio.Semaphore(parallel)

        async def delayed():
            if spread:
                await asyncio.sleep(random.random() * spread)
            await self._open(limit)

        started = time.perf_counter()
        await asyncio.gather(*(delayed() for _ in range(self.count)))
        return time.perf_counter() - started

    async def close(self):
        await asyncio.gather(
            *(ws.close() for ws in self.sockets), return_exceptions=True
        )
        for task in self.tasks:
            task.cancel()
        self.sockets, self.tasks = [], []

    async def wait_for(self, expected: int, timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while len(self.arrivals) < expected and time.perf_counter() < deadline:
            await asyncio.sleep(0.002)

    @property
    def opened(self) -> int:
        return len(self.sockets)

    @property
    def pid(self) -> int:
        """The clients' process: this one (which also makes the bench's awards)."""
        return os.getpid()

    async def mark(self) -> None:
        self.arrivals = []

    async def collect(self, timeout: float) -> list[float]:
        """The perf_counter arrivals since `mark`, once every socket has one."""
        await self.wait_for(len(self.sockets), timeout)
        return list(self.arrivals)


class NodeClients:
    """N WebSocket clients in a Node.js process (bench/wsclients.mjs, the `ws`
    package): the same board, the same Origin and retries as `Clients`, at a small
    part of the client's CPU per frame, so that the figure is the server's."""

    SCRIPT = ROOT / "bench" / "wsclients.mjs"

    def __init__(self, uri: str, count: int, *, cafile: str | None = None):
        scheme = "https" if uri.startswith("wss:") else "http"
        self.uri, self.count, self.cafile = uri, count, cafile
        self.origin = f"{scheme}://" + urlsplit(uri).netloc
        self.process = None
        self.opened = self.failed = self.gave_up = 0
        self.frames = 0  # every frame the clients received, of any type (`collect`)
        self.errors: dict[str, str] = {}
        self.expect_type = "update"

    async def _ask(self, line: str) -> dict:
        self.process.stdin.write((line + "\n").encode())
        await self.process.stdin.drain()
        return json.loads(await self.process.stdout.readline())

    async def open(self, *, parallel: int = 200) -> None:
        self.process = await asyncio.create_subprocess_exec(
            "node",
            str(self.SCRIPT),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
            limit=64 * 1024 * 1024,  # one line carries every arrival of a round
            preexec_fn=raise_file_limit,
        )
        answer = await self._ask(
            f"open {self.uri} {self.count} {parallel} {self.origin} "
            f"{self.cafile or ''}".strip()
        )
        self.opened, self.failed = answer["opened"], answer["failed"]
        self.gave_up, self.errors = answer["gave_up"], answer["errors"]

    @property
    def pid(self) -> int:
        return self.process.pid

    async def mark(self) -> None:
        self.process.stdin.write(f"mark {self.expect_type}\n".encode())
        await self.process.stdin.drain()
        # Node stamps arrivals in epoch ms; the bench times in perf_counter.
        self.offset = time.time() - time.perf_counter()

    async def collect(self, timeout: float) -> list[float]:
        answer = await self._ask(f"wait {timeout}")
        self.frames = answer["frames"]
        return [ms / 1000 - self.offset for ms in answer["arrivals"]]

    async def close(self) -> None:
        if self.process:
            await self._ask("close")
            await self.process.wait()
            self.process = None


# The activity type and rule every bench award names, read once per competition:
# they are the bench's constants, not part of the award it times (its person is
# still read per award, as an approval reads its submission). Runs A–G read them
# in every award, about 1.5-2 ms of its time by a profile (README, "Badges", run H).
_AWARD_CONSTANTS: dict[int, tuple] = {}


def _award_constants(competition) -> tuple:
    known = _AWARD_CONSTANTS.get(competition.pk)
    if known is None:
        activity = ActivityType.objects.get(code="bench-training")
        rule = PointRule.objects.filter(
            competition=competition, activity_type=activity
        ).first()
        known = _AWARD_CONSTANTS[competition.pk] = (activity, rule)
    return known


def award_once(competition, village: Unit, person_id: int | None, points: int = 5):
    """One durable award: a ledger entry committed, then projected (publishes the
    change); the village's own, or a person's of the village."""
    activity, rule = _award_constants(competition)
    person = Person.objects.get(pk=person_id) if person_id else None
    now = timezone.now()
    with transaction.atomic():
        entries = ledger.credit(
            credits=[
                ledger.Credit(
                    competition=competition,
                    unit=village,
                    person=person,
                    activity_type=activity,
                    rule=rule,
                    points=points,
                    quantity=1,
                    source="bench",
                    explanation="",
                    idempotency_key=f"bench-award:{time.time_ns()}:{random.random()}",
                    occurred_at=now,
                )
            ],
            by=None,
            at=now,
        )
    projector.project([e.pk for e in entries], wait=True)


async def fanout_round(clients: Clients, trigger) -> dict:
    """Trigger once; when every client had the frame, first and last (and, with
    `later_type`, the same of the later frames under "later")."""
    clients.arrivals, clients.later_arrivals = [], []
    started = time.perf_counter()
    await trigger()
    await clients.wait_for(len(clients.sockets), timeout=30)
    result = _timing(clients.arrivals, started)
    if clients.later_type:
        deadline = time.perf_counter() + 30
        while (
            len(clients.later_arrivals) < len(clients.sockets)
            and time.perf_counter() < deadline
        ):
            await asyncio.sleep(0.002)
        result["later"] = _timing(clients.later_arrivals, started)
    return result


def _timing(arrivals: list[float], started: float) -> dict:
    arrivals = sorted(arrivals)
    if not arrivals:
        return {"received": 0}
    return {
        "received": len(arrivals),
        "first_ms": round((arrivals[0] - started) * 1000, 2),
        "all_ms": round((arrivals[-1] - started) * 1000, 2),
    }


def summarise(rounds: list[dict], expected: int) -> dict:
    complete = [r for r in rounds if r.get("received") == expected]
    alls = sorted(r["all_ms"] for r in complete) or [float("nan")]
    firsts = sorted(r["first_ms"] for r in complete) or [float("nan")]
    return {
        "rounds": len(rounds),
        "complete_rounds": len(complete),
        "first_ms_median": firsts[len(firsts) // 2],
        "all_ms_median": alls[len(alls) // 2],
        "all_ms_worst": alls[-1],
        "p95_all_ms": alls[min(len(alls) - 1, int(len(alls) * 0.95))],
    }


AWARD_SAMPLES = 50


class Awarder:
    """The awarding process of bench/awarder.py, driven from the event loop."""

    def __init__(self, competition_id: int, village_id: int):
        self.args = [str(competition_id), str(village_id)]
        self.process = None

    async def __aenter__(self):
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.awarder",
            *self.args,
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        if (await self.process.stdout.readline()).strip() != b"ready":
            raise RuntimeError("the awarding process did not start")
        return self

    async def __aexit__(self, *exc):
        self.process.stdin.close()
        await self.process.wait()

    def award(self, *, person: bool, badges: bool):
        async def one():
            line = f"{'person' if person else 'village'} {'on' if badges else 'off'}\n"
            self.process.stdin.write(line.encode())
            await self.process.stdin.drain()
            if (await self.process.stdout.readline()).strip() != b"ok":
                raise RuntimeError("the awarding process failed")

        return one


async def award_to_one_subscriber(uri: str, award) -> dict:
    """Award → the one subscriber has the frame; the award's own write in the same
    rounds is the baseline (ledger transaction, projection and publish, durable)."""
    one = Clients(uri, 1)
    await one.open()
    await asyncio.sleep(0.5)
    frames, writes = [], []

    async def timed_award():
        started = time.perf_counter()
        await award()
        writes.append((time.perf_counter() - started) * 1000)

    for _ in range(AWARD_SAMPLES):
        result = await fanout_round(one, timed_award)
        if result.get("received"):
            frames.append(result["first_ms"])
        # Spaced beyond the coalescing window, so that every award is a first change.
        await asyncio.sleep(0.6)
    await one.close()
    return {
        "p50_ms": round(percentile(frames, 0.5), 2),
        "p95_ms": round(percentile(frames, 0.95), 2),
        "max_ms": round(max(frames), 2),
        "award_write_p50_ms": round(percentile(writes, 0.5), 2),
        "award_write_p95_ms": round(percentile(writes, 0.95), 2),
        "n": len(frames),
        "of": AWARD_SAMPLES,
    }


async def run_async(
    dataset: dict, *, sizes: list[int], rounds: int, storm: int
) -> dict:
    competition = dataset["competition"]
    province_id = dataset["province_id"]
    board = f"{competition.pk}-{province_id}-village-all-points"
    village = await sync_to_async(
        lambda: Unit.objects.filter(
            kind="village", path__startswith=Unit.objects.get(pk=province_id).path
        ).first()
    )()
    award = sync_to_async(award_once, thread_sensitive=False)
    results = {}

    worker, port = await sync_to_async(start_worker)({})
    raw, raw_port = start_raw(frame_bytes=5000)
    try:
        results["award_to_one_subscriber"] = await award_to_one_subscriber(
            f"ws://127.0.0.1:{port}/ws/leaderboards/{board}/",
            lambda: award(competition, village, None),
        )

        for size in sizes:
            ours = Clients(f"ws://127.0.0.1:{port}/ws/leaderboards/{board}/", size)
            connect_seconds = await ours.open()
            await asyncio.sleep(1.0)
            ours_rounds = []
            for _ in range(rounds):
                ours_rounds.append(
                    await fanout_round(ours, lambda: award(competition, village, None))
                )
                await asyncio.sleep(0.7)
            floor = Clients(f"ws://127.0.0.1:{raw_port}/", size)
            await floor.open()
            control = await connect(f"ws://127.0.0.1:{raw_port}/", ping_interval=None)
            floor.expect_type = "update"
            floor_rounds = []
            for _ in range(rounds):
                floor_rounds.append(
                    await fanout_round(floor, lambda ws=control: ws.send("go"))
                )
                await asyncio.sleep(0.3)
            await control.close()
            await floor.close()
            mine, base = summarise(ours_rounds, size), summarise(floor_rounds, size)
            results[f"fanout_{size}"] = {
                "ours": mine,
                "raw_websockets": base,
                "connect_failed": ours.failed,
                "connect_seconds": round(connect_seconds, 2),
                "ratio_all_vs_raw": round(
                    mine["all_ms_median"] / base["all_ms_median"], 2
                )
                if base["all_ms_median"]
                else None,
            }
            if size == storm:
                # (d) every client drops and comes back within 10 s, then one broadcast.
                await ours.close()
                storm_clients = Clients(
                    f"ws://127.0.0.1:{port}/ws/leaderboards/{board}/", size
                )
                cpu_before = cpu_seconds(worker.pid)
                seconds = await storm_clients.open(parallel=size, spread=10.0)
                worker_cpu = cpu_seconds(worker.pid) - cpu_before
                await asyncio.sleep(1.5)
                delivered = await fanout_round(
                    storm_clients, lambda: award(competition, village, None)
                )
                results["reconnect_storm"] = {
                    "clients": size,
                    "reconnect_seconds": round(seconds, 2),
                    "failed_handshakes": storm_clients.failed,
                    "never_connected": storm_clients.gave_up,
                    # How close the first tries came to daphne's 5 s handshake
                    # timeout, and how busy the worker was meanwhile.
                    "handshake_ms_p50": round(
                        percentile(storm_clients.handshake_ms, 0.5), 1
                    ),
                    "handshake_ms_p99": round(
                        percentile(storm_clients.handshake_ms, 0.99), 1
                    ),
                    "handshake_ms_max": round(max(storm_clients.handshake_ms), 1)
                    if storm_clients.handshake_ms
                    else None,
                    "worker_cpu_share": round(worker_cpu / seconds, 2),
                    "errors": storm_clients.errors,
                    "delivered": delivered.get("received", 0),
                    "delivery_percent": round(
                        100 * delivered.get("received", 0) / size, 2
                    ),
                    "all_ms": delivered.get("all_ms"),
                }
                await storm_clients.close()
            else:
                await ours.close()
            await asyncio.sleep(1.0)
    finally:
        worker.terminate()
        raw.terminate()
        worker.wait(timeout=10)
        raw.wait(timeout=10)
    return results


def run(dataset: dict, *, sizes: list[int], rounds: int, storm: int) -> dict:
    raise_file_limit()
    return asyncio.run(run_async(dataset, sizes=sizes, rounds=rounds, storm=storm))
