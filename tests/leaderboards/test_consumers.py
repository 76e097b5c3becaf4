"""The live board socket, through the real ASGI application (origin check included)."""

import asyncio
import contextlib
import functools
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from competitions import services
from config.asgi import application
from leaderboards.boards import Board
from leaderboards.hub import HUB
from tests.competitions.conftest import TEST_ORIGIN, make_submission, noisy_photo

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://127.0.0.1")


def communicator(name, *, headers=(ORIGIN,), client=("203.0.113.9", 5000)):
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


@pytest.mark.parametrize(
    "headers",
    [
        (),
        ((b"origin", b"https://evil.example"),),
        ((b"origin", b"http://127.0.0.1.evil.example"),),
        ((b"origin", b"null"),),
    ],
)
async def test_refuses_foreign_or_missing_origins(board_name, headers):
    socket = communicator(board_name, headers=headers)

    connected, _ = await socket.connect()

    assert not connected


async def test_an_unknown_board_is_closed_with_a_reason(db):
    socket = communicator("999-999-village-week-points")

    await socket.connect()
    message = json.loads(await socket.receive_from())
    closed = await socket.receive_output()

    assert message == {"type": "error", "code": "unknown_board"}
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

    await approve_all(await prepare(3))
    frames = []
    # receive_nothing waits without cancelling the consumer, unlike a timed-out receive.
    while not await socket.receive_nothing(timeout=1.5):
        frames.append(json.loads(await socket.receive_from()))

    assert 1 <= len(frames) <= 2  # three awards, at most two frames (≤ 2 per second)
    last = frames[-1]
    assert last["type"] == "update"
    assert (
        last["rows"][0]["key"] == f"u{tree['ho_lien'].pk}"
        and last["rows"][0]["value"] == 22 + 24 + 26
    )
    await socket.disconnect()
