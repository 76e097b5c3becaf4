"""Bad input of issue 16, as drills: no award lost or doubled, the boards exact after.

A worker killed mid-award (before its commit, and between its commit and the
projection), a Redis that comes back empty and receives an award before the
catch-up runs, and a Redis failing over to a replica that missed the last award. The other drills (PostgreSQL restarting, nginx reloading during a
reconnect storm) run against the real deployment in tests/deploy/.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from competitions.models import PointEntry
from leaderboards import projector, stores
from tests.browser.conftest import _database_url
from tests.competitions.conftest import a_credit, credit_one
from tests.leaderboards.test_redis_outage import OwnRedis, own_redis  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_store(settings):
    """The suite's Redis, empty: other tests leave boards of their own in it."""
    settings.REDIS_URL = os.environ.get("REDIS_URL", "")
    if not settings.REDIS_URL:
        pytest.skip("needs Redis: run `make test`")
    stores.reset_store()
    stores.get_store().client.flushdb()
    yield stores.get_store()
    stores.reset_store()


# An award in a process of its own, as a worker makes it; KILL_AT says when the
# process dies: "before-commit" (inside the transaction) or "after-commit" (the
# entry committed, its projection not yet run: the first on-commit callback).
AWARD = """
import os, signal, sys
from django.db import transaction
from django.utils import timezone
from competitions import ledger
from competitions.models import ActivityType, Competition
from units.models import Unit

kill_at = sys.argv[1]
competition = Competition.objects.get(pk=int(sys.argv[2]))
credit = ledger.Credit(
    competition=competition, unit=Unit.objects.get(pk=int(sys.argv[3])),
    person=None, activity_type=ActivityType.objects.get(pk=int(sys.argv[4])),
    rule=None, points=25, quantity=1, source="drill", explanation="",
    idempotency_key="drill:award", occurred_at=timezone.now(),
)
die = lambda: os.kill(os.getpid(), signal.SIGKILL)
with transaction.atomic():
    if kill_at == "after-commit":
        transaction.on_commit(die)  # registered first: runs before the projection
    ledger.credit(credits=[credit], by=None, at=timezone.now())
    if kill_at == "before-commit":
        die()
print("awarded")
"""


def _award_in_a_process(kill_at, competition, unit, activity) -> int:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    code = "import django; django.setup()\n" + AWARD
    return subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            kill_at,
            str(competition.pk),
            str(unit.pk),
            str(activity.pk),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
    ).returncode


class TestWorkerKilledMidAward:
    def test_killed_before_commit_nothing_is_credited_and_the_retry_credits_once(
        self, redis_store, tree, competition, initiative
    ):
        died = _award_in_a_process(
            "before-commit", competition, tree["ho_lien"], initiative
        )
        nothing = PointEntry.objects.count()
        retried = _award_in_a_process("none", competition, tree["ho_lien"], initiative)
        again = _award_in_a_process("none", competition, tree["ho_lien"], initiative)

        assert died == -signal.SIGKILL
        assert nothing == 0
        assert (retried, again) == (0, 0)
        assert PointEntry.objects.count() == 1
        projector.catch_up()
        assert projector.reconcile().mismatches == []

    def test_killed_after_commit_the_entry_waits_and_the_catch_up_projects_it_once(
        self, redis_store, tree, competition, initiative
    ):
        died = _award_in_a_process(
            "after-commit", competition, tree["ho_lien"], initiative
        )
        waiting = PointEntry.objects.unprojected().count()
        retried = _award_in_a_process("none", competition, tree["ho_lien"], initiative)

        projector.catch_up()

        assert died == -signal.SIGKILL
        assert waiting == 1  # committed, not on the boards: nothing lost
        assert retried == 0 and PointEntry.objects.count() == 1  # nothing doubled
        assert not PointEntry.objects.unprojected().exists()
        assert projector.reconcile().mismatches == []


def test_a_redis_back_empty_is_rebuilt_even_when_an_award_reaches_it_first(
    own_redis,  # noqa: F811
    tree,
    competition,
    initiative,
):
    for n in range(3):
        credit_one(a_credit(competition, initiative, tree["quan_goi"], key=f"k{n}"))
    projector.catch_up()
    assert projector.reconcile().mismatches == []

    # Redis fails over to an empty replica (no persistence)...
    own_redis.stop()
    own_redis.start()
    stores.get_store().breaker.reset()
    # ...and an award's own projection reaches it before any catch-up does.
    entry = credit_one(a_credit(competition, initiative, tree["ho_lien"], key="late"))
    projector.project([entry.pk], wait=True)

    assert projector.reconcile().mismatches != []  # the boards lost the first three
    projector.catch_up()
    assert projector.reconcile().mismatches == []


@pytest.fixture
def primary_and_replica(tmp_path, settings):
    """A Redis and its replica (asynchronous replication, as Sentinel watches)."""
    servers = []
    for name in ("primary", "replica"):
        (tmp_path / name).mkdir()
        server = OwnRedis(tmp_path / name)
        server.start()
        servers.append(server)
    primary, replica = servers
    redis.Redis(port=replica.port).replicaof("127.0.0.1", primary.port)
    settings.REDIS_URL = primary.url
    stores.reset_store()
    yield primary, replica
    for server in servers:
        if server.process.poll() is None:
            server.stop()
    stores.reset_store()


def test_redis_fails_over_to_a_replica_that_missed_an_award_and_the_catch_up_repairs(
    primary_and_replica, settings, tree, competition, initiative
):
    primary, replica = primary_and_replica
    for n in range(3):
        credit_one(a_credit(competition, initiative, tree["quan_goi"], key=f"k{n}"))
    projector.catch_up()
    projector.catch_up()  # the store now knows the primary's run id
    assert redis.Redis(port=primary.port).wait(1, 5000) == 1  # the replica has it all
    # The replica is cut off and promoted (what Sentinel does when the primary
    # stops answering); the last award reached only the primary: it is lost.
    redis.Redis(port=replica.port).replicaof("NO", "ONE")
    lost = credit_one(a_credit(competition, initiative, tree["ho_lien"], key="lost"))
    projector.project([lost.pk], wait=True)
    primary.stop()
    settings.REDIS_URL = replica.url  # the address the platform is given now
    stores.reset_store()
    after = credit_one(a_credit(competition, initiative, tree["ho_lien"], key="after"))
    projector.project([after.pk], wait=True)
    wrong = projector.reconcile().mismatches

    projector.catch_up()  # the next run of the scheduled catch-up (5 s)

    assert not stores.get_store().lost_everything()  # not empty: no rebuild runs
    assert [member for _key, member, _ledger, _store in wrong] != []
    assert projector.reconcile().mismatches == []  # nothing lost, nothing doubled
    projector.catch_up()
    assert stores.get_store().new_server() is None  # repaired once, remembered
