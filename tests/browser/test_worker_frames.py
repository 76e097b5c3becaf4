"""The frames of the production server (config.server), read off its sockets.

The server encodes and frames a frame written to many sockets once and writes it to
each socket directly (SharedFrameProtocol): every socket must still get each frame
whole, in UTF-8, a new frame must never go out as the bytes of the one before, and
the frame must be one any WebSocket client reads. Its collector freezes what
survives and collects everything every ten minutes (config/collector.py): frozen
garbage must be found.
"""

import contextlib
import gc
import json
import weakref

import pytest
from django.utils import timezone
from twisted.internet import task
from twisted.internet.testing import StringTransport
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader
from websockets.sync.client import connect

from competitions import services
from config.collector import FREEZE_SECONDS, FULL_SECONDS, keep_full_collections_rare
from config.server import text_frame, write_now
from leaderboards.boards import Board
from leaderboards.selectors import board_snapshot
from tests.competitions.conftest import TEST_ORIGIN, make_submission, noisy_photo


def test_every_socket_gets_each_new_frame_whole(
    live_asgi,
    transactional_db,
    tree,
    officer,
    reviewer,
    competition,
    community_class,
):
    board = Board(competition.pk, tree["province"].pk, "village")
    url = live_asgi.replace("http://", "ws://") + f"/ws/leaderboards/{board.name}/"
    with contextlib.ExitStack() as stack:
        sockets = [
            stack.enter_context(connect(url, origin=live_asgi)) for _ in range(3)
        ]
        for socket in sockets:
            assert json.loads(socket.recv(timeout=10))["type"] == "snapshot"

        seen = []
        for quantity in (1, 2):
            submission = make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=community_class,
                quantity=quantity,
                photo=noisy_photo(quantity),
            )
            services.approve_submission(
                submission=submission,
                reviewer=reviewer,
                at=timezone.now(),
                origin=TEST_ORIGIN,
            )
            texts = [socket.recv(timeout=10) for socket in sockets]
            frames = [json.loads(text) for text in texts]

            assert len(set(texts)) == 1, "every socket gets the same frame"
            assert frames[0]["type"] == "update"
            assert frames[0]["rows"] == board_snapshot(board)["rows"]
            assert frames[0]["rows"][0]["name"] == "Thôn Hồ Liễn"
            seen.append(frames[0])

        assert seen[0]["rows"] != seen[1]["rows"], "the second award's frame is new"


class Node:
    pass


def test_frozen_garbage_is_collected_by_the_full_collection():
    clock = task.Clock()
    calls = keep_full_collections_rare(clock)
    try:
        cycle = Node()
        cycle.itself = cycle  # freed only by the collector, never by reference counts
        alive = weakref.ref(cycle)
        clock.advance(FREEZE_SECONDS)
        assert gc.get_freeze_count() > 0

        del cycle
        gc.collect()
        assert alive() is not None, "frozen: the automatic collections skip it"

        clock.advance(FULL_SECONDS - FREEZE_SECONDS)
        assert alive() is None, "the full collection every ten minutes finds it"
        assert gc.get_freeze_count() > 0, "and freezes the survivors again"
    finally:
        for call in calls:
            call.stop()
        gc.unfreeze()


@pytest.mark.parametrize("size", [0, 125, 126, 6_000, 65_535, 65_536, 200_000])
def test_a_shared_frame_is_what_a_websocket_client_reads(size):
    """The frame the server writes itself, read back by another library's parser
    (websockets), at each of the three length encodings and their edges."""
    payload = ("Thôn Hồ Liễn " * (size // 10 + 1)).encode()[:size]
    reader = StreamReader()
    reader.feed_data(text_frame(payload))
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=False, max_size=None)
    with pytest.raises(StopIteration) as done:
        next(parser)
    frame = done.value.value
    assert frame.opcode is Opcode.TEXT and frame.fin
    assert frame.data == payload


def test_the_direct_write_leaves_a_transport_it_cannot_use_to_twisted():
    """Anything but a plain TCP connection (TLS, a test transport) keeps Twisted's
    own write path: nothing is sent by write_now."""
    transport = StringTransport()
    assert write_now(transport, text_frame(b"{}")) is False
    assert transport.value() == b""
