"""The two ranking stores, each a real one: SQL on the test database, Redis on the
server `make test` starts (flushed before each test)."""

import os

import pytest

from leaderboards import stores
from tests.competitions.conftest import (  # noqa: F401
    _isolated_media,
    community_class,
    competition,
    initiative,
    media_root,
    today,
)

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture(params=["sql", pytest.param("redis", marks=pytest.mark.services)])
def store(request, settings, db):
    """Each test using this runs once per store."""
    if request.param == "redis":
        if not REDIS_URL:
            pytest.skip("needs Redis: run `make test`")
        settings.REDIS_URL = REDIS_URL
    else:
        settings.REDIS_URL = ""
    stores.reset_store()
    chosen = stores.get_store()
    if request.param == "redis":
        chosen.client.flushdb()
    yield chosen
    stores.reset_store()


@pytest.fixture
def sql_store(settings, db):
    settings.REDIS_URL = ""
    stores.reset_store()
    yield stores.get_store()
    stores.reset_store()
