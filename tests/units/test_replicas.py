"""Public reads may come from a read replica; writes and signed-in reads never do."""

import pytest
from django.db import transaction
from django.test import RequestFactory

from units.models import Unit
from units.replicas import ReplicaRouter, public_read

# Transactional: a test case wraps everything in a transaction, which reads the primary.
pytestmark = pytest.mark.django_db(transaction=True)

router = ReplicaRouter()


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {
        **settings.DATABASES,
        "replica": settings.DATABASES["default"],
    }


def _decided_inside(view_cookies: dict) -> list[str]:
    seen = []

    @public_read
    def view(request):
        seen.append(router.db_for_read(Unit))
        seen.append(router.db_for_write(Unit))
        with transaction.atomic():
            seen.append(router.db_for_read(Unit))
        return None

    request = RequestFactory().get("/leaderboards/")
    request.COOKIES.update(view_cookies)
    view(request)
    return seen


def test_an_anonymous_public_read_goes_to_the_replica_writes_to_the_primary(
    with_replica,
):
    assert _decided_inside({}) == ["replica", "default", "default"]


def test_a_visitor_with_a_session_reads_the_primary(with_replica):
    assert _decided_inside({"sessionid": "x"}) == ["default", "default", "default"]


def test_without_a_replica_everything_is_the_primary(settings):
    assert _decided_inside({}) == ["default", "default", "default"]


def test_outside_public_views_reads_stay_on_the_primary(with_replica):
    assert router.db_for_read(Unit) == "default"
    assert router.allow_migrate("replica", "units") is False
