"""What the boards tell Prometheus (units.metrics): this worker's sockets, and the
projector's queue and lag, read from the database at scrape time."""

from django.db.models import Min
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from competitions.models import PointEntry, UnprojectedEntry

from .hub import HUB


def collect():
    sockets = GaugeMetricFamily(
        "thidua_board_sockets", "Live-board sockets open on this worker."
    )
    sockets.add_metric([], sum(len(watchers) for watchers in HUB.sockets.values()))
    yield sockets
    boards = GaugeMetricFamily(
        "thidua_boards_watched", "Boards with at least one socket on this worker."
    )
    boards.add_metric([], len(HUB.sockets))
    yield boards
    frames = CounterMetricFamily(
        "thidua_board_frames", "Board frames written to sockets by this worker."
    )
    frames.add_metric([], HUB.frames_sent)
    yield frames

    queued = UnprojectedEntry.objects.count()
    queue = GaugeMetricFamily(
        "thidua_projector_queue",
        "Ledger entries committed but not yet on the boards (all workers).",
    )
    queue.add_metric([], queued)
    yield queue
    oldest = (
        PointEntry.objects.filter(
            pk__in=UnprojectedEntry.objects.values("entry_id")
        ).aggregate(oldest=Min("created_at"))["oldest"]
        if queued
        else None
    )
    lag = GaugeMetricFamily(
        "thidua_projector_lag_seconds",
        "Age of the oldest entry waiting for the boards (0: nothing waits).",
    )
    lag.add_metric(
        [], (timezone.now() - oldest).total_seconds() if oldest is not None else 0.0
    )
    yield lag
