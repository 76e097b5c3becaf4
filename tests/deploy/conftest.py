"""The deployment of deploy/ on this machine: real nginx (TLS with a certificate made
here) in front of two workers started exactly as the systemd unit starts them, on
the test database and Redis, with the production settings of .env.example.

`make deploy-test` runs only this folder; `make test` runs it with the rest.
"""

import os
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.conftest import (  # noqa: F401
    _database_url,
    browser,
)
from tests.competitions.conftest import (  # noqa: F401
    community_class,
    competition,
    initiative,
    today,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from check_deploy import production_env  # noqa: E402
from render_deploy import main as render_nginx  # noqa: E402

METRICS_TOKEN = "test-metrics-token-0123456789"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.services)
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unit_command(name: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The command and environment a systemd unit of deploy/systemd runs."""
    lines = (
        (ROOT / "deploy" / "systemd" / name).read_text(encoding="utf-8").splitlines()
    )
    command, env = None, {}
    for line in lines:
        if line.startswith("ExecStart="):
            command = shlex.split(
                line.removeprefix("ExecStart=").replace("%i", str(port))
            )
        elif line.startswith("Environment="):
            key, _, value = line.removeprefix("Environment=").partition("=")
            env[key] = value.replace("%i", str(port))
    assert command is not None, f"{name} has no ExecStart"
    # The unit runs the release's venv; here, this interpreter (the same venv).
    assert command[0].endswith("/.venv/bin/python")
    return [sys.executable, *command[1:]], env


def wait_until_up(url: str, *, process=None, timeout: float = 40, context=None):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2, context=context) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{url}: the process exited") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer") from None
            time.sleep(0.2)


@dataclass
class Deployment:
    base_url: str  # through nginx, https
    http_url: str  # nginx's plain-HTTP server
    worker_urls: list[str]
    folder: Path
    env: dict[str, str]
    processes: list = field(default_factory=list)

    @property
    def tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.folder / "cert.pem"))
        return context

    def worker_metrics(self, index: int) -> str:
        request = urllib.request.Request(
            f"{self.worker_urls[index]}/metrics",
            headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.read().decode()

    def worker_log(self, index: int) -> str:
        return (self.folder / f"worker-{index}.log").read_text(encoding="utf-8")

    def nginx_errors(self) -> str:
        path = self.folder / "state" / "nginx-error.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def nginx_log(self) -> str:
        path = self.folder / "state" / "nginx-access.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the metrics")


@pytest.fixture(scope="module")
def deployment(django_db_setup, django_db_blocker):
    if not os.path.exists(NGINX):
        pytest.fail("nginx is missing: `make test` installs it")
    folder = Path(tempfile.mkdtemp(prefix="thidua-deploy-"))
    (folder / "state").mkdir()
    (folder / "media").mkdir()
    https_port, http_port = free_port(), free_port()
    worker_ports = [free_port(), free_port()]
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    base_url = f"https://localhost:{https_port}"
    with django_db_blocker.unblock():
        database_url = _database_url()
    env = {
        **production_env(
            [
                f"DATABASE_URL={database_url}",
                f"REDIS_URL={settings.REDIS_URL}",
                "ALLOWED_HOSTS=localhost,127.0.0.1",
                f"CSRF_TRUSTED_ORIGINS={base_url}",
                f"MEDIA_ROOT={folder / 'media'}",
                f"STATIC_ROOT={folder / 'static'}",
                f"METRICS_TOKEN={METRICS_TOKEN}",
                "EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend",
                # No timers in the workers (production runs the scheduler process);
                # and none here either: the tests truncate tables between them, and
                # a job holding a row lock then would deadlock that.
                "SCHEDULER=process",
                "LOG_FORMAT=json",
                # Every socket of the drills comes from this one address: the
                # per-address cap (200 in .env.example) would refuse `make drills`.
                "WS_MAX_PER_ADDRESS="
                + str(max(200, int(os.environ.get("DRILL_CLIENTS", "50")))),
            ]
        ),
        "HOME": str(folder),
    }
    # The release steps, as an operator runs them (no pip, no systemd here).
    subprocess.run(
        [str(ROOT / "scripts" / "release.sh"), "--no-install", "--no-restart"],
        env={**env, "PYTHON": sys.executable},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    deployment = Deployment(
        base_url=base_url,
        http_url=f"http://localhost:{http_port}",
        worker_urls=[f"http://127.0.0.1:{port}" for port in worker_ports],
        folder=folder,
        env=env,
    )
    try:
        for index, port in enumerate(worker_ports):
            command, unit_env = unit_command("thidua-worker@.service", port)
            log = open(folder / f"worker-{index}.log", "w")
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**env, **unit_env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            deployment.processes.append(process)
        for url, process in zip(
            deployment.worker_urls, deployment.processes, strict=True
        ):
            wait_until_up(f"{url}/healthz", process=process)
        render_nginx(
            [
                "--out", str(folder), "--server-name", "localhost",
                "--workers", ",".join(map(str, worker_ports)),
                "--listen", "127.0.0.1",
                "--http-port", str(http_port), "--https-port", str(https_port),
                "--tls-cert", str(folder / "cert.pem"),
                "--tls-key", str(folder / "key.pem"),
                "--user", "root" if os.geteuid() == 0 else "",
                "--state-dir", str(folder / "state"),
                "--run-dir", str(folder / "state"),
                "--log-dir", str(folder / "state"),
                "--cache-dir", str(folder / "state" / "cache"),
            ]
        )  # fmt: skip
        nginx = subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"),
             "-g", "daemon off;"],
            stdout=open(folder / "nginx.out", "w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deployment.processes.append(nginx)
        wait_until_up(f"{base_url}/healthz", process=nginx, context=deployment.tls)
        yield deployment
    finally:
        for process in deployment.processes:
            process.terminate()
        for process in deployment.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(folder, ignore_errors=True)
