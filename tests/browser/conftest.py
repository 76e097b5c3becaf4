"""A live ASGI server (config.server, daphne in its own process) and Debian's chromium."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

# Competition fixtures, shared with the browser journeys.
from tests.competitions.conftest import community_class, competition, today  # noqa: F401
from tests.learning.conftest import (  # noqa: F401
    community_training,
    course,
    fresh_cache,
    learning_competition,
)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Chromium 156 gives every new window (every browser context here) a renderer of its
# own for the address bar's suggestion popup, a WebUI page no test sees: about 1 s of
# a core per context (10 contexts: 16 s of Chromium CPU with it, 5 s without), and
# the suite makes hundreds of contexts.
DISABLED_FEATURES = ["WebUIOmniboxPopup", "WebUIOmniboxAimPopup"]


_PLAYWRIGHTS_SWITCH: dict[str, str] = {}


def playwright_disabled_features(playwright) -> str:
    """The --disable-features switch Playwright passes by default, read once per
    process from the command line of a browser `playwright` starts (the first
    launch's). Chromium reads only the last of several such switches, so ours must
    carry Playwright's list too."""
    known = _PLAYWRIGHTS_SWITCH
    if "switch" not in known:
        probe = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # Another worker's browsers carry the merged switch: not a default.
            known["switch"] = next(
                arg
                for command in browser_command_lines()
                for arg in command
                if arg.startswith("--disable-features=")
                and DISABLED_FEATURES[0] not in arg
            )
        finally:
            probe.close()
    return known["switch"]


def browser_command_lines() -> list[list[str]]:
    """The command lines of the Chromium browser processes Playwright runs (one
    pipe to the driver each; their renderers and helpers have a --type)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_text().split("\0")
        except OSError:
            continue
        if "--remote-debugging-pipe" in command and not any(
            arg.startswith("--type=") for arg in command
        ):
            found.append(command)
    return found


def launch_chromium(playwright):
    default = playwright_disabled_features(playwright)
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, ",".join([default, *DISABLED_FEATURES])],
        ignore_default_args=[default],
    )


AXE = ROOT / "node_modules/axe-core/axe.min.js"
# The journeys' pages photographed for a person to look at, with SCREENSHOTS=1 (into
# .pytest_cache/<journey>/; scripts/screenshots.py takes the README's): a dozen
# full-window PNGs up to 1920 × 1080 are seconds of Chromium each run otherwise.
SCREENSHOTS = os.environ.get("SCREENSHOTS") == "1"
PHONE_AND_DESKTOP = [(390, 844), (1366, 768)]


def shoot(page, journey: str, name: str, sizes=PHONE_AND_DESKTOP):
    """Photograph the page at each size (name-WxH.png), then give it its size back."""
    if not SCREENSHOTS:
        return
    folder = ROOT / ".pytest_cache" / journey
    folder.mkdir(parents=True, exist_ok=True)
    kept = page.viewport_size
    for width, height in sizes:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(200)  # the layout settles (the big screen's fonts)
        page.screenshot(path=str(folder / f"{name}-{width}x{height}.png"))
    if kept:
        page.set_viewport_size(kept)


def keep(journey: str, name: str, data: bytes) -> None:
    """Keep a file the journey made (a certificate) beside its screenshots."""
    if SCREENSHOTS:
        folder = ROOT / ".pytest_cache" / journey
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


# Playwright's sync API runs an event loop in this thread; the ORM calls the tests
# make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    # This hook sees the whole session's items: mark only the ones in this folder.
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def live_asgi(django_db_setup, django_db_blocker):
    """Serve the app with daphne against the test database; yield its base URL."""
    port = _free_port()
    with django_db_blocker.unblock():
        database_url = _database_url()
    media = tempfile.mkdtemp(prefix="thidua-media-")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        # `make run`'s settings with the suite's password hasher (server_settings.py).
        "DJANGO_SETTINGS_MODULE": "tests.browser.server_settings",
        # What `make run` serves: DEBUG off with the local defaults (DEMO). With
        # DEBUG on, whitenoise re-finds every static file per request and tells the
        # browser to revalidate it on every page: the browser suite used 8% more
        # CPU (432 s against 400 s for tests/browser on two cores, one run each).
        "DEBUG": "0",
        "DEMO": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": media,
        # No background catch-up in the test server: between tests the database is
        # truncated, and a projector holding its row lock then would deadlock that.
        # Awards made through the server still project on commit.
        "LEADERBOARD_CATCH_UP_SECONDS": "0",
        # Nor scheduled jobs, for the same reason (their row locks).
        "LEADERBOARD_RECONCILE_MINUTES": "0",
        "MEDIA_CLEANUP_MINUTES": "0",
        "LEADERBOARD_SNAPSHOT_MINUTES": "0",
        "LEDGER_SEAL_SECONDS": "0",
        "LEDGER_VERIFY_MINUTES": "0",
        "BADGES_PUBLISH_SECONDS": "0",
    }
    # The server's log, one per pytest-xdist worker, for a test that got a 500.
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    log = open(ROOT / ".pytest_cache" / f"daphne-{worker}.log", "w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            # daphne with the body cap and lazy body reading production runs.
            "config.server",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base_url}/healthz", timeout=1)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(
                    f"daphne did not start; see .pytest_cache/daphne-{worker}.log"
                ) from None
            time.sleep(0.2)
    yield base_url
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(media, ignore_errors=True)


@pytest.fixture
def demo_committed(transactional_db, settings):
    """The demo province, committed for the server to read (tests/demo_snapshot.py)."""
    from leaderboards import selectors
    from tests.demo_snapshot import load_demo

    settings.DEBUG = True  # seed_demo refuses to run in production
    load_demo(Path(settings.MEDIA_ROOT))
    settings.DEBUG = False
    selectors.forget_cached()


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an event loop running in this thread
    # while it is open, which would stop the asyncio tests that run after these.
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make test` installs it")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


# Added to every document before its own scripts, through the DevTools protocol (which
# the page's Content-Security-Policy does not govern): it reports each violation.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__policyViolation(
    event.effectiveDirective + " blocked " + (event.blockedURI || "inline code")
    + " in " + document.location.pathname
    + (event.sourceFile ? " (" + event.sourceFile + ":" + event.lineNumber + ")" : "")
  );
});
"""
# What Chromium writes to the console about a policy it blocks by or cannot parse.
POLICY_MESSAGES = (
    "Content Security Policy",
    "Content-Security-Policy",
    "Permissions-Policy",
    "Permissions policy",
    "Unrecognized feature",
)


def watch_policies(page) -> list[str]:
    """Collect the page's CSP violations and policy errors, across navigations."""
    found: list[str] = []
    page.expose_function("__policyViolation", lambda text: found.append(text))
    page.add_init_script(REPORT_VIOLATIONS)

    def on_console(message):
        if any(text in message.text for text in POLICY_MESSAGES):
            found.append(f"console {message.type}: {message.text}")

    page.on("console", on_console)
    return found


def watched_page(browser, *, axe: bool = False):
    """A page in a fresh context (its own cookies) whose policy violations are
    collected in `page.policy_violations`. With `axe`, every document of the
    context starts with axe-core loaded: for a walk that checks every page, sending
    its 650 KB through the protocol once per page cost as much as running it
    (0.13-0.17 s against 0.02 s a page, measured on the home page at 320 px)."""
    context = browser.new_context(locale="vi-VN")
    if axe:
        context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.policy_violations = watch_policies(page)
    return page


@pytest.fixture
def page(browser, transactional_db):
    """A browser page; any Content-Security-Policy violation in it fails the test."""
    page = watched_page(browser)
    yield page
    page.context.close()
    assert page.policy_violations == [], "the page broke its own policy"


def serious_accessibility_violations(page) -> list[str]:
    """Run axe-core in the page; return the serious and critical violations."""
    # Evaluated, not added as a <script>: the page's policy refuses inline scripts,
    # and the protocol's evaluation is not the page's.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
