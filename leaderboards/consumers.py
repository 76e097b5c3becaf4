"""The live board socket: a snapshot on connect, then coalesced updates."""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from .boards import Board, UnknownBoard
from .hub import HUB
from .selectors import recent_snapshot, resolve

MAX_CLIENT_MESSAGE = 256  # clients only ever say "ping"


class BoardConsumer(AsyncWebsocketConsumer):
    # No channel layer: updates come through the worker's hub. With one, every
    # socket would open its own Redis subscription on connect, and a reconnect storm
    # of thousands of phones fails in the layer before the socket is accepted.
    channel_layer_alias = "board-sockets-use-the-hub"
    board_name = None
    address = None

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
            # Off the worker's one sync thread: thousands of phones connecting at
            # once must not queue behind each other (both reads are cached anyway).
            await database_sync_to_async(resolve, thread_sensitive=False)(board)
            read = database_sync_to_async(recent_snapshot, thread_sensitive=False)
            snapshot = await read(board)
        except UnknownBoard:
            await self._refuse(4404, "unknown_board")
            return
        self.board_name = board.name
        await self.send_frame(
            json.dumps({"type": "snapshot", **snapshot}, ensure_ascii=False)
        )
        HUB.subscribe(board.name, self)

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
