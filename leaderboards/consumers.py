"""The live board socket: a snapshot on connect, then coalesced updates."""

import json
import logging

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer

from .boards import Board, UnknownBoard
from .hub import HUB
from .selectors import cached_snapshot, recent_snapshot, resolve, resolved_if_cached
from .stores import StoreUnavailable

logger = logging.getLogger(__name__)

MAX_CLIENT_MESSAGE = 256  # clients only ever say "ping"


def _read_snapshot(board: Board) -> dict:
    """Check the board exists, then its recent snapshot (one thread hop for both)."""
    resolve(board)
    return recent_snapshot(board)


class BoardConsumer(AsyncWebsocketConsumer):
    # No channel layer: updates come through the worker's hub. With one, every
    # socket would open its own Redis subscription on connect, and a reconnect storm
    # of thousands of phones fails in the layer before the socket is accepted.
    channel_layer_alias = "board-sockets-use-the-hub"
    board_name = None
    address = None

    async def dispatch(self, message):
        # Channels closes stale database connections before every handler, by a hop
        # to the worker's one sync thread. Every connect and disconnect of a
        # reconnect storm then queues there for the GIL (up to 5 ms a turn while the
        # loop is busy) and handshakes pass daphne's 5 s timeout. This consumer
        # reads the database only through database_sync_to_async, which closes
        # stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message):
        # As the base class, without its hop to close connections (see dispatch).
        await self.disconnect(message["code"])
        raise StopConsumer()

    async def connect(self):
        await self.accept()
        # Accept first, then refuse with a reason the page can show: a close before
        # accept reaches the browser as a bare 403 with no code.
        client = self.scope.get("client") or ("unknown", 0)
        address = client[0]
        if not HUB.admit(address):
            await self._refuse(4429, "too_many_connections")
            return
        self.address = address
        try:
            board = Board.parse(self.scope["url_route"]["kwargs"]["board"])
            snapshot = await self._snapshot(board)
        except UnknownBoard:
            await self._refuse(4404, "unknown_board")
            return
        except StoreUnavailable:
            # The page shows "reconnecting" and board.js retries with backoff; the
            # address's slot is given back, or phones behind one carrier NAT would
            # use up the cap while Redis is away.
            await self._refuse(4503, "store_unavailable")
            return
        except Exception:
            logger.exception("board socket could not start")
            await self._refuse(4500, "internal_error")
            return
        self.board_name = board.name
        await self.send_frame(HUB.snapshot_frame(snapshot))
        HUB.subscribe(board.name, self)

    async def _snapshot(self, board: Board) -> dict:
        # A crowd connecting at once is served from the per-process caches without
        # leaving the event loop; only a miss goes to a thread (off the worker's
        # one sync thread, so it does not queue behind page views).
        if resolved_if_cached(board) is not None:
            snapshot = cached_snapshot(board)
            if snapshot is not None:
                return snapshot
        read = database_sync_to_async(_read_snapshot, thread_sensitive=False)
        return await read(board)

    async def _refuse(self, code: int, reason: str):
        self._leave()
        await self.send(text_data=json.dumps({"type": "error", "code": reason}))
        await self.close(code=code)

    def _leave(self):
        if self.board_name:
            HUB.unsubscribe(self.board_name, self)
            self.board_name = None
        if self.address is not None:
            HUB.release(self.address)
            self.address = None

    async def disconnect(self, code):
        self._leave()

    async def receive(self, text_data=None, bytes_data=None):
        if (
            bytes_data is not None
            or text_data is None
            or len(text_data) > MAX_CLIENT_MESSAGE
        ):
            await self._refuse(4400, "unexpected_message")
            return
        if text_data.strip() in ("ping", '{"type":"ping"}', '{"type": "ping"}'):
            await self.send(text_data='{"type":"pong"}')
            return
        await self._refuse(4400, "unexpected_message")

    async def send_frame(self, frame: str):
        await self.send(text_data=frame)
