"""The scheduled jobs' last runs, for Prometheus (units.metrics)."""

from prometheus_client.core import GaugeMetricFamily

from .models import ScheduledJob


def collect():
    started = GaugeMetricFamily(
        "thidua_job_last_started_timestamp",
        "When a scheduled job last started, in any worker (Unix time).",
        labels=["job"],
    )
    finished = GaugeMetricFamily(
        "thidua_job_last_finished_timestamp",
        "When a scheduled job last finished (Unix time).",
        labels=["job"],
    )
    succeeded = GaugeMetricFamily(
        "thidua_job_last_succeeded",
        "1 when the job's last run succeeded, 0 when it failed.",
        labels=["job"],
    )
    for job in ScheduledJob.objects.order_by("name"):
        if job.started_at is not None:
            started.add_metric([job.name], job.started_at.timestamp())
        if job.finished_at is not None:
            finished.add_metric([job.name], job.finished_at.timestamp())
            succeeded.add_metric([job.name], 1 if job.succeeded else 0)
    yield started
    yield finished
    yield succeeded
