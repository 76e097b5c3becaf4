"""The Prometheus metrics of one worker process, at GET /metrics.

Each worker answers for itself (its requests, its sockets): Prometheus scrapes
every worker on its own loopback port, as the deployment's scrape configuration in
deploy/prometheus.yml does. What the database knows (the projector's queue and its
lag, the sealer's, the scheduled jobs' last runs) is read at scrape time by the
collectors the apps register here (a lower app offers the hook; leaderboards and
competitions fill it), so every worker reports the same values for those.

Closed to the public twice: nginx answers 404 for /metrics, and the view itself
answers 404 unless the request carries `Authorization: Bearer <METRICS_TOKEN>`
(and always when no token is set). A token rather than "loopback only": behind
nginx every request comes from loopback, and with --proxy-headers the address is
whatever X-Forwarded-For claims.
"""

import hmac
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

from .observability import worker_name

logger = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "thidua_http_requests",
    "HTTP requests answered by this worker, by method and status.",
    ["method", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "thidua_http_request_seconds",
    "Time from the first middleware to the answer, in seconds.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
RECONCILIATIONS = Counter(
    "thidua_reconciliations",
    "Reconciliations of the boards against the ledger run by this worker.",
    registry=REGISTRY,
)
REPAIRS = Counter(
    "thidua_reconciliation_repairs",
    "Board members a reconciliation in this worker found wrong and repaired.",
    registry=REGISTRY,
)

MetricSource = Callable[[], Iterable[GaugeMetricFamily]]
_sources: list[MetricSource] = []


def register_collector(source: MetricSource) -> None:
    """Add a function that yields metric families at scrape time (apps' ready())."""
    if source not in _sources:
        _sources.append(source)


class _AppCollector:
    def collect(self):
        up = GaugeMetricFamily(
            "thidua_worker_info", "This worker, by name.", labels=["worker"]
        )
        up.add_metric([worker_name()], 1)
        yield up
        for source in _sources:
            try:
                yield from source()
            except Exception:  # one failing source must not hide the others
                logger.exception("metrics source %s failed", source)

    def describe(self):
        return []


REGISTRY.register(_AppCollector())


def count_request(method: str, status: int, seconds: float) -> None:
    method = method if method in {"GET", "HEAD", "POST", "OPTIONS"} else "other"
    REQUESTS.labels(method=method, status=str(status)).inc()
    REQUEST_SECONDS.observe(seconds)


def _authorised(request) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return False
    given = request.META.get("HTTP_AUTHORIZATION", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@never_cache
@require_safe
def metrics_view(request):
    """The worker's metrics in Prometheus's text format, for the bearer of the token."""
    if not _authorised(request):
        raise Http404("metrics")
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
