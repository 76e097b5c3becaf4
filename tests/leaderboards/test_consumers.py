"""The live board socket, through the real ASGI application (origin check included)."""

import asyncio
import contextlib
import functools
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from competitions import services
from config.asgi import application
from leaderboards.boards import Board
from leaderboards.hub import HUB, MIN_INTERVAL
from tests.competitions.conftest import TEST_ORIGIN, make_submission, noisy_photo

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

# What a browser on http://127.0.0.1/ sends with its handshake.
ORIGIN = (b"origin", b"http://127.0.0.1")
HOST = (b"host", b"127.0.0.1")


def communicator(name, *, headers=(HOST, ORIGIN), client=("203.0.113.9", 5000)):
    socket = WebsocketCommunicator(
        application, f"/ws/leaderboards/{name}/", headers=list(headers)
    )
    socket.scope["client"] = client
    return socket


@pytest.fixture
def board_name(tree, competition):
    return Board(competition.pk, tree["province"].pk, "village").name


async def test_sends_a_snapshot_on_connect(board_name):
    socket = communicator(board_name)

    connected, _ = await socket.connect()
    message = json.loads(await socket.receive_from())

    assert connected
    assert (
        message["type"] == "snapshot"
        and message["board"] == board_name
        and message["rows"] == []
    )
    await socket.disconnect()


@contextlib.asynccontextmanager
async def threads_held(*, pool: bool):
    """Keep the worker's one sync thread busy (a slow page view), and with `pool` the
    thread pool of the event loop too."""
    release = threading.Event()
    # Held for 3 s at most: a consumer that does wait for them then fails its
    # timeout instead of hanging the test run.
    hold = functools.partial(release.wait, 3)
    held = [asyncio.ensure_future(sync_to_async(hold)())]
    executor = None
    if pool:
        executor = ThreadPoolExecutor(max_workers=1)
        loop = asyncio.get_running_loop()
        loop.set_default_executor(executor)
        held.append(loop.run_in_executor(None, hold))
    await asyncio.sleep(0.05)  # the blockers hold their threads
    try:
        yield
    finally:
        release.set()
        await asyncio.gather(*held)
        if executor is not None:
            executor.shutdown()


async def test_a_busy_sync_thread_does_not_hold_up_sockets(board_name):
    async with threads_held(pool=False):
        socket = communicator(board_name)

        connected, _ = await socket.connect(timeout=2)
        message = json.loads(await socket.receive_from(timeout=2))
        await socket.disconnect(timeout=2)

    assert connected and message["type"] == "snapshot"


async def test_a_crowd_on_a_warm_board_is_served_without_threads(board_name):
    first = communicator(board_name)
    await first.connect()
    warm = await first.receive_from()

    async with threads_held(pool=True):
        crowd = [
            communicator(board_name, client=(f"198.51.100.{n}", 1)) for n in (1, 2)
        ]
        frames = []
        for socket in crowd:
            await socket.connect(timeout=1)
            frames.append(await socket.receive_from(timeout=1))
        for socket in (first, *crowd):
            await socket.disconnect(timeout=1)

    assert frames == [warm, warm]  # the same snapshot, encoded once


async def accepted(board_name, *headers) -> bool:
    socket = communicator(board_name, headers=headers)
    connected, _ = await socket.connect()
    if connected:
        await socket.disconnect()
    return connected


class TestOrigin:
    """A page may open a board socket only from this site's scheme, host and port."""

    @pytest.mark.parametrize(
        "host, origin",
        [
            (b"127.0.0.1", b"http://127.0.0.1"),
            (b"127.0.0.1:8000", b"http://127.0.0.1:8000"),
            (b"localhost:8000", b"http://LOCALHOST:8000"),
            (b"[::1]:8000", b"http://[::1]:8000"),
        ],
    )
    async def test_accepts_the_sites_own_origin(self, board_name, host, origin):
        assert await accepted(board_name, (b"host", host), (b"origin", origin))

    @pytest.mark.parametrize(
        "origin",
        [
            pytest.param(b"http://127.0.0.1:1234", id="another port"),
            pytest.param(b"http://127.0.0.1:80", id="port 80 against 8000"),
            pytest.param(b"https://127.0.0.1:8000", id="another scheme"),
            pytest.param(b"ws://127.0.0.1:8000", id="not a page's scheme"),
            pytest.param(b"http://localhost:8000", id="another allowed host"),
            pytest.param(b"https://evil.example", id="another site"),
            pytest.param(b"http://127.0.0.1.evil.example:8000", id="look-alike"),
            pytest.param(b"null", id="null"),
            pytest.param(b"http://127.0.0.1:8000/path", id="not an origin"),
            pytest.param(b"http://127.0.0.1:99999", id="no such port"),
        ],
    )
    async def test_refuses_any_other_origin(self, board_name, origin):
        assert not await accepted(
            board_name, (b"host", b"127.0.0.1:8000"), (b"origin", origin)
        )

    @pytest.mark.parametrize(
        "headers",
        [
            pytest.param(((b"host", b"127.0.0.1:8000"),), id="no Origin"),
            pytest.param(((b"origin", b"http://127.0.0.1:8000"),), id="no Host"),
            pytest.param(
                (
                    (b"host", b"evil.example:8000"),
                    (b"origin", b"http://evil.example:8000"),
                ),
                id="a Host not in ALLOWED_HOSTS",
            ),
            pytest.param(
                (
                    (b"host", b"127.0.0.1:8000"),
                    (b"origin", b"http://127.0.0.1:8000"),
                    (b"origin", b"https://evil.example"),
                ),
                id="two Origins",
            ),
        ],
    )
    async def test_refuses_a_handshake_without_a_clear_origin_and_host(
        self, board_name, headers
    ):
        assert not await accepted(board_name, *headers)

    async def test_behind_a_tls_proxy_the_https_page_is_the_sites_own(
        self, board_name, settings
    ):
        # daphne puts no scheme in the scope: nginx's X-Forwarded-Proto says it,
        # trusted as for HTTP pages (SECURE_PROXY_SSL_HEADER, set when DEBUG=0).
        settings.ALLOWED_HOSTS = ["thiduaso.example.gov.vn"]
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        host = (b"host", b"thiduaso.example.gov.vn")
        https = (b"origin", b"https://thiduaso.example.gov.vn")
        proxied = (b"x-forwarded-proto", b"https")

        assert await accepted(board_name, host, https, proxied)
        assert not await accepted(board_name, host, https)
        assert not await accepted(
            board_name, host, (b"origin", b"http://thiduaso.example.gov.vn"), proxied
        )
        settings.SECURE_PROXY_SSL_HEADER = None
        assert not await accepted(board_name, host, https, proxied)

    async def test_accepts_csrf_trusted_origins_and_only_them(
        self, board_name, settings
    ):
        settings.CSRF_TRUSTED_ORIGINS = [
            "https://thiduaso.example.gov.vn",
            "https://*.hai-phong.example.vn",
        ]
        host = (b"host", b"127.0.0.1:8000")

        for origin, allowed in [
            (b"https://thiduaso.example.gov.vn", True),
            (b"https://thiduaso.example.gov.vn:443", True),
            (b"https://bang.hai-phong.example.vn", True),
            (b"https://thiduaso.example.gov.vn:8443", False),
            (b"http://thiduaso.example.gov.vn", False),
            (b"http://bang.hai-phong.example.vn", False),
            (b"https://hai-phong.example.vn.evil.example", False),
        ]:
            assert await accepted(board_name, host, (b"origin", origin)) is allowed, (
                origin
            )


async def test_an_unknown_board_is_closed_with_a_reason(db):
    socket = communicator("999-999-village-week-points")

    await socket.connect()
    message = json.loads(await socket.receive_from())
    closed = await socket.receive_output()

    assert message == {"type": "error", "code": "unknown_board"}
    assert closed == {"type": "websocket.close", "code": 4404}


@pytest.mark.parametrize(
    "path", ["/ws/leaderboards//", "/ws/leaderboards/a/b/", "/ws/", "/ws/nothing/"]
)
async def test_an_address_no_route_serves_is_closed_with_a_reason(db, path):
    """Not a 500 from daphne: told why and closed with the unknown board's code."""
    socket = WebsocketCommunicator(application, path, headers=[HOST, ORIGIN])

    connected, _ = await socket.connect()
    message = json.loads(await socket.receive_from())
    closed = await socket.receive_output()

    assert connected
    assert message == {"type": "error", "code": "unknown_path"}
    assert closed == {"type": "websocket.close", "code": 4404}


async def test_a_client_sending_garbage_is_closed(board_name):
    socket = communicator(board_name)
    await socket.connect()
    await socket.receive_from()

    await socket.send_to(text_data="x" * 10_000)
    error = json.loads(await socket.receive_from())
    closed = await socket.receive_output()

    assert error["code"] == "unexpected_message" and closed["code"] == 4400
    await socket.disconnect()


async def test_ping_is_answered(board_name):
    socket = communicator(board_name)
    await socket.connect()
    await socket.receive_from()

    await socket.send_to(text_data="ping")

    assert json.loads(await socket.receive_from()) == {"type": "pong"}
    await socket.disconnect()


async def test_one_address_may_not_open_too_many_sockets(board_name, settings):
    settings.WS_MAX_PER_ADDRESS = 2
    sockets = [communicator(board_name) for _ in range(3)]
    for socket in sockets[:2]:
        await socket.connect()
        await socket.receive_from()

    await sockets[2].connect()
    refused = json.loads(await sockets[2].receive_from())

    assert refused["code"] == "too_many_connections"
    assert (await sockets[2].receive_output())["code"] == 4429
    # Another address is still welcome.
    other = communicator(board_name, client=("198.51.100.4", 1))
    assert (await other.connect())[0]
    for socket in (*sockets[:2], other):
        await socket.disconnect()
    assert HUB.by_address == {}


async def test_awards_arrive_as_coalesced_updates(
    board_name, tree, officer, reviewer, competition, community_class, settings
):
    socket = communicator(board_name)
    await socket.connect()
    await socket.receive_from()

    @database_sync_to_async
    def prepare(count):
        return [
            make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=community_class,
                quantity=n + 1,
                photo=noisy_photo(n),
            )
            for n in range(count)
        ]

    @database_sync_to_async
    def approve_all(submissions):
        # Approvals only (the photos were processed before): a burst well inside
        # one coalescing window.
        for submission in submissions:
            services.approve_submission(
                submission=submission,
                reviewer=reviewer,
                at=timezone.now(),
                origin=TEST_ORIGIN,
            )

    submissions = await prepare(3)
    started = time.monotonic()
    await approve_all(submissions)
    approving = time.monotonic() - started
    frames = []
    # receive_nothing waits without cancelling the consumer, unlike a timed-out receive.
    while not await socket.receive_nothing(timeout=1.5):
        frames.append(json.loads(await socket.receive_from()))

    # Three awards: the first frame at once, then at most one per MIN_INTERVAL while
    # they last and one trailing frame. On an idle machine the burst fits in one
    # window (two frames); a loaded one spreads it, and the rule is the same.
    assert 1 <= len(frames) <= 2 + int(approving / MIN_INTERVAL), (
        len(frames),
        approving,
    )
    last = frames[-1]
    assert last["type"] == "update"
    assert (
        last["rows"][0]["key"] == f"u{tree['ho_lien'].pk}"
        and last["rows"][0]["value"] == 22 + 24 + 26
    )
    await socket.disconnect()
