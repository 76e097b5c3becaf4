"""The public API under generated requests: schemathesis reads the served OpenAPI
document and sends thousands of requests, valid and invalid, to every operation.

No answer may be a 5xx, and every answer must match the document (status code,
content type, body schema): the document is what integrators build against. The
push is sent with a valid token, so its body checks are reached, not only the
401 of a missing token.
"""

import copy
import os
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.utils import timezone
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

from leaderboards import projector
from learning import integrations
from learning.openapi import document
from tests.badges.conftest import session_signing_key
from tests.competitions.conftest import a_credit, credit_one
from tests.learning.conftest import (  # noqa: F401 (fixtures)
    course,
    learning_competition,
    make_person,
)
from units.audit import COMMAND

pytestmark = pytest.mark.django_db

# At least this many generated requests in all, over every operation.
TOTAL_CASES = int(os.environ.get("FUZZ_CASES", 5_000))


@pytest.fixture
def api_world(tree, administrator, learning_competition, course, settings):  # noqa: F811
    """Boards with people and villages on them, a live integration token, and the
    badge issuer's signing key."""
    settings.BADGES_SIGNING_KEY = session_signing_key()
    from competitions.models import ActivityType

    activity = ActivityType.objects.get(code="training-completed")
    for index, village in enumerate([tree["ho_lien"], tree["quan_goi"], tree["cay"]]):
        person = make_person(village, f"Người Học {index}")
        credit_one(
            a_credit(
                learning_competition,
                activity,
                village,
                person=person,
                key=f"fuzz:{index}",
                points=10 * (index + 1),
            )
        )
    projector.catch_up()
    _integration, token = integrations.create_integration(
        name="Nền tảng học tập",
        unit=tree["ke_sat"],
        by=administrator,
        at=timezone.now(),
        origin=COMMAND,
    )
    return {
        "token": token,
        "board": f"{learning_competition.pk}-{tree['province'].pk}-village-week-points",
        "today": timezone.localdate(),
        "yesterday": timezone.localdate() - timedelta(days=1),
    }


def excluded(operation) -> list:
    """The push checks each completion on its own, as the CSV import does: an item
    missing a field is answered 200 with that item's error, and the others are
    recorded. So an invalid *item* is not a rejected request; an invalid envelope
    (no list, too many items, not JSON) is a 400, tested in tests/learning/test_api.py.
    """
    if operation.label == "POST /api/v1/completions/":
        return [checks.negative_data_rejection]
    return []


def generated_from(served: dict) -> dict:
    """The served document, with pushes of at most 3 items: generating a push of 1,000 costs
    a second here, and the 1,000-item limit has its own tests (test_api.py)."""
    document = copy.deepcopy(served)
    body = document["paths"]["/api/v1/completions/"]["post"]["requestBody"]
    body["content"]["application/json"]["schema"]["properties"]["completions"][
        "maxItems"
    ] = 3
    return document


def fuzz(operation, strategy, *, examples, sent, seed_) -> None:
    """Send up to `examples` generated requests to one operation and check each."""

    @seed(seed_)
    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call()
        sent["total"] += 1
        case.validate_response(response, excluded_checks=excluded(operation))

    check()


def test_no_generated_request_gets_a_5xx_or_an_answer_the_document_does_not_allow(
    api_world, monkeypatch
):
    # Thousands of pushes a minute: the per-integration limit (tested on its own)
    # would answer most of them 429 before their bodies are read.
    monkeypatch.setattr(integrations, "REQUESTS_PER_MINUTE", 1_000_000)
    # Likewise the lock of an address after ten wrong tokens: the negative cases'
    # bad headers would lock this one and leave the valid pushes a 429.
    monkeypatch.setattr(integrations, "FAILED_TOKENS_PER_WINDOW", 1_000_000)
    # The requests run in this thread, inside the test's transaction: Django's own
    # test client likewise keeps the handler from closing the connection.
    monkeypatch.setattr(signals.request_started, "receivers", [])
    monkeypatch.setattr(signals.request_finished, "receivers", [])
    monkeypatch.setattr(signals.request_started, "sender_receivers_cache", {})
    monkeypatch.setattr(signals.request_finished, "sender_receivers_cache", {})
    schema = schemathesis.openapi.from_dict(generated_from(document()))
    schema.app = WSGIHandler()
    operations = [result.ok() for result in schema.get_all_operations()]
    sent = {"total": 0}
    headers = {"Authorization": f"Bearer {api_world['token']}"}
    # Share the cases among every operation, valid and invalid; one whose inputs run
    # out (the board list takes none; it has no invalid input at all) leaves its
    # share to the others in the next round, which draws new cases (a new seed).
    # One strategy per operation and mode, built once and kept across rounds.
    pending = [
        (operation, mode, operation.as_strategy(mode, headers=headers))
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    round_ = 0
    while sent["total"] < TOTAL_CASES and pending:
        share = -(-(TOTAL_CASES - sent["total"]) // len(pending))
        still = []
        for operation, mode, strategy in pending:
            before = sent["total"]
            try:
                fuzz(
                    operation,
                    strategy,
                    examples=share,
                    sent=sent,
                    seed_=round_,
                )
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE, operation.label
                continue
            if sent["total"] - before >= share:
                still.append((operation, mode, strategy))
        pending, round_ = still, round_ + 1

    assert sent["total"] >= TOTAL_CASES
