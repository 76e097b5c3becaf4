"""The health report of GET /healthz."""

from django.conf import settings
from django.db import connection


def check_health() -> tuple[dict, bool]:
    """Return the report and whether every configured dependency answered."""
    report: dict[str, str] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        report["database"] = "ok"
    except Exception:  # any failure is an unhealthy database; the detail is logged
        report["database"] = "error"
        healthy = False
    report["ranking_store"] = "redis" if settings.REDIS_URL else "sql"
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
            socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
        )
        try:
            client.ping()
            report["redis"] = "ok"
        except redis.RedisError:
            report["redis"] = "error"
            healthy = False
        finally:
            client.close()
    return report, healthy
