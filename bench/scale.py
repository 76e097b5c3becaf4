"""`make bench-scale`: past one worker and one Redis, each figure against a baseline
measured in the same run, through the deployment of deploy/ (nginx with TLS in
front of two workers started as the systemd unit starts them).

(h) 10,000 board sockets over two workers through nginx: failed handshakes, and
    the time until every client has the frame of one award; baseline: the same
    clients straight to the two workers.
(i) anonymous board page views a second through nginx's micro-cache against
    straight to one worker, and the p95 under that load (ApacheBench, keep-alive).
(j) durable awards a second against the true Redis limit: the same increments,
    summed per batch, applied by one server-side script call per batch.
(k) the projection of the same awards on a two-shard Redis Cluster against one
    Redis (both started here, empty), with the boards compared afterwards.
"""

import asyncio
import os
import re
import secrets
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import msgpack
from asgiref.sync import sync_to_async
from django.utils import timezone

from competitions.models import PointEntry
from leaderboards import projector
from leaderboards.boards import Changes, increments_for
from leaderboards.stores import RedisClusterStore, RedisStore, get_store
from units.models import Membership, Unit

from . import ingest
from .fanout import (
    Clients,
    NodeClients,
    award_once,
    cpu_seconds,
    free_port,
    percentile,
    raise_file_limit,
)

ROOT = Path(__file__).resolve().parent.parent


# The deployment -------------------------------------------------------------------


class Deployment:
    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: list[subprocess.Popen] = []
        self.worker_ports = [free_port(), free_port()]
        self.https_port, self.http_port = free_port(), free_port()
        self.token = secrets.token_urlsafe(16)

    @property
    def base(self) -> str:
        return f"https://localhost:{self.https_port}"

    def env(self) -> dict:
        return {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": self.base,
            # The baseline asks the workers over plain HTTP, as nginx does.
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": str(self.folder / "static"),
            "MEDIA_ROOT": str(self.folder / "media"),
            "SCHEDULER": "process",
            "LEADERBOARD_CATCH_UP_SECONDS": "0",
            "TRUSTED_PROXY_COUNT": "1",
            "DATABASE_CONN_MAX_AGE": "60",
            # Every client of the bench shares 127.0.0.1.
            "WS_MAX_PER_ADDRESS": "1000000",
            "METRICS_TOKEN": self.token,
            "LOG_LEVEL": "WARNING",
        }

    def start(self) -> None:
        env = self.env()
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        unit = (ROOT / "deploy/systemd/thidua-worker@.service").read_text()
        exec_start = next(
            line.removeprefix("ExecStart=")
            for line in unit.splitlines()
            if line.startswith("ExecStart=")
        )
        for port in self.worker_ports:
            command = exec_start.replace("%i", str(port)).split()
            command[0] = sys.executable
            self.processes.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env={**env, "WORKER_NAME": f"worker-{port}"},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    preexec_fn=raise_file_limit,
                )
            )
        for port in self.worker_ports:
            _wait(f"http://127.0.0.1:{port}/healthz")
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", str(self.folder / "key.pem"),
                "-out", str(self.folder / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        state = self.folder / "state"
        state.mkdir()
        subprocess.run(
            [
                sys.executable, str(ROOT / "scripts/render_deploy.py"),
                "--out", str(self.folder), "--server-name", "localhost",
                "--workers", ",".join(map(str, self.worker_ports)),
                "--listen", "127.0.0.1",
                "--http-port", str(self.http_port),
                "--https-port", str(self.https_port),
                "--tls-cert", str(self.folder / "cert.pem"),
                "--tls-key", str(self.folder / "key.pem"),
                "--user", "root" if os.geteuid() == 0 else "",
                "--state-dir", str(state), "--run-dir", str(state),
                "--log-dir", str(state), "--cache-dir", str(state / "cache"),
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )  # fmt: skip
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.processes.append(
            subprocess.Popen(
                [nginx, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"),
                 "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
        _wait(f"{self.base}/healthz", context=self.tls())

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.folder / "cert.pem"))

    def cpu_by_party(self) -> dict[str, float]:
        """CPU seconds used so far by the workers and by nginx (its master and
        worker processes): `start` starts the workers, then nginx last."""
        *workers, nginx = self.processes
        children = Path(f"/proc/{nginx.pid}/task/{nginx.pid}/children").read_text()
        return {
            "workers": sum(cpu_seconds(w.pid) for w in workers),
            "nginx": sum(
                cpu_seconds(int(pid)) for pid in [nginx.pid, *children.split()]
            ),
        }

    def sockets_per_worker(self) -> list[int]:
        counts = []
        for port in self.worker_ports:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/metrics",
                headers={"Authorization": f"Bearer {self.token}"},
            )
            text = urllib.request.urlopen(request, timeout=10).read().decode()
            counts.append(
                int(float(re.search(r"^thidua_board_sockets (\S+)", text, re.M)[1]))
            )
        return counts

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait(url: str, *, context=None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2, context=context)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer") from None
            time.sleep(0.2)


# (h) sockets ----------------------------------------------------------------------


async def _deliver(groups: list, trigger) -> dict:
    """Time from the award's start until every client of every group has the frame."""
    for clients in groups:
        await clients.mark()
    expected = sum(clients.opened for clients in groups)
    at = time.time()
    started = time.perf_counter()
    await trigger()
    deadline = started + 30
    arrivals = []
    for clients in groups:
        arrivals += await clients.collect(max(0.1, deadline - time.perf_counter()))
    arrivals.sort()
    return {
        "at": round(at, 3),
        "received": len(arrivals),
        "expected": expected,
        "p50_ms": round((percentile(arrivals, 0.5) - started) * 1000, 1)
        if arrivals
        else None,
        "all_ms": round((arrivals[-1] - started) * 1000, 1) if arrivals else None,
    }


def _client_cpu(groups: list) -> float:
    """CPU seconds of the clients' processes (each counted once)."""
    return sum(cpu_seconds(pid) for pid in {clients.pid for clients in groups})


async def sockets(deployment: Deployment, dataset: dict, *, count: int, rounds: int):
    competition = dataset["competition"]
    board = f"{competition.pk}-{dataset['province_id']}-village-all-points"
    village = await sync_to_async(
        lambda: Unit.objects.filter(
            kind="village",
            path__startswith=Unit.objects.get(pk=dataset["province_id"]).path,
        ).first()
    )()
    award = sync_to_async(award_once, thread_sensitive=False)

    async def trigger():
        await award(competition, village, None)

    nginx = f"wss://localhost:{deployment.https_port}/ws/leaderboards/{board}/"
    cafile = str(deployment.folder / "cert.pem")
    result = {}
    for label, groups in (
        (
            "straight_to_workers",
            [
                NodeClients(
                    f"ws://127.0.0.1:{port}/ws/leaderboards/{board}/", count // 2
                )
                for port in deployment.worker_ports
            ],
        ),
        ("through_nginx", [NodeClients(nginx, count, cafile=cafile)]),
        # The same path watched by the Python clients the bench used before: what
        # the earlier 3.1 s was made of (the client's own CPU per frame).
        ("through_nginx_python_client", [Clients(nginx, count, ssl=deployment.tls())]),
    ):
        started = time.perf_counter()
        for clients in groups:
            await clients.open(parallel=200)
        connect_seconds = time.perf_counter() - started
        await asyncio.sleep(2.0)
        per_worker = await sync_to_async(deployment.sockets_per_worker)()
        deliveries = []
        frames_before = 0
        for _ in range(rounds):
            # Whose CPU a round took, on the two cores everything shares.
            before = {**deployment.cpu_by_party(), "clients": _client_cpu(groups)}
            delivery = await _deliver(groups, trigger)
            after = {**deployment.cpu_by_party(), "clients": _client_cpu(groups)}
            # Frames per socket since the round before (the Node clients count
            # them): more than one when the award moved the board twice.
            if all(isinstance(c, NodeClients) for c in groups):
                frames = sum(c.frames for c in groups)
                delivery["frames_per_socket_since_last"] = round(
                    (frames - frames_before) / max(1, delivery["expected"]), 2
                )
                frames_before = frames
            delivery["cpu_ms"] = {
                k: round((after[k] - before[k]) * 1000) for k in before
            }
            deliveries.append(delivery)
            await asyncio.sleep(1.0)
        result[label] = {
            "clients": count,
            "connect_seconds": round(connect_seconds, 1),
            "failed_handshakes": sum(c.failed for c in groups),
            "never_connected": sum(c.gave_up for c in groups),
            "sockets_per_worker": per_worker,
            "errors": {k: v for c in groups for k, v in c.errors.items()},
            "rounds": deliveries,
            "all_ms_median": statistics.median(
                d["all_ms"] for d in deliveries if d["all_ms"] is not None
            )
            if any(d["all_ms"] is not None for d in deliveries)
            else None,
            "every_client_every_round": all(d["received"] == count for d in deliveries),
            "client": "python websockets"
            if label.endswith("python_client")
            else "node ws",
        }
        for clients in groups:
            await clients.close()
        await asyncio.sleep(2.0)
    return result


# (i) page views -------------------------------------------------------------------


def _ab(url: str, *, requests: int, concurrency: int) -> dict:
    done = subprocess.run(
        ["ab", "-q", "-k", "-n", str(requests), "-c", str(concurrency), url],
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout
    rate = re.search(r"Requests per second:\s+([\d.]+)", out)
    failed = re.search(r"Failed requests:\s+(\d+)", out)
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    p50 = re.search(r"^\s+50%\s+(\d+)", out, re.M)
    p95 = re.search(r"^\s+95%\s+(\d+)", out, re.M)
    if not rate:
        raise RuntimeError(f"ab failed: {done.stderr[-500:]}")
    return {
        "requests": requests,
        "concurrency": concurrency,
        "per_second": round(float(rate[1])),
        "failed": int(failed[1]) if failed else 0,
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "p50_ms": int(p50[1]) if p50 else None,
        "p95_ms": int(p95[1]) if p95 else None,
    }


def page_views(deployment: Deployment, dataset: dict, *, requests: int) -> dict:
    board = f"{dataset['competition'].pk}-{dataset['province_id']}-village-week-points"
    path = f"/leaderboards/{board}/"
    direct_url = f"http://127.0.0.1:{deployment.worker_ports[0]}{path}"
    nginx_url = f"https://127.0.0.1:{deployment.https_port}{path}"
    urllib.request.urlopen(direct_url, timeout=10).read()
    answer = urllib.request.urlopen(
        f"{deployment.base}{path}", timeout=10, context=deployment.tls()
    )
    cache_control = answer.headers.get("Cache-Control")
    direct = _ab(direct_url, requests=max(500, requests // 20), concurrency=50)
    cached = _ab(nginx_url, requests=requests, concurrency=50)
    return {
        "page": path,
        "cache_control": cache_control,
        "straight_to_one_worker": direct,
        "through_nginx_micro_cache": cached,
        "ratio": round(cached["per_second"] / direct["per_second"], 1),
    }


# (j) durable awards against one script call per batch ------------------------------


def _award_batches(dataset: dict, *, count: int, seed: int) -> list[Changes]:
    """The store changes of `count` awards, summed per batch as the projector sums."""
    import random

    rng = random.Random(seed)
    people = list(
        Membership.objects.filter(
            person_id__gte=dataset["first_person"],
            person_id__lt=dataset["first_person"] + dataset["people"],
        ).values_list("person_id", "unit_id")[: min(count, 50_000)]
    )
    chains = projector.unit_chains({unit for _person, unit in people})
    today = timezone.localdate()
    batches = []
    for start in range(0, count, ingest.BATCH):
        changes = Changes()
        for _n in range(start, min(count, start + ingest.BATCH)):
            person, unit = people[rng.randrange(len(people))]
            for change in increments_for(
                competition_id=dataset["competition"].pk,
                person_id=person,
                points=rng.randint(1, 20),
                day=today,
                chain=[(pk, kind) for pk, kind, _active in chains[unit]],
            ):
                changes.add(change.key, change.member, change.delta)
        changes.batch = f"bench-{seed}-{start}"
        batches.append(changes)
    return batches


def script_ceiling(dataset: dict, *, count: int) -> dict:
    """The same kind of increments, one script call per batch, nothing durable."""
    client = get_store().bulk_client
    payloads = [
        msgpack.packb({"bench:" + key: m for key, m in changes.by_key.items()})
        for changes in _award_batches(dataset, count=count, seed=12)
    ]
    started = time.perf_counter()
    for payload in payloads:
        client.eval(RedisClusterStore.INCREMENT_SLOT, 1, "bench:marker", payload, "")
    seconds = time.perf_counter() - started
    for key in client.scan_iter("bench:lb:*", count=1000):
        client.unlink(key)
    return {
        "awards": count,
        "seconds": round(seconds, 2),
        "per_second": round(count / seconds),
    }


# (k) two shards against one Redis --------------------------------------------------


def _start_redis(folder: Path) -> tuple[str, subprocess.Popen]:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            import redis

            redis.Redis(port=port).ping()
            break
        except Exception:
            time.sleep(0.1)
    return f"redis://127.0.0.1:{port}/0", process


def shards(dataset: dict, *, count: int, folder: Path) -> dict:
    batches = _award_batches(dataset, count=count, seed=21)
    single_url, single = _start_redis(folder)
    cluster_dir = folder / "cluster"
    script = str(ROOT / "scripts/redis-cluster.sh")
    cluster_url = subprocess.run(
        [script, "start", str(cluster_dir), "2"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    try:
        result = {}
        stores = {
            "one_redis": RedisStore(single_url, timeout=5),
            "two_shard_cluster": RedisClusterStore(cluster_url, timeout=5),
        }
        for label, store in stores.items():
            started = time.perf_counter()
            for changes in batches:
                store.apply(changes)
            seconds = time.perf_counter() - started
            result[label] = {
                "awards": count,
                "seconds": round(seconds, 2),
                "per_second": round(count / seconds),
            }
        keys = sorted(stores["one_redis"].keys())
        same = dict(stores["one_redis"].scores_many(keys)) == dict(
            stores["two_shard_cluster"].scores_many(keys)
        )
        cluster = stores["two_shard_cluster"].client
        placed = {}
        for key in keys:
            node = cluster.get_node_from_key(key)
            placed[f"{node.host}:{node.port}"] = (
                placed.get(f"{node.host}:{node.port}", 0) + 1
            )
        result["boards_equal"] = same
        result["boards"] = len(keys)
        result["boards_per_shard"] = sorted(placed.values())
        result["ratio"] = round(
            result["two_shard_cluster"]["per_second"]
            / result["one_redis"]["per_second"],
            2,
        )
        return result
    finally:
        subprocess.run([script, "stop", str(cluster_dir)], check=False)
        single.terminate()
        single.wait(timeout=10)


# ----------------------------------------------------------------------------------


PARTS = ("awards", "shards", "pages", "sockets")


def run(
    dataset: dict,
    *,
    sockets_count: int,
    rounds: int,
    requests: int,
    awards: int,
    parts=PARTS,
) -> dict:
    raise_file_limit()
    folder = Path(tempfile.mkdtemp(prefix="thidua-scale-"))
    results = {}
    try:
        if "awards" in parts:
            print("Durable awards and the script ceiling ...", flush=True)
            durable = ingest.durable_awards(dataset, count=awards)
            # Counted only if on the boards: an award left waiting for a Redis that
            # timed out is not a durable award a second.
            durable["left_unprojected"] = PointEntry.objects.unprojected().count()
            ceiling = script_ceiling(dataset, count=awards)
            results["awards"] = {
                "durable": durable,
                "one_script_call_per_batch": ceiling,
                "share_percent": round(
                    100 * durable["per_second"] / ceiling["per_second"], 1
                ),
            }
        if "shards" in parts:
            print("Two shards against one Redis ...", flush=True)
            results["shards"] = shards(dataset, count=awards, folder=folder)
        if "pages" in parts or "sockets" in parts:
            print("nginx and two workers ...", flush=True)
            deployment = Deployment(folder)
            try:
                deployment.start()
                if "pages" in parts:
                    print("Page views ...", flush=True)
                    results["page_views"] = page_views(
                        deployment, dataset, requests=requests
                    )
                if "sockets" in parts:
                    print(f"{sockets_count:,} sockets ...", flush=True)
                    results["sockets"] = asyncio.run(
                        sockets(deployment, dataset, count=sockets_count, rounds=rounds)
                    )
            finally:
                deployment.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def table_lines(result: dict) -> list[str]:
    lines = ["| measure | ours | baseline (same run) | ratio |", "|---|---|---|---|"]
    s = result.get("sockets", {})
    if s:
        nginx, direct = s["through_nginx"], s["straight_to_workers"]
        lines.append(
            f"| (h) {nginx['clients']:,} sockets over two workers through nginx: failed "
            f"handshakes / every client updated (median of rounds) | "
            f"{nginx['failed_handshakes']} / {nginx['all_ms_median']} ms "
            f"(per worker {nginx['sockets_per_worker']}) | straight to the workers: "
            f"{direct['failed_handshakes']} / {direct['all_ms_median']} ms | |"
        )
        if "through_nginx_python_client" in s:
            python = s["through_nginx_python_client"]
            lines.append(
                f"| (h) the same through nginx, watched by Python `websockets` "
                f"clients in one process | {python['failed_handshakes']} / "
                f"{python['all_ms_median']} ms | Node `ws` clients: "
                f"{nginx['all_ms_median']} ms | |"
            )
    p = result.get("page_views", {})
    if p:
        c, d = p["through_nginx_micro_cache"], p["straight_to_one_worker"]
        lines.append(
            f"| (i) anonymous board views/s, p50 / p95 | nginx micro-cache: "
            f"{c['per_second']:,}/s, {c['p50_ms']} / {c['p95_ms']} ms | one worker: "
            f"{d['per_second']:,}/s, {d['p50_ms']} / {d['p95_ms']} ms | {p['ratio']}× |"
        )
    a = result.get("awards", {})
    if a:
        lines.append(
            f"| (j) durable awards/s | {a['durable']['per_second']:,} | one script "
            f"call per batch: {a['one_script_call_per_batch']['per_second']:,} | "
            f"{a['share_percent']}% |"
        )
    k = result.get("shards", {})
    if k:
        lines.append(
            f"| (k) projection of the same awards, awards/s | two-shard cluster: "
            f"{k['two_shard_cluster']['per_second']:,} (boards per shard "
            f"{k['boards_per_shard']}, equal: {k['boards_equal']}) | one Redis: "
            f"{k['one_redis']['per_second']:,} | {k['ratio']}× |"
        )
    return lines
