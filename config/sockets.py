"""The WebSocket answer for an address no route serves."""

import json

from channels.generic.websocket import AsyncWebsocketConsumer


class NoSuchSocket(AsyncWebsocketConsumer):
    """Channels' URLRouter raises on an address no route matches, and daphne then
    answers the handshake with a 500 and logs an error: a mistyped board link
    (`/ws/leaderboards//`) looked like a server fault. Like an unknown board, it is
    now accepted, told why and closed with 4404, which board.js does not retry."""

    async def connect(self):
        await self.accept()
        await self.send(text_data=json.dumps({"type": "error", "code": "unknown_path"}))
        await self.close(code=4404)
