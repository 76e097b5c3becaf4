"""Counting failures in fixed windows, in the shared cache, to refuse guessing.

allauth's limiter keeps every attempt's timestamp in one cache entry: right for five
sign-ins an account, too heavy for a limit of thousands a day for everyone. Here a
window is one integer a subject and a period (`cache.incr`), so a subject gets at
most `count` failures in each calendar window of `seconds` (twice that across a
window's edge, which the README's arithmetic allows for).

With several workers the cache must be shared (Redis), or each worker counts apart.
A cache that cannot be read refuses: guessing must not become free when Redis is
down.
"""

import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """At most `count` failures of one subject in each window of `seconds`."""

    count: int
    seconds: int


def address_subject(ip: str | None) -> str:
    """The subject of a client address: an IPv6 client holds a whole /64."""
    if not ip:
        return "address:unknown"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return f"address:{ip[:64]}"
    if address.version == 6:
        return f"address:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"address:{address}"


def _key(name: str, subject: str, limit: Limit, at: datetime) -> str:
    window = int(at.timestamp()) // limit.seconds
    return f"limits:{name}:{subject}:{limit.count}/{limit.seconds}:{window}"


def exhausted(name: str, *, limits: list[tuple[str, Limit]], at: datetime) -> bool:
    """Whether any subject has used up its failures in the current window."""
    keys = {_key(name, subject, limit, at): limit.count for subject, limit in limits}
    try:
        counts = cache.get_many(list(keys))
    except Exception:  # the cache is down: refuse rather than let guessing free
        logger.exception("failure counters unreadable; refusing %s", name)
        return True
    return any(counts.get(key, 0) >= count for key, count in keys.items())


def add_failure(name: str, *, limits: list[tuple[str, Limit]], at: datetime) -> None:
    """Count one failure for every subject."""
    for subject, limit in limits:
        key = _key(name, subject, limit, at)
        try:
            cache.add(key, 0, timeout=limit.seconds)
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=limit.seconds)
        except Exception:
            logger.exception("failure counter %s not written", key)
