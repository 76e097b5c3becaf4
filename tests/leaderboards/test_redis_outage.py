"""A real redis-server stopped in the middle: awards go on, boards catch up after."""

import json
import shutil
import socket
import subprocess
import time

import pytest
from django.utils import timezone

from competitions import services
from competitions.models import PointEntry
from leaderboards import projector, stores
from leaderboards.boards import Board
from leaderboards.hub import HUB
from tests.competitions.conftest import TEST_ORIGIN, make_submission, noisy_photo

pytestmark = pytest.mark.services


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server of this test's own, so that stopping it harms nobody else."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.kill()
        self.process.wait()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def own_redis(tmp_path, settings):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: `make test` installs it")
    server = OwnRedis(tmp_path)
    server.start()
    settings.REDIS_URL = server.url
    stores.reset_store()
    yield server
    if server.process.poll() is None:
        server.stop()
    stores.reset_store()


def test_awards_succeed_while_redis_is_down_and_boards_catch_up(
    own_redis,
    tree,
    officer,
    reviewer,
    competition,
    community_class,
    today,
    django_capture_on_commit_callbacks,
):
    submissions = [
        make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
            on=today,
            quantity=n + 1,
            photo=noisy_photo(n),
        )
        for n in range(6)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_submission(
            submission=submissions[0],
            reviewer=reviewer,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )
    assert not PointEntry.objects.unprojected().exists()

    own_redis.stop()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        for submission in submissions[1:]:
            services.approve_submission(
                submission=submission,
                reviewer=reviewer,
                at=timezone.now(),
                origin=TEST_ORIGIN,
            )
    outage_seconds = time.monotonic() - started

    assert PointEntry.objects.count() == 6  # every award committed
    assert PointEntry.objects.unprojected().count() == 5  # and waits for the boards
    # Not a timing assertion of speed, a guard against hanging: redis-py's default
    # client would retry for seconds per call here.
    assert outage_seconds < 5

    own_redis.start()
    stores.get_store().breaker.reset()
    projector.catch_up()

    assert not PointEntry.objects.unprojected().exists()
    assert projector.reconcile().mismatches == []


def test_a_rebuild_waits_for_redis_and_changes_nothing_while_it_is_down(
    own_redis, tree, officer, reviewer, competition, community_class
):
    own_redis.stop()

    with pytest.raises(stores.StoreUnavailable):
        projector.rebuild()

    assert not PointEntry.objects.projected().exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_socket_opened_while_redis_is_down_is_refused_and_frees_its_slot(
    own_redis, tree, competition
):
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    name = Board(competition.pk, tree["province"].pk, "village").name
    own_redis.stop()
    socket = WebsocketCommunicator(
        application,
        f"/ws/leaderboards/{name}/",
        headers=[(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")],
    )
    socket.scope["client"] = ("203.0.113.7", 5000)

    await socket.connect()
    message = json.loads(await socket.receive_from())
    closed = await socket.receive_output()

    assert message == {"type": "error", "code": "store_unavailable"}
    assert closed == {"type": "websocket.close", "code": 4503}
    assert "203.0.113.7" not in HUB.by_address
