"""Render nginx's configuration for this deployment from deploy/nginx/*.conf.in.

    python scripts/render_deploy.py --out /etc/nginx --server-name thiduaso.example.gov.vn \\
        --workers 8001,8002 --tls-cert /etc/ssl/thiduaso/fullchain.pem \\
        --tls-key /etc/ssl/thiduaso/privkey.pem

writes nginx.conf and thidua.conf into --out. The paths that accept larger bodies
are read from the application itself (every view's @body_limit, with this
environment's settings), so nginx's limits follow the application's. `make
deploy-test` renders the same templates on free loopback ports and runs a browser
through them.
"""

import argparse
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "deploy" / "nginx"
# nginx's own 413 only far over the application's limit: between the two the
# worker answers with its readable page (units/body_limits.py).
MARGIN = 1024 * 1024


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _route_regex(pattern) -> str:
    """The part of a URL pattern's regex between ^ and its end anchor."""
    regex = pattern.pattern.regex.pattern
    regex = regex.removeprefix("^")
    for end in ("\\Z", "$"):
        regex = regex.removesuffix(end)
    return regex


def body_limits() -> list[tuple[str, int]]:
    """(nginx location regex, the application's limit) of each view declaring one."""
    from django.urls import get_resolver

    from units.body_limits import _declared

    found = []
    pending = [("", pattern) for pattern in get_resolver().url_patterns]
    while pending:
        prefix, pattern = pending.pop(0)
        regex = prefix + _route_regex(pattern)
        if hasattr(pattern, "url_patterns"):
            pending.extend((regex, child) for child in pattern.url_patterns)
        elif (declared := _declared(pattern.callback)) is not None:
            # Named groups mean nothing to nginx here; plain groups keep it simple.
            plain = re.sub(r"\(\?P<\w+>", "(", regex)
            found.append((f"^/{plain}$", declared))
    return sorted(found)


def _location(regex: str, limit: int) -> str:
    return (
        f'    location ~ "{regex}" {{\n'
        f"        client_max_body_size {limit + MARGIN};\n"
        "        proxy_pass http://thidua_workers;\n"
        "    }\n"
    )


def render(template: str, values: dict[str, str]) -> str:
    def fill(match):
        name = match.group(1)
        if name not in values:
            raise KeyError(f"no value for @{name}@")
        return values[name]

    return re.sub(r"@([A-Z_]+)@", fill, template)


def values_for(args) -> dict[str, str]:
    from django.conf import settings

    out = Path(args.out).resolve()
    state = Path(args.state_dir).resolve() if args.state_dir else out / "state"
    workers = [port.strip() for port in args.workers.split(",") if port.strip()]
    https_suffix = "" if args.https_port == 443 else f":{args.https_port}"
    return {
        "USER_LINE": f"user {args.user};" if args.user else "",
        "RUN_DIR": args.run_dir or str(state),
        "LOG_DIR": args.log_dir or str(state),
        "STATE_DIR": str(state),
        "MIME_TYPES": args.mime_types,
        "SITE_CONF": str(out / "thidua.conf"),
        "UPSTREAM_SERVERS": "\n".join(
            f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=5s;"
            for port in workers
        ),
        "CACHE_DIR": args.cache_dir or str(state / "cache"),
        "HTTP_LISTEN": f"{args.listen}:{args.http_port}"
        if args.listen
        else str(args.http_port),
        "HTTPS_LISTEN": f"{args.listen}:{args.https_port}"
        if args.listen
        else str(args.https_port),
        "HTTPS_PORT_SUFFIX": https_suffix,
        "SERVER_NAME": args.server_name,
        "ACME_ROOT": args.acme_root,
        "TLS_CERT": args.tls_cert,
        "TLS_KEY": args.tls_key,
        "DEFAULT_BODY_LIMIT": str(settings.REQUEST_MAX_BYTES + MARGIN),
        "BODY_LIMIT_LOCATIONS": "\n".join(
            _location(regex, limit) for regex, limit in body_limits()
        ),
        "SESSION_COOKIE": settings.SESSION_COOKIE_NAME,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to write the files to")
    parser.add_argument("--server-name", default="thiduaso.example.gov.vn")
    parser.add_argument("--workers", default="8001,8002", help="worker ports")
    parser.add_argument("--listen", default="", help="address, e.g. 127.0.0.1")
    parser.add_argument("--http-port", type=int, default=80)
    parser.add_argument("--https-port", type=int, default=443)
    parser.add_argument("--tls-cert", default="/etc/ssl/thiduaso/fullchain.pem")
    parser.add_argument("--tls-key", default="/etc/ssl/thiduaso/privkey.pem")
    parser.add_argument("--acme-root", default="/var/www/acme")
    parser.add_argument("--user", default="www-data", help="'' when not root")
    parser.add_argument("--state-dir", default="/var/lib/nginx")
    parser.add_argument("--run-dir", default="/run")
    parser.add_argument("--log-dir", default="/var/log/nginx")
    parser.add_argument("--cache-dir", default="/var/cache/nginx/thiduaso")
    parser.add_argument("--mime-types", default="/etc/nginx/mime.types")
    args = parser.parse_args(argv)
    _setup_django()
    values = values_for(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("nginx.conf", "thidua.conf"):
        template = (TEMPLATES / f"{name}.in").read_text(encoding="utf-8")
        (out / name).write_text(render(template, values), encoding="utf-8")
    print(f"wrote {out / 'nginx.conf'} and {out / 'thidua.conf'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
