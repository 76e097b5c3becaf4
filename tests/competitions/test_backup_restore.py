"""A backup restored, not only taken: scripts/backup.sh, then scripts/restore.sh
into an empty database and an empty Redis, gives the same standings, badges and
commendation decisions, and the same sealed ledger."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from badges import services as badge_services
from commendations import councils, decisions, nominations
from commendations.models import Council, CouncilMember, Nomination
from competitions import ledger, sealing
from leaderboards import projector
from tests.badges.conftest import make_class
from tests.browser.conftest import _database_url
from tests.commendations.conftest import (  # noqa: F401  (fixtures)
    award_types,
    badge_holder,
    bang_khen,
    review,
    scored,
)
from tests.competitions.conftest import TEST_ORIGIN, a_credit
from tests.conftest import make_user
from tests.restore_snapshot import snapshot
from units.models import Role

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


# The schema of the release before, in one process (a manage.py start is a second
# and a half of imports).
BACK_TO_THE_RELEASE_BEFORE = """
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.core.management import call_command

for app, migration in (
    ("competitions", "0004"),
    ("leaderboards", "0002"),
    ("units", "0005"),
):
    call_command("migrate", app, migration)
"""


def _run(command, env, **kwargs):
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, **kwargs
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def council(tree):
    return make_user("council", unit=tree["ke_sat"], role=Role.Kind.COUNCIL_MEMBER)


@pytest.fixture
def new_database():
    """Make new, empty databases on the same server; dropped afterwards."""
    made = []

    def make() -> str:
        name = f"restored_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return _database_url().rsplit("/", 1)[0] + f"/{name}"

    yield make
    connection.close()
    with connection.cursor() as cursor:
        for name in made:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_database(new_database):
    return new_database()


@pytest.fixture
def awards_and_a_badge(tree, competition, initiative, council, officer):
    """Points for two villages and a person, projected; a badge; the ledger sealed."""
    from leaderboards.stores import get_store

    get_store().client.flushdb()  # other tests leave boards of their own
    with transaction.atomic():
        ledger.credit(
            credits=[
                a_credit(competition, initiative, tree["ho_lien"], key="a", points=70),
                a_credit(competition, initiative, tree["quan_goi"], key="b", points=40),
                a_credit(
                    competition,
                    initiative,
                    tree["ho_lien"],
                    key="c",
                    points=55,
                    person=officer.person,
                ),
            ],
            by=None,
            at=timezone.now(),
        )
    projector.catch_up()
    badge_services.award_badge(
        badge_class=make_class("thon-tieu-bieu", {}, recipient="unit"),
        unit=tree["ho_lien"],
        reason="Thôn dẫn đầu phong trào",
        by=council,
        at=timezone.now(),
        origin=TEST_ORIGIN,
    )
    sealing.seal()


@pytest.fixture
def a_decision(awards_and_a_badge, review, administrator, tree, citizen):  # noqa: F811
    """Kê Sặt's review decided by the province: a village and a person awarded by
    decision 125/QĐ-UBND, the person's award revoked with its badge (122/QĐ-UBND);
    then projected and sealed again."""
    council = Council.objects.create(unit=tree["province"], name="Hội đồng tỉnh")
    members = []
    for username, position in [
        ("chair", CouncilMember.Position.CHAIR),
        ("secretary", CouncilMember.Position.SECRETARY),
        ("member1", CouncilMember.Position.MEMBER),
    ]:
        user = make_user(username, unit=tree["province"], role=Role.Kind.COUNCIL_MEMBER)
        members.append(
            CouncilMember.objects.create(
                council=council, user=user, name=username, position=position
            )
        )
    at = timezone.now()
    steps = {"by": administrator, "at": at, "origin": TEST_ORIGIN}
    nominations.close_review(review=review, **steps)
    nominations.submit_review(review=review, **steps)
    proposed = list(Nomination.objects.filter(review=review).order_by("pk"))
    session = councils.open_session(
        council=council, title="Phiên họp", held_on=timezone.localdate(), **steps
    )
    councils.set_attendance(
        session=session, member_ids=[m.pk for m in members], **steps
    )
    councils.add_to_session(session=session, nominations=proposed, **steps)
    for item in session.items.all():
        for member in members:
            councils.cast_ballot(
                item=item, user=member.user, choice="yes", at=at, origin=TEST_ORIGIN
            )
    councils.close_session(session=session, **steps)
    decision = decisions.record_decision(
        issuing_unit=tree["province"],
        number="125/QĐ-UBND",
        signed_on=timezone.localdate(),
        signer_name="Trần Văn Ký",
        signer_title="Chủ tịch Ủy ban nhân dân tỉnh",
        subject="Về việc tặng Bằng khen",
        nominations=proposed,
        **steps,
    )
    person_award = decision.awards.get(person=citizen.person)
    decisions.revoke_award(
        award=person_award,
        reason="Khai không đúng thành tích",
        decision_number="122/QĐ-UBND",
        assertion_ids=[a.pk for a in decisions.related_badges(person_award)],
        **steps,
    )
    projector.catch_up()
    sealing.seal()
    return decision


def _redis_db(number: int) -> str:
    url = settings.REDIS_URL.rsplit("/", 1)[0] + f"/{number}"
    subprocess.run(["redis-cli", "-u", url, "FLUSHDB"], check=True, capture_output=True)
    return url


def _pg(tool: str) -> str:
    return os.path.join(os.environ.get("PG_BIN", ""), tool)


def test_a_restored_backup_gives_the_same_standings_badges_decisions_and_ledger(
    a_decision, empty_database, tmp_path
):
    media = tmp_path / "media"
    (media / "evidence").mkdir(parents=True, exist_ok=True)
    (media / "evidence" / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    before = snapshot()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(media),
        "PYTHON": sys.executable,
    }
    backups = tmp_path / "backups"

    backup = Path(
        _run([str(ROOT / "scripts" / "backup.sh"), str(backups)], env)
        .strip()
        .splitlines()[-1]
    )
    restored_media = tmp_path / "restored-media"
    restored_redis = _redis_db(9)
    restored_env = {
        **env,
        "DATABASE_URL": empty_database,
        "MEDIA_ROOT": str(restored_media),
        "REDIS_URL": restored_redis,
    }
    _run([str(ROOT / "scripts" / "restore.sh"), str(backup)], restored_env)
    after = json.loads(
        _run([sys.executable, "-m", "tests.restore_snapshot"], restored_env)
    )

    assert before["standings"], "the original has boards"
    assert before["badges"], "the original has a badge"
    assert [d[2] for d in before["decisions"]] == ["125/QĐ-UBND"]
    assert sorted(a[-1] or "" for a in before["decisions"][0][-1]) == [
        "",
        "122/QĐ-UBND",
    ], "one award stands, one is revoked"
    assert any(b[4] for b in before["badges"]), "a revoked badge is restored revoked"
    assert after == json.loads(json.dumps(before, sort_keys=True))
    assert (
        restored_media / "evidence" / "photo.jpg"
    ).read_bytes() == b"\xff\xd8 a photo"
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "ledger.jsonl",
        "media.tar.gz",
    ]


def test_a_restore_refuses_a_database_that_is_not_empty(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHON": sys.executable,
    }
    (tmp_path / "media").mkdir()
    backup = Path(
        _run([str(ROOT / "scripts" / "backup.sh"), str(tmp_path / "b")], env)
        .strip()
        .splitlines()[-1]
    )

    refused = subprocess.run(
        [str(ROOT / "scripts" / "restore.sh"), str(backup)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert refused.returncode == 1
    assert "the database is not empty" in refused.stderr


def test_a_backup_of_the_release_before_restores_onto_this_one(
    awards_and_a_badge, new_database, tmp_path
):
    """The previous release had no seals, no request ids and untagged board keys:
    its plain pg_dump is restored, migrated, sealed and rebuilt to the same boards."""
    before = json.loads(json.dumps(snapshot(), sort_keys=True))
    older = new_database()
    subprocess.run(
        f"{_pg('pg_dump')} --format=custom --no-owner --no-acl '{_database_url()}' | "
        f"{_pg('pg_restore')} --no-owner --no-acl --exit-on-error --dbname '{older}'",
        shell=True,
        check=True,
    )
    env = {**os.environ, "DATABASE_URL": older, "PYTHON": sys.executable}
    _run([sys.executable, "-c", BACK_TO_THE_RELEASE_BEFORE], env)
    backup = tmp_path / "older-release"
    backup.mkdir()
    _run(
        [_pg("pg_dump"), "--format=custom", "--no-owner", "--no-acl", "--file",
         str(backup / "database.dump"), older],
        env,
    )  # fmt: skip
    restored_env = {
        **env,
        "DATABASE_URL": new_database(),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "REDIS_URL": _redis_db(10),
    }

    _run([str(ROOT / "scripts" / "restore.sh"), str(backup)], restored_env)
    after = json.loads(
        _run([sys.executable, "-m", "tests.restore_snapshot"], restored_env)
    )
    verified = _run([sys.executable, "manage.py", "verify_ledger"], restored_env)

    assert after == before
    assert "3 sealed entries" in verified
