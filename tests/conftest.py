"""Shared fixtures: a small province and the personas who act in it.

province (Tỉnh Thử Nghiệm)
├── commune Kê Sặt ── villages Hồ Liễn, Quán Gỏi
└── commune Bình Giang ── village Cậy       (another subtree: the outsider's)
"""

import os
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.conf import global_settings, settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from units.models import Person, Role, TargetGroup, Unit
from units.replay import FIELD as FORM_TOKEN_FIELD
from units.services import add_member, create_unit, grant_role

PASSWORD = "Mat-khau-thu-2025"

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"

# No background catch-up thread in the test process: tests project explicitly.
settings.LEADERBOARD_CATCH_UP_SECONDS = 0
settings.LEADERBOARD_RECONCILE_MINUTES = 0
settings.MEDIA_CLEANUP_MINUTES = 0
settings.LEDGER_SEAL_SECONDS = 0
settings.LEDGER_VERIFY_MINUTES = 0
settings.BADGES_PUBLISH_SECONDS = 0
settings.LEADERBOARD_SNAPSHOT_MINUTES = 0
settings.REPORTS_RECONCILE_MINUTES = 0
# The real hasher is slow on purpose (half a second of a core per password); tests
# make users and sign in hundreds of times, the demo's seeding among them. The
# browser tests' server reads the same hashes (tests/browser/server_settings.py).
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _reload_what_the_migrations_load(sender, app_config, **kwargs):
    """Put back the rows the data migrations load (frameworks, seeded badges, award
    types, campaign activities) after a flush emptied them.

    A transactional test ends with Django's flush, which sends post_migrate when it
    is done; without this, whichever test ran after one on the same worker found no
    framework or badge class, so a test's outcome hung on the order tests ran in.
    Once per flush: on the last app's signal, when the content types are back.
    """
    from django.apps import apps

    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if app_config is not with_models[-1]:
        return
    from tests.badges.conftest import seeded_badges

    seeded_badges()


@pytest.fixture(scope="session", autouse=True)
def migration_data_outlives_flushes():
    from django.db.models.signals import post_migrate

    post_migrate.connect(_reload_what_the_migrations_load)
    yield
    post_migrate.disconnect(_reload_what_the_migrations_load)


@pytest.fixture(scope="session", autouse=True)
def transactional_tests_end_as_migrated(request):
    """A transactional test ends by putting back the database the migrations left:
    the tables that hold rows emptied and the migrations' rows copied back in
    (tests/demo_snapshot.py), in some 30 ms.

    Django's flush truncates, then sends post_migrate, whose handlers make the
    content types and permissions again and this conftest's handler reloads the
    migrations' rows: half a second after each of some two hundred tests. SQLite
    (no photograph) keeps the flush.
    """
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        yield
        return
    from django.test import TransactionTestCase

    from tests.demo_snapshot import back_to_migrated, photograph_migrated

    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock():
        photograph_migrated()
    flush = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        if list(self._databases_names(include_mirrors=False)) != ["default"]:
            return flush(self)
        # A test that restarted the server (tests/deploy/test_drills.py) leaves the
        # test's own connection cut: a new one puts the database back.
        if connection.connection is not None and not connection.is_usable():
            connection.close()
        if not back_to_migrated():
            return flush(self)

    TransactionTestCase._fixture_teardown = _fixture_teardown
    yield
    TransactionTestCase._fixture_teardown = flush


@pytest.fixture(scope="session", autouse=True)
def demo_photographed_first(request, tmp_path_factory):
    """Seed and photograph the demo province when the first worker starts, if any
    test will read it (tests/demo_snapshot.py); the other workers load its
    photograph when they first need the demo.

    Seeded alone it takes 30 s; seeded later, beside the other worker's browsers
    and servers, it took over three minutes.
    """
    from tests.demo_snapshot import expect_photograph, first_worker, prepare_demo

    wanted = {"demo_province", "demo_committed"}
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"] or not any(
        wanted & set(getattr(item, "fixturenames", ()))
        for item in request.session.items
    ):
        yield
        return
    if not first_worker():
        expect_photograph()
        yield
        return
    from django.test.utils import override_settings

    request.getfixturevalue("django_db_setup")
    media = tmp_path_factory.mktemp("demo-first")
    with (
        request.getfixturevalue("django_db_blocker").unblock(),
        override_settings(MEDIA_ROOT=media, DEBUG=True),
    ):
        prepare_demo(media)
    yield


@pytest.fixture(scope="session", autouse=True)
def no_background_timer():
    """Importing config.asgi (the socket tests do) starts the worker's timer; in
    the test process it would run scheduled jobs behind the tests' backs."""
    from leaderboards import projector

    projector.stop_catch_up_timer()
    yield


def pytest_configure(config):
    """The controller of an xdist run names the run itself, so that it knows which
    shared demo photographs to remove when the run ends (tests/demo_snapshot.py)."""
    if _xdist_controller(config) and config.getoption("testrunuid") is None:
        config.option.testrunuid = uuid.uuid4().hex


def pytest_sessionfinish(session):
    if _xdist_controller(session.config) and session.config.option.testrunuid:
        from tests.demo_snapshot import remove_shared

        remove_shared(session.config.option.testrunuid)


def _xdist_controller(config) -> bool:
    return (
        not hasattr(config, "workerinput")
        and config.pluginmanager.hasplugin("xdist")
        and bool(getattr(config.option, "numprocesses", None))
    )


def pytest_collection_modifyitems(config, items):
    """Without the services, tests that need them are skipped, saying why.

    `make test` sets REQUIRE_SERVICES=1: there a missing service fails the run
    instead of quietly skipping (a skipped check is not a passed one).

    The deployment's tests run first: their module fixture starts nginx and two
    workers (20 s), and pytest-xdist's work stealing takes tests from the end of a
    worker's queue, so at the front they are never split between two workers that
    would each start the deployment.
    """
    items.sort(key=lambda item: not item.nodeid.startswith("tests/deploy/"))
    if REQUIRE_SERVICES:
        return
    reasons = []
    if (
        not settings.REDIS_URL
        or "postgresql" not in settings.DATABASES["default"]["ENGINE"]
    ):
        reasons.append(("services", "needs PostgreSQL and Redis: run `make test`"))
    if not os.path.exists("/usr/bin/chromium"):
        reasons.append(("browser", "needs Debian's chromium: run `make test`"))
    for marker, reason in reasons:
        for item in items:
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def tree(db):
    return build_tree()


def build_tree() -> dict:
    """The test province: two communes, three villages."""
    province = create_unit(
        parent=None, kind=Unit.Kind.PROVINCE, name="Tỉnh Thử Nghiệm", code="99"
    )
    ke_sat = create_unit(
        parent=province, kind=Unit.Kind.COMMUNE, name="Xã Kê Sặt", code="10972"
    )
    ho_lien = create_unit(
        parent=ke_sat,
        kind=Unit.Kind.VILLAGE,
        name="Thôn Hồ Liễn",
        adult_residents=300,
        households=120,
    )
    quan_goi = create_unit(
        parent=ke_sat,
        kind=Unit.Kind.VILLAGE,
        name="Thôn Quán Gỏi",
        adult_residents=250,
        households=100,
    )
    binh_giang = create_unit(
        parent=province, kind=Unit.Kind.COMMUNE, name="Xã Bình Giang", code="10951"
    )
    cay = create_unit(parent=binh_giang, kind=Unit.Kind.VILLAGE, name="Thôn Cậy")
    return {
        "province": province,
        "ke_sat": ke_sat,
        "ho_lien": ho_lien,
        "quan_goi": quan_goi,
        "binh_giang": binh_giang,
        "cay": cay,
    }


def make_user(username, *, unit=None, role=None, staff=False, person_name=None):
    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.vn",
        password=PASSWORD,
        is_staff=staff,
        is_superuser=staff,
    )
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    if unit is not None:
        person = Person.objects.create(
            user=user,
            display_name=person_name or username.title(),
            target_group=TargetGroup.CITIZEN,
        )
        add_member(person=person, unit=unit)
        if role:
            grant_role(user=user, unit=unit, kind=role)
    return user


@pytest.fixture
def officer(tree):
    return officer_of(tree)


def officer_of(tree):
    """The officer of thôn Hồ Liễn."""
    return make_user(
        "officer",
        unit=tree["ho_lien"],
        role=Role.Kind.OFFICER,
        person_name="Vũ Thị Lan",
    )


@pytest.fixture
def reviewer(tree):
    return reviewer_of(tree)


def reviewer_of(tree):
    """A reviewer of xã Kê Sặt (covers its villages)."""
    return make_user("reviewer", unit=tree["ke_sat"], role=Role.Kind.REVIEWER)


@pytest.fixture
def administrator(tree):
    return administrator_of(tree)


def administrator_of(tree):
    """An administrator of the province, and a Django superuser."""
    return make_user(
        "administrator", unit=tree["province"], role=Role.Kind.ADMINISTRATOR, staff=True
    )


@pytest.fixture
def commune_admin(tree):
    """An administrator of xã Kê Sặt only (not a superuser)."""
    return make_user("commune_admin", unit=tree["ke_sat"], role=Role.Kind.ADMINISTRATOR)


@pytest.fixture
def outsider(tree):
    return outsider_of(tree)


def outsider_of(tree):
    """An officer of another commune (Bình Giang)."""
    return make_user("outsider", unit=tree["cay"], role=Role.Kind.OFFICER)


@pytest.fixture
def citizen(tree):
    return citizen_of(tree)


def citizen_of(tree):
    """A villager with a login but no role."""
    return make_user("citizen", unit=tree["ho_lien"], person_name="Nguyễn Văn An")


@pytest.fixture(autouse=True)
def real_password_hashing_for_the_deployment(request, settings):
    """The deployment's workers run the production settings and its hasher: the
    users its tests sign in as are hashed with it (the rest of the suite uses MD5,
    set above)."""
    if request.node.nodeid.startswith("tests/deploy/"):
        settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def nothing_counted_or_cached_before_a_browser(request, settings):
    """A browser test starts with no sign-in counted and no page cached in the
    worker's Redis, which the browser's server shares.

    A browser signs in from 127.0.0.1, as every test of its worker does through
    Django's client (the sign-in tests try dozens in a minute), and the limits per
    address are counted there: allauth's 30 sign-ins a minute and ours
    (units/limits.py). A journey run just after the sign-in tests stayed on the
    sign-in page. And the server caches pages built from an earlier test's rows
    (the home page keeps its featured competition and numbers 60 s): the database
    is emptied between tests, the server's Redis is not."""
    if request.node.get_closest_marker("browser") is None or not settings.REDIS_URL:
        return
    import redis

    client = redis.Redis.from_url(settings.REDIS_CHANNELS_URL or settings.REDIS_URL)
    try:
        for pattern in ("*allauth:rl:*", "*:limits:*", "*:pages:*"):
            names = list(client.scan_iter(match=pattern, count=1000))
            if names:
                client.delete(*names)
    finally:
        client.close()


@pytest.fixture(scope="class")
def demo_province(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo province of `seed_demo`, loaded once for a test class and rolled back
    after its last test (tests/demo_snapshot.py; most of those tests only read it).

    Each test still runs in its own savepoint inside this transaction, so what a test
    writes is undone before the next. Returns the media folder the demo wrote to.
    """
    from django.db import transaction
    from django.test.utils import override_settings

    from tests.demo_snapshot import load_demo, prepare_demo

    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with override_settings(DEBUG=True):
            prepare_demo(media)
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(DEBUG=True):
                load_demo(media)
            yield media
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def forms_carry_their_token(request, monkeypatch):
    """A test's POST carries a fresh form token, as a form rendered in a browser does.

    Every form that changes something has a single-use token (units/replay.py). A
    test that posts `form_token` itself (the replay tests, or "" for a form without
    one) is left alone; so are bodies that are not form data (the JSON API).
    """
    if request.node.get_closest_marker("raw_forms") is not None:
        return
    original = Client.post

    def post(self, path, data=None, *args, **kwargs):
        if (data is None or isinstance(data, dict)) and "content_type" not in kwargs:
            data = dict(data or {})
            data.setdefault(FORM_TOKEN_FIELD, str(uuid.uuid4()))
        return original(self, path, data, *args, **kwargs)

    monkeypatch.setattr(Client, "post", post)


@pytest.fixture(autouse=True)
def fresh_board_caches():
    # Ids repeat from test to test; a cached board from the last test must not leak.
    from leaderboards.selectors import forget_cached

    forget_cached()
    yield
    forget_cached()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request, django_db_modify_db_settings_parallel_suffix, django_db_blocker
):
    """On PostgreSQL the test database is a copy of one migrated once for every
    process (tests/template_db.py), unless --reuse-db keeps one of the last run."""
    if request.config.getvalue("reuse_db"):
        return False
    from tests.template_db import copy_migrated

    with django_db_blocker.unblock():
        return copy_migrated()


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings):
    # A copy of the template is kept as it is: its migrations are applied.
    return request.config.getvalue("reuse_db") or django_db_modify_db_settings


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, dropped cleanly at the end on PostgreSQL.

    Socket tests read boards in the event loop's thread pool, whose threads keep
    their database connections until the process ends; PostgreSQL then refuses to
    drop a database "being accessed by other users". Those sessions are ended first.
    """
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
