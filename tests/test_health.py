import time

import pytest


class TestHealthz:
    def test_answers_head_as_proxies_and_monitors_ask(self, client, db):
        response = client.head("/healthz")

        assert response.status_code == 200
        assert response.content == b""

    def test_reports_the_database_and_the_ranking_store(self, client, db, settings):
        response = client.get("/healthz")

        body = response.json()
        assert response.status_code == 200
        assert body["database"] == "ok"
        assert body["ranking_store"] == ("redis" if settings.REDIS_URL else "sql")

    @pytest.mark.services
    def test_checks_the_real_redis_when_configured(self, client, db):
        response = client.get("/healthz")

        assert response.json()["redis"] == "ok"

    def test_a_redis_that_does_not_answer_fails_fast_with_503(
        self, client, db, settings
    ):
        settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
        started = time.monotonic()

        response = client.get("/healthz")

        assert response.status_code == 503
        assert response.json()["redis"] == "error"
        assert time.monotonic() - started < 2

    def test_is_not_cached(self, client, db):
        assert "no-cache" in client.get("/healthz")["Cache-Control"]
