"""Every test process's database is a copy of one migrated once per server.

Migrating an empty database costs a process about 9.5 s of a core (Django rebuilding
its model state through 57 migrations, Django's own apps' included), and `make test`
starts three such processes at once (two xdist workers and the fuzz) on two cores.
The first to come migrates a template, named for the migrations it holds; the others
wait for it, then each takes a copy with CREATE DATABASE ... TEMPLATE, which
PostgreSQL makes by copying files (well under a second here). pytest-django then
keeps the copy as it is (keepdb: the migrations already applied, none run again)
instead of migrating its own.

A template's name carries a digest of every migration file and of Django's version:
a changed migration makes a new template, never a stale copy. Only PostgreSQL;
SQLite migrates each process's file as before.
"""

import hashlib
from pathlib import Path

import django
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
# Held while a template is made or copied (copying needs the template unused).
LOCK = 0x7468696475  # "thidu"


def _digest() -> str:
    files = sorted(ROOT.glob("*/migrations/[0-9]*.py"))
    digest = hashlib.sha256(django.get_version().encode())
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _migrate_into(database: dict, name: str) -> None:
    """Migrate a new database `name` in this process, as Django makes a test one."""
    test = database.setdefault("TEST", {})
    kept_name, kept_test_name = database["NAME"], test.get("NAME")
    test["NAME"] = name
    try:
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=False
        )
    finally:
        connection.close()
        database["NAME"] = kept_name
        connection.settings_dict["NAME"] = kept_name
        test["NAME"] = kept_test_name


def copy_migrated() -> bool:
    """Make this process's test database a copy of the migrated template; False
    where there is none to make (not PostgreSQL)."""
    if connection.vendor != "postgresql":
        return False
    database = settings.DATABASES["default"]
    test_name = connection.creation._get_test_db_name()
    template = f"thidua_migrated_{_digest()}"
    # Django's own connection to the server's maintenance database, as its test
    # database creation uses; the lock is released when it closes.
    with connection.creation._nodb_cursor() as maintenance:
        maintenance.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        if not maintenance.fetchone():
            # Built under another name and renamed when whole: a process killed
            # mid-migration leaves no template that looks finished.
            building = template + "_building"
            _migrate_into(database, building)
            maintenance.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        maintenance.execute(f'DROP DATABASE IF EXISTS "{test_name}" WITH (FORCE)')
        maintenance.execute(f'CREATE DATABASE "{test_name}" TEMPLATE "{template}"')
    return True
