"""Requests through the real ASGI application (the body guard, then Django) in this process.

Called from a synchronous test, async_to_sync runs Django's synchronous parts in the
test's own thread, so they see its database transaction.
"""

import asyncio

from asgiref.sync import async_to_sync
from django.core import signals
from django.db import close_old_connections

from config.asgi import application


class Exchange:
    """One request through the ASGI application, its body given as chunks."""

    def __init__(self, path, *, chunks=(b"",), headers=(), method="POST"):
        self.path = path
        self.method = method
        self.chunks = list(chunks)
        self.headers = [(b"host", b"testserver"), *headers]
        self.body_messages_read = 0
        self.status = None
        self.response_headers = {}
        self.body = b""
        # As Django's own test clients do: the end of a request must not close the
        # test's database connection.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            async_to_sync(self._run)()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)

    async def _run(self):
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": self.method,
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": self.headers,
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        pending = list(self.chunks)

        async def receive():
            if pending:
                chunk = pending.pop(0)
                self.body_messages_read += 1
                return {
                    "type": "http.request",
                    "body": chunk,
                    "more_body": bool(pending),
                }
            await asyncio.sleep(3600)  # the client stays; Django cancels this

        async def send(message):
            if message["type"] == "http.response.start":
                self.status = message["status"]
                self.response_headers = {
                    name.decode(): value.decode() for name, value in message["headers"]
                }
            elif message["type"] == "http.response.body":
                self.body += message.get("body", b"")

        await application(scope, receive, send)

    @property
    def text(self) -> str:
        return self.body.decode()
