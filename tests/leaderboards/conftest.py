"""The ranking stores, each a real one: SQL on the test database, Redis on the
server `make test` starts, and Redis Cluster on three shards started here (each
flushed before each test)."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

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


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def redis_cluster_url():
    """A three-shard Redis Cluster (redis-server --cluster-enabled yes) for the session."""
    if not REDIS_URL:
        pytest.skip("needs Redis: run `make test`")
    folder = tempfile.mkdtemp(prefix="thidua-cluster-")
    script = str(ROOT / "scripts" / "redis-cluster.sh")
    try:
        url = subprocess.run(
            [script, "start", folder, "3"], check=True, capture_output=True, text=True
        ).stdout.strip()
        yield url
    finally:
        subprocess.run([script, "stop", folder], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def chosen_store(request, settings, kind: str):
    """The store of this kind, empty (Redis flushed), as get_store() gives it."""
    if kind == "redis":
        if not REDIS_URL:
            pytest.skip("needs Redis: run `make test`")
        settings.REDIS_URL = REDIS_URL
    elif kind == "redis-cluster":
        settings.REDIS_URL = request.getfixturevalue("redis_cluster_url")
        settings.REDIS_CLUSTER = True
    else:
        settings.REDIS_URL = ""
    stores.reset_store()
    chosen = stores.get_store()
    if kind != "sql":
        chosen.client.flushdb()
    return chosen


@pytest.fixture(params=["sql", pytest.param("redis", marks=pytest.mark.services)])
def store(request, settings, db):
    """Each test using this runs once per store."""
    yield chosen_store(request, settings, request.param)
    stores.reset_store()


# The contract suites (test_stores, test_snapshots, the cluster's own tests) also
# run on the three-shard cluster; the journeys above the store run on two stores.
EVERY_STORE = [
    "sql",
    pytest.param("redis", marks=pytest.mark.services),
    pytest.param("redis-cluster", marks=pytest.mark.services),
]


@pytest.fixture
def sql_store(settings, db):
    settings.REDIS_URL = ""
    stores.reset_store()
    yield stores.get_store()
    stores.reset_store()
