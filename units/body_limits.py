"""Request body limits the application enforces itself, before a body is read.

Every path accepts at most REQUEST_MAX_BYTES unless its view declares its own limit
with `@body_limit(...)` (the forms that take files, the completion API). Under ASGI,
Django reads the whole body into a spooled file before any middleware or view runs,
so the limit is enforced in two places:

- `BodyLimitGuard`, an ASGI middleware around Django in config/asgi.py: a request
  whose Content-Length is over its path's limit reaches Django with an empty body and
  is never read; a body without Content-Length (chunked) is counted as Django reads it
  and cut at the limit. Either way the request is marked refused in its scope.
- `RefuseLargeBodies`, the innermost Django middleware: it answers a refused request
  (or, under WSGI, one whose Content-Length is over the limit) with 413 before any
  view or form touches the body: a readable page, or the API's JSON error.

The server in front matters too: stock daphne queues a whole body in memory before
the application runs (measured: +206 MB for a 200 MB POST answered 413 unread), so
production runs `python -m config.server`, daphne with a body cap and lazy reading.
"""

import asyncio
import math
from collections.abc import Callable

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, get_resolver, resolve
from django.utils.formats import number_format
from django.utils.translation import gettext as _

# The scope key that marks a request whose body was refused (set by BodyLimitGuard
# or by the server); its value is the number of bytes the body had (or claimed).
REFUSED = "thidua.body_refused"
# Multipart boundaries, headers and the form's other fields around the files.
FORM_OVERHEAD = 64 * 1024


def body_limit(max_bytes: int | Callable[[], int]):
    """Let a view accept bodies up to max_bytes (a number, or a callable read per request)."""

    def decorate(view):
        # Decorators applied on top copy __dict__ (functools.wraps), so the limit
        # stays visible on the function the URL conf holds.
        view.max_request_bytes = max_bytes
        return view

    return decorate


def _declared(view) -> int | None:
    limit = getattr(view, "max_request_bytes", None)
    return limit() if callable(limit) else limit


def limit_for(path_info: str) -> int:
    """The largest body the view at path_info accepts; the default for unknown paths."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return settings.REQUEST_MAX_BYTES
    declared = _declared(match.func)
    return settings.REQUEST_MAX_BYTES if declared is None else declared


def largest_limit() -> int:
    """The largest limit any view declares: the cap a server puts on every body."""
    limits = [settings.REQUEST_MAX_BYTES]
    pending = list(get_resolver().url_patterns)
    while pending:
        pattern = pending.pop()
        if hasattr(pattern, "url_patterns"):
            pending.extend(pattern.url_patterns)
        elif (declared := _declared(pattern.callback)) is not None:
            limits.append(declared)
    return max(limits)


def _content_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _path_info(scope) -> str:
    path, root = scope.get("path", "/"), scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


async def after_body(receive) -> dict:
    """The next message that is not part of the body (a disconnect, usually).

    Django listens for a disconnect once it has the body, and fails on any other
    message, so body messages the server queued after the end are skipped.
    """
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return message


async def _never() -> dict:
    # After a refused body Django only listens for a disconnect, and cancels that
    # once it has answered. Asking the server for more would read the rest of the
    # body (a server with flow control reads from the socket only when asked).
    await asyncio.Future()


class BodyLimitGuard:
    """ASGI middleware: a body over its path's limit reaches Django empty, marked refused."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = _content_length(scope)
        if REFUSED not in scope and length and length > limit_for(_path_info(scope)):
            scope[REFUSED] = length
        if REFUSED in scope:
            return await self.app(scope, self._empty(receive), send)
        if length is not None:
            # The server reads exactly Content-Length bytes: nothing to count.
            return await self.app(scope, receive, send)
        return await self.app(scope, self._counted(scope, receive), send)

    @staticmethod
    def _empty(receive):
        delivered = False

        async def empty():
            nonlocal delivered
            if delivered:
                return await _never()
            delivered = True
            return {"type": "http.request", "body": b"", "more_body": False}

        return empty

    @staticmethod
    def _counted(scope, receive):
        seen = 0
        limit = None
        cut = False

        async def counted():
            nonlocal seen, limit, cut
            if cut:
                return await _never()
            message = await receive()
            if message["type"] != "http.request":
                return message
            seen += len(message.get("body", b""))
            if seen:
                limit = limit if limit is not None else limit_for(_path_info(scope))
                if seen > limit:
                    # Stop here: Django gets the end of the body, the rest is
                    # skipped, and the view never runs.
                    scope[REFUSED] = seen
                    cut = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        return counted


def too_large(request, limit: int):
    """The 413 answer: the API's JSON error under /api/, a page that says what to do."""
    # Shown to a tenth of a megabyte, rounded down: 2.5 MB, 20 MB (not 20.1 with
    # the form's overhead).
    tenths = math.floor(limit / 2**20 * 10)
    size = _("%(size)s MB") % {
        "size": tenths // 10 if tenths % 10 == 0 else number_format(tenths / 10, 1)
    }
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {
                "error": "too_large",
                "message": _(
                    "The body is larger than %(size)s; send less in one request."
                )
                % {"size": size},
            },
            status=413,
        )
    return render(request, "errors/413.html", {"size": size}, status=413)


class RefuseLargeBodies:
    """Django middleware, the innermost: answer 413 before any view reads the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        scope = getattr(request, "scope", None) or {}
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if REFUSED in scope or length:
            limit = limit_for(request.path_info)
            if REFUSED in scope or length > limit:
                return too_large(request, limit)
        return self.get_response(request)
