"""Counting failures in fixed windows, in the shared cache, to refuse guessing.

allauth's limiter keeps every attempt's timestamp in one cache entry: right for five
sign-ins an account, too heavy for a limit of thousands a day for everyone. Here a
window is one integer a subject and a period (`cache.incr`), so a subject gets at
most `count` failures in each calendar window of `seconds` (twice that across a
window's edge, which the README's arithmetic allows for).

With several workers the cache must be shared (Redis), or each worker counts apart.
A cache that cannot be written refuses: guessing must not become free when Redis
is down.
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


def _incr(key: str, delta: int, seconds: int) -> int:
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key, delta)
    except ValueError:  # expired between add and incr
        cache.add(key, max(delta, 0), timeout=seconds)
        return max(delta, 0)


def take(name: str, *, limits: list[tuple[str, Limit]], at: datetime) -> bool:
    """Take one attempt from every subject's allowance; False if any has none left.

    The counters are raised before the attempt is made (an atomic INCR), so
    requests racing in parallel cannot all slip under a limit; give_back() returns
    the attempt when it succeeded, so only failures stay counted.
    """
    try:
        counts = [
            (_incr(_key(name, subject, limit, at), 1, limit.seconds), limit.count)
            for subject, limit in limits
        ]
    except Exception:  # the cache is down: refuse rather than let guessing free
        logger.exception("failure counters unavailable; refusing %s", name)
        return False
    if all(count <= allowed for count, allowed in counts):
        return True
    # Refused: no attempt was made, so none is counted (a user stopped by their
    # own limit must not use up their address's or everyone's).
    give_back(name, limits=limits, at=at)
    return False


def give_back(name: str, *, limits: list[tuple[str, Limit]], at: datetime) -> None:
    """Return an attempt taken by take() that turned out not to be a failure."""
    for subject, limit in limits:
        try:
            _incr(_key(name, subject, limit, at), -1, limit.seconds)
        except Exception:  # only makes the limit stricter
            logger.exception("failure counter of %s not given back", name)
