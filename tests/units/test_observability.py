"""What operators read: request ids, JSON log lines, the metrics endpoint."""

import json
import logging
import logging.config

import pytest

from units.observability import logging_config

TOKEN = "a-metrics-token-for-the-tests"


class TestRequestIds:
    @pytest.mark.parametrize(
        "given", ["", "short", "has spaces in it", "x" * 65, '"}{"injected": 1']
    )
    def test_a_missing_or_malformed_id_is_replaced_by_a_new_one(
        self, client, db, given
    ):
        response = client.get("/healthz", HTTP_X_REQUEST_ID=given)

        assert response["X-Request-ID"] != given
        assert len(response["X-Request-ID"]) == 32

    def test_every_log_line_of_a_request_carries_its_id(self, client, db, caplog):
        with caplog.at_level(logging.INFO, logger="thidua.access"):
            client.get("/healthz", HTTP_X_REQUEST_ID="req-abcdef12")

        [line] = [r for r in caplog.records if r.name == "thidua.access"]
        assert line.request_id == "req-abcdef12"
        assert (line.method, line.path, line.status) == ("GET", "/healthz", 200)


def test_production_logs_are_one_json_object_a_line(capsys):
    config = logging_config(level="INFO", fmt="json")
    logging.config.dictConfig(config)
    try:
        logging.getLogger("thidua.test").warning("board %s repaired", "1-2-village")
    finally:
        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)

    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["message"] == "board 1-2-village repaired"
    assert line["level"] == "WARNING"
    assert {"time", "request_id", "worker", "name"} <= set(line)


class TestMetrics:
    def test_without_a_token_configured_nobody_gets_them(self, client, db, settings):
        settings.METRICS_TOKEN = ""

        response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer ")

        assert response.status_code == 404

    @pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}"])
    def test_a_missing_or_wrong_token_is_answered_like_a_missing_page(
        self, client, db, settings, header
    ):
        settings.METRICS_TOKEN = TOKEN
        extra = {"HTTP_AUTHORIZATION": header} if header else {}

        assert client.get("/metrics", **extra).status_code == 404

    def test_the_bearer_of_the_token_reads_every_figure(self, client, db, settings):
        settings.METRICS_TOKEN = TOKEN
        client.get("/healthz")

        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

        text = response.content.decode()
        assert response.status_code == 200
        assert (
            "no-cache" in response["Cache-Control"]
            or "max-age=0" in response["Cache-Control"]
        )
        for name in (
            'thidua_http_requests_total{method="GET",status="200"}',
            "thidua_board_sockets ",
            "thidua_projector_queue ",
            "thidua_projector_lag_seconds ",
            "thidua_reconciliations_total ",
            "thidua_ledger_unsealed ",
            "thidua_worker_info{",
        ):
            assert name in text, name
