"""Which page may open a WebSocket here: its scheme, host and port, not its host alone.

A browser sends its cookies with a WebSocket handshake whatever page opens it, so the
Origin header is the only thing that tells our pages from someone else's. Channels'
AllowedHostsOriginValidator compares the Origin's host with ALLOWED_HOSTS and ignores
the port and scheme: any program listening on another port of an allowed host
(`http://localhost:1234`) passed. Here an Origin must be this site's own address as
the handshake reached it (scheme, the Host header, which must be in ALLOWED_HOSTS,
and port), or one of CSRF_TRUSTED_ORIGINS: the rule Django's CSRF check applies to
forms.

A handshake without an Origin is refused as well: every browser sends one, and other
clients (the benchmark, a script) can send the site's address.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import is_same_domain, split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(value: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin such as `https://example.vn:8443`, or None."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if (
        scheme not in DEFAULT_PORTS
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def _headers(scope) -> dict[bytes, str]:
    # A repeated Origin or Host is refused below: which one would a proxy have used?
    seen: dict[bytes, list[str]] = {}
    for name, value in scope.get("headers", ()):
        seen.setdefault(name.lower(), []).append(value.decode("latin-1"))
    return {name: values[0] for name, values in seen.items() if len(values) == 1}


def _is_secure(scope, headers: dict[bytes, str]) -> bool:
    """Whether the browser came over TLS, as Django's request.is_secure() decides.

    daphne puts no scheme in a WebSocket scope, and behind nginx the socket reaches
    the worker unencrypted anyway: the proxy's X-Forwarded-Proto says it, trusted
    exactly when SECURE_PROXY_SSL_HEADER says so (the setting HTTP pages use).
    """
    if scope.get("scheme") in ("wss", "https"):
        return True
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if not proxy_header:
        return False
    meta_name, secure_value = proxy_header
    name = meta_name.removeprefix("HTTP_").replace("_", "-").lower().encode()
    value = headers.get(name)
    return value is not None and value.split(",", 1)[0].strip() == secure_value


def _allowed_hosts() -> list[str]:
    # As django.http.HttpRequest.get_host(): with DEBUG and no ALLOWED_HOSTS, local.
    hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not hosts:
        hosts = [".localhost", "127.0.0.1", "[::1]"]
    return hosts


def _trusted(origin: tuple[str, str, int]) -> bool:
    """Whether the origin is one of CSRF_TRUSTED_ORIGINS (`https://*.x.vn` too)."""
    scheme, host, port = origin
    for entry in settings.CSRF_TRUSTED_ORIGINS:
        wildcard = "://*." in entry
        trusted = parse_origin(entry.replace("://*.", "://", 1) if wildcard else entry)
        if trusted is None or trusted[0] != scheme or trusted[2] != port:
            continue
        if host == trusted[1] or (wildcard and is_same_domain(host, "." + trusted[1])):
            return True
    return False


def origin_allowed(scope) -> bool:
    """Whether this WebSocket handshake comes from one of our own pages."""
    headers = _headers(scope)
    origin = parse_origin(headers.get(b"origin", ""))
    host_header = headers.get(b"host", "")
    domain, _port = split_domain_port(host_header)
    if origin is None or not domain or not validate_host(domain, _allowed_hosts()):
        return False
    scheme = "https" if _is_secure(scope, headers) else "http"
    if origin == parse_origin(f"{scheme}://{host_header}"):
        return True
    return _trusted(origin)


class SameOriginValidator:
    """ASGI middleware: refuse (HTTP 403) a handshake from another origin."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            # Closing before accepting is answered with 403. Done here rather than
            # with Channels' WebsocketDenier, a consumer whose every message first
            # hops to the worker's one sync thread (see leaderboards/consumers.py).
            await receive()  # websocket.connect
            await send({"type": "websocket.close"})
            return
        await self.application(scope, receive, send)
