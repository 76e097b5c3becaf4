"""Error pages in Vietnamese with a way back, in production and in `make run`'s demo.

`make run` serves the demo with DEBUG off (DEMO=1), so that a visitor who types a
wrong address or sends a stale form sees the platform's page, never Django's debug
page with its settings and traceback. The test starts the very command `make run`
would (read from `make -n run`) and asks it for a missing page and a stale form.
"""

import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from units import selectors

ROOT = Path(__file__).resolve().parents[2]
DEBUG_PAGE = ("Traceback", "URLconf", "DEBUG = True", "Django tried these URL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_run_lines(port: int) -> list[str]:
    result = subprocess.run(
        ["make", "-n", "run", f"PORT={port}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def fetch(url: str, *, data: bytes | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, data=data, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def make_run_server(tmp_path_factory):
    """The server line of `make run`, started as make would (its own environment)."""
    port = free_port()
    [server] = [line for line in make_run_lines(port) if "-m config.server" in line]
    folder = tmp_path_factory.mktemp("make-run")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(folder)),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "LEADERBOARD_CATCH_UP_SECONDS": "0",
        "LEADERBOARD_RECONCILE_MINUTES": "0",
        "MEDIA_CLEANUP_MINUTES": "0",
    }
    process = subprocess.Popen(
        ["bash", "-c", f"exec env {server}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "daphne.log", "w"),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    if process.poll() is not None:
        pytest.fail(
            "make run's server stopped:\n" + (folder / "daphne.log").read_text()
        )
    yield base
    process.terminate()
    process.wait(timeout=10)


class TestMakeRun:
    def test_serves_the_demo_with_debug_off(self):
        lines = make_run_lines(8000)

        commands = [line for line in lines if ".venv/bin/python" in line]
        assert commands and all(
            line.startswith("DEBUG=0 DEMO=1 ") for line in commands
        ), commands

    def test_a_missing_page_is_ours_in_vietnamese(self, make_run_server):
        status, html = fetch(make_run_server + "/khong-co-trang-nay/")

        assert status == 404
        assert "Không tìm thấy" in html and 'href="/"' in html
        assert not [text for text in DEBUG_PAGE if text in html]

    def test_a_stale_form_is_ours_in_vietnamese(self, make_run_server):
        status, html = fetch(
            make_run_server + "/accounts/login/", data=b"login=canbo&password=x"
        )

        assert status == 403
        assert "Biểu mẫu chưa gửi được" in html
        assert 'href="/accounts/login/"' in html
        assert not [text for text in DEBUG_PAGE if text in html]


@pytest.mark.django_db
class TestErrorPages:
    @pytest.fixture
    def production(self, settings):
        settings.DEBUG = False

    def test_an_error_is_our_page_with_a_way_home(self, production, monkeypatch):
        def broken():
            raise RuntimeError("the database went away")

        monkeypatch.setattr(selectors, "root_units", broken)

        response = Client(raise_request_exception=False).get("/units/")

        html = response.content.decode()
        assert response.status_code == 500
        assert "Đã có lỗi xảy ra" in html and 'href="/"' in html
        assert "the database went away" not in html

    def test_a_stale_form_says_what_to_do_and_goes_back_to_its_page(self, production):
        client = Client(enforce_csrf_checks=True)

        response = client.post(
            "/accounts/login/",
            {"login": "canbo", "password": "x"},
            HTTP_REFERER="http://testserver/accounts/login/?next=/review/",
        )

        html = response.content.decode()
        assert response.status_code == 403
        assert "cho phép cookie" in html
        assert 'href="http://testserver/accounts/login/?next=/review/"' in html

    def test_a_referer_from_elsewhere_is_not_followed(self, production):
        client = Client(enforce_csrf_checks=True)

        response = client.post(
            "/accounts/login/", {}, HTTP_REFERER="https://evil.example/phish"
        )

        assert "evil.example" not in response.content.decode()

    @pytest.mark.parametrize("code", ["400", "403", "404", "500"])
    def test_every_error_page_is_in_vietnamese_with_a_way_back(self, code):
        html = (ROOT / "templates" / "errors" / f"{code}.html").read_text()

        assert re.search(r"href=\"(/|\{% url 'home' %\})\"", html)


class TestSeedDemoInDemoMode:
    def test_runs_with_debug_off_when_demo_is_on(self, db, settings):
        settings.DEBUG, settings.DEMO = False, True

        call_command("seed_demo", verbosity=0)

    def test_still_refuses_production(self, db, settings):
        settings.DEBUG, settings.DEMO = False, False

        with pytest.raises(CommandError, match="DEMO"):
            call_command("seed_demo")
