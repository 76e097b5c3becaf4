"""Request ids, structured logs and the worker's name: what operators read.

Every request gets an id: nginx's `X-Request-ID` (its `$request_id`, also in its
access log) when it sends a well-formed one, otherwise a new one. The id is kept in
a context variable for the request's duration, so every log line written while
handling it carries it (RequestIdFilter), the audit trail stores it
(units.audit.Origin.from_request), and the answer sends it back in `X-Request-ID`:
a person quoting it on the phone leads to the proxy's line, the worker's lines and
the audit event of what they did.
"""

import contextvars
import logging
import os
import re
import time
import uuid

from django.utils.deprecation import MiddlewareMixin

HEADER = "HTTP_X_REQUEST_ID"
# nginx's $request_id is 32 hex characters; accept any short token of safe
# characters, never one that could forge a log line or fill a column.
WELL_FORMED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default=""
)

access_log = logging.getLogger("thidua.access")


def worker_name() -> str:
    """The name this process gives itself in logs and metrics (WORKER_NAME or pid)."""
    return os.environ.get("WORKER_NAME") or f"pid{os.getpid()}"


def current_request_id() -> str:
    return _request_id.get()


def request_id_from(meta) -> str:
    given = meta.get(HEADER, "")
    return given if WELL_FORMED.match(given) else uuid.uuid4().hex


class RequestIdMiddleware(MiddlewareMixin):
    """Give the request its id, log one line when it is answered, count it.

    Outermost in MIDDLEWARE, so the line and the count cover every answer,
    redirects and refusals included. MiddlewareMixin: it runs in either mode,
    without an extra thread hop under ASGI.
    """

    def process_request(self, request):
        request.request_id = request_id_from(request.META)
        request._started = time.monotonic()
        request._request_id_token = _request_id.set(request.request_id)

    def process_response(self, request, response):
        request_id = getattr(request, "request_id", "")
        if request_id:
            response["X-Request-ID"] = request_id
        started = getattr(request, "_started", None)
        elapsed = time.monotonic() - started if started is not None else 0.0
        from . import metrics

        metrics.count_request(request.method, response.status_code, elapsed)
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
        token = getattr(request, "_request_id_token", None)
        if token is not None:
            try:
                _request_id.reset(token)
            except ValueError:  # reset in another context (thread hop): harmless
                _request_id.set("")
        return response


class RequestIdFilter(logging.Filter):
    """Add the current request id and the worker's name to every record."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        record.worker = worker_name()
        return True


def logging_config(*, level: str, fmt: str) -> dict:
    """Django's LOGGING: JSON lines (production) or plain text (a developer's)."""
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s "
            "%(request_id)s %(worker)s",
            "rename_fields": {"asctime": "time", "levelname": "level"},
            "timestamp": False,
        }
        if fmt == "json"
        else {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        }
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "units.observability.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            # daphne's own access lines duplicate ours, without the request id.
            "django.channels.server": {"level": "WARNING"},
            # One line per request is for production; tests and `make run` keep
            # their output readable unless asked (LOG_ACCESS=1).
            "thidua.access": {
                "level": "INFO"
                if os.environ.get("LOG_ACCESS", "1") == "1"
                else "WARNING"
            },
        },
    }
