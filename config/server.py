"""daphne with a cap on request bodies and a body handed to the application lazily.

Run it exactly like daphne: `python -m config.server [daphne options] config.asgi:application`.

Stock daphne (4.2) receives a whole body into a temporary file, then, before the
application runs, copies all of it into an unbounded in-memory queue of 8 KB
messages: a 200 MB POST raised a worker's peak memory by 206 MB even when the
application answered 413 without reading a byte. Before that, Twisted parses a
multipart body into memory for an API daphne does not use. This server changes
three things:

- Twisted does not parse form bodies (Django does, streaming to temporary files).

- A body over the largest limit any view declares (units/body_limits.py) is not kept:
  a Content-Length over it, or a chunked body once it passes it, is read and
  thrown away as it arrives (the browser then gets the readable 413 page instead of
  a reset connection), and the request reaches the application marked refused.
  Past eight times the cap the connection is closed: nobody honest sends that.
- A body within the cap stays in daphne's temporary file and the application reads
  it from there 64 KB at a time as Django asks for it; daphne's queue only carries
  the end-of-body message.

With thousands of board sockets open it also encodes and frames a frame written to
all of them once and hands it straight to each socket (SharedFrameProtocol), and
keeps the garbage collector's full collections rare (config/collector.py: each took
0.4 s in the middle of a frame).
"""

import sys

from daphne import http_protocol, ws_protocol
from daphne.cli import CommandLineInterface
from daphne.server import Server
from twisted.internet import tcp

from config.collector import keep_full_collections_rare
from units.body_limits import REFUSED, after_body, largest_limit

CHUNK = 64 * 1024
# Bodies past this many caps are cut off without an answer.
ABORT_FACTOR = 8


class _Discard:
    """A body sink that keeps nothing."""

    closed = False

    def write(self, data):
        pass

    def read(self, size=-1):
        return b""

    def seek(self, *args):
        return 0

    def tell(self):
        return 0

    def close(self):
        self.closed = True


class CappedRequest(http_protocol.WebRequest):
    """daphne's request that keeps no body over the cap and hands its body over lazily."""

    body_cap = None  # set on the class by CappedCommandLine

    def __init__(self, *args, **kwargs):
        # Twisted parses a multipart POST into memory for request.args (the whole
        # body read at once, then copied by the email parser), which daphne never
        # uses: that, not Django, took a worker from 283 MB to 2.1 GB for twenty
        # 9.5 MB files.
        super().__init__(*args, parsePOSTFormSubmission=False, **kwargs)

    def gotLength(self, length):
        self.body_seen = 0
        self.body_refused = None
        self.spooled_body = None
        if length is not None and length > self.body_cap:
            self.body_refused = length
            self.content = _Discard()
            return
        super().gotLength(length)

    def handleContentChunk(self, data):
        self.body_seen += len(data)
        if self.body_refused is None and self.body_seen > self.body_cap:
            self.body_refused = self.body_seen
            self.content.close()
            self.content = _Discard()
        if self.body_seen > ABORT_FACTOR * self.body_cap:
            self.channel.transport.abortConnection()
            return
        self.content.write(data)

    def process(self):
        # A WebSocket handshake re-reads content after the upgrade: leave it be.
        if self.body_refused is None and not self.requestHeaders.hasHeader(b"upgrade"):
            self.content.seek(0, 0)
            self.spooled_body, self.content = self.content, _Discard()
        return super().process()

    def connectionLost(self, reason):
        self._close_spooled()
        super().connectionLost(reason)

    def finish(self):
        self._close_spooled()
        return super().finish()

    def _close_spooled(self):
        spooled = getattr(self, "spooled_body", None)
        if spooled is not None:
            spooled.close()


class _LazyBody:
    """ASGI wrapper: the body of a CappedRequest, read from its file on demand."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        spooled = scope.pop("thidua.spooled_body", None)
        if spooled is None:
            return await self.app(scope, receive, send)
        done = False

        async def read_spooled():
            nonlocal done
            if done:
                return await after_body(receive)
            if spooled.closed:
                # The client left while Django was reading: never hand on a
                # truncated body as if it were whole.
                done = True
                return {"type": "http.disconnect"}
            chunk = spooled.read(CHUNK)
            if len(chunk) < CHUNK:
                done = True
                # daphne queued one empty end-of-body message: skip it, so that
                # the next receive() is the disconnect Django listens for.
                return {"type": "http.request", "body": chunk, "more_body": False}
            return {"type": "http.request", "body": chunk, "more_body": True}

        return await self.app(scope, read_spooled, send)


def text_frame(payload: bytes) -> bytes:
    """A whole, unmasked WebSocket text frame (RFC 6455 5.2), as a server sends it."""
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload


def write_now(transport, data: bytes) -> bool:
    """Send `data` on a plain TCP transport with nothing waiting before it, now.

    Twisted's write() only buffers and asks the reactor to say when the socket is
    writable: on the asyncio reactor an add_writer and a remove_writer (two
    epoll_ctl and their bookkeeping) around every frame, half of a worker's time
    writing a frame to 5,000 sockets (py-spy). A socket with room takes the frame
    at once; what it does not take goes to Twisted's buffer as before. False (and
    nothing sent) where this does not apply: TLS, data already queued, closing,
    a failed send (Twisted's own path then meets the error and closes)."""
    if (
        not isinstance(transport, tcp.Connection)
        or transport.TLS
        or not transport.connected
        or transport.disconnecting
        or transport._writeDisconnected
        or transport._tempDataLen
        or transport.offset != len(transport.dataBuffer)
    ):
        return False
    sent = transport.writeSomeData(data)
    if isinstance(sent, Exception) or sent < 0:
        return False
    if sent < len(data):
        transport.write(data[sent:])
    return True


class SharedFrameProtocol(ws_protocol.WebSocketProtocol):
    """daphne's WebSocket protocol, for a frame written to thousands of sockets.

    The boards' hub writes one frame (the same string) to every socket watching a
    board. daphne encoded it to UTF-8 again for each (9% of a worker's samples while
    it wrote a 6 KB frame to 5,000 sockets) and autobahn framed it again for each;
    the last string sent, its bytes and its whole frame are kept (held, so that the
    identity test cannot be fooled by a new string at a freed address), and the
    frame goes straight to the socket when it can (write_now)."""

    last_text: str | None = None
    last_payload = b""
    last_frame = b""

    def serverSend(self, content, binary=False):
        if binary:
            return super().serverSend(content, binary)
        cls = SharedFrameProtocol
        if content is not cls.last_text:
            payload = content.encode("utf8")
            cls.last_text, cls.last_payload = content, payload
            cls.last_frame = text_frame(payload)
        if self.state == self.STATE_CONNECTING:
            self.serverAccept()
        if self.state != self.STATE_OPEN:
            return  # closing or closed: autobahn's sendMessage drops it too
        if not write_now(self.transport, cls.last_frame):
            self.sendMessage(cls.last_payload, False)


class CappedServer(Server):
    def __init__(self, application, **kwargs):
        super().__init__(application=_LazyBody(application), **kwargs)

    def run(self):
        from twisted.internet import reactor

        keep_full_collections_rare(reactor)
        super().run()

    def create_application(self, protocol, scope):
        if scope.get("type") == "http":
            if getattr(protocol, "body_refused", None) is not None:
                scope[REFUSED] = protocol.body_refused
            elif getattr(protocol, "spooled_body", None) is not None:
                scope["thidua.spooled_body"] = protocol.spooled_body
        return super().create_application(protocol, scope)


class CappedCommandLine(CommandLineInterface):
    server_class = CappedServer

    def load_asgi_app(self, asgi_app_path):
        application = super().load_asgi_app(asgi_app_path)
        # Django is set up now (the application module did it): the URL conf
        # knows every view's limit.
        CappedRequest.body_cap = largest_limit()
        return application


def main(argv=None):
    # daphne builds its request class by module-level name when a connection
    # opens; it offers no option for it.
    http_protocol.WebRequest = CappedRequest
    ws_protocol.WebSocketFactory.protocol = SharedFrameProtocol
    CappedCommandLine().run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
