"""The demo province of `seed_demo`, seeded once per test process and put back in a
second or two wherever a test needs it again.

Seeding the demo takes 20 s on an idle machine and several minutes inside a test's
transaction on a loaded one; a dozen test modules read it. On PostgreSQL the first
seeding (committed, before the class's transaction opens: prepare_demo) is
photographed (every table copied out in COPY's binary format, every Redis
key DUMPed, the media folder copied) and later loads truncate the tables and copy the
photograph back in, with triggers off (the rows are already what the triggers would
make, and the ledger's append-only guards are row triggers that TRUNCATE skips
anyway). SQLite seeds every time.

What a load leaves is the database of the first seeding, whole: rows the migrations
load, content types and all, whatever earlier tests' flushes had removed.
"""

import atexit
import os
import pickle
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction


@dataclass
class Snapshot:
    tables: dict[str, bytes]
    redis_keys: list[tuple[bytes, int, bytes]]  # key, milliseconds to live, DUMP
    media: Path


# One photograph per kind of ranking store (Redis, or the SQL store): the boards
# the demo projects live in that store.
_snapshots: dict[str, Snapshot] = {}
# How long a pytest-xdist worker waits for the first worker's photograph before
# seeding its own.
SHARED_WAIT_SECONDS = 300


# The kinds of photograph the first worker makes when it starts: only for those
# does another worker wait (tests/conftest.py says which).
_expected: set[str] = set()


def expect_photograph() -> None:
    """On a worker other than the first: the first makes this kind's photograph."""
    _expected.add(_kind())


def _kind() -> str:
    return "redis" if settings.REDIS_URL else "sql"


def first_worker() -> bool:
    """The worker that seeds for all (the only one outside xdist)."""
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0"


def _shared_file() -> Path | None:
    """Where the first xdist worker leaves its photograph for the others (one file
    per run: xdist gives every run its own id)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        return None
    return Path(tempfile.gettempdir()) / f"thidua-demo-{run}-{_kind()}.pickle"


def remove_shared(run: str) -> None:
    """After the run: the photographs its first worker left for the others
    (2.5 MB each; the temporary folder kept one per run before)."""
    for path in Path(tempfile.gettempdir()).glob(f"thidua-demo-{run}-*.pickle"):
        path.unlink(missing_ok=True)


def _share(snapshot: Snapshot) -> None:
    path = _shared_file()
    if path is not None:
        partial = path.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL))
        partial.rename(path)  # the others never read half a file


def _shared() -> Snapshot | None:
    """The first worker's photograph, waited for (a worker other than the first
    never seeds while it may come)."""
    path = _shared_file()
    if path is None or first_worker() or _kind() not in _expected:
        return None
    deadline = time.monotonic() + SHARED_WAIT_SECONDS
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    return pickle.loads(path.read_bytes()) if path.exists() else None


def _photographed() -> bool:
    return connection.vendor == "postgresql" and not getattr(
        settings, "REDIS_CLUSTER", False
    )


def prepare_demo(media: Path) -> None:
    """Seed and photograph the demo once per process, committed, and put the
    database back as it was: call it outside any transaction (the class fixture
    does, before opening its own).

    Inside a transaction the seeding ran for minutes where it takes 20 s on its
    own: autovacuum never sees uncommitted rows, so the planner had no statistics
    for any of them.
    """
    if not _photographed() or _kind() in _snapshots:
        return
    with connection.cursor() as cursor:
        before = _copy_out(cursor)
    load_demo(media)
    with transaction.atomic(), connection.cursor() as cursor:
        _copy_in(cursor, before)
    client = _redis()
    if client is not None:
        client.flushdb()


def load_demo(media: Path) -> None:
    """Fill the database, the ranking store and `media` with the demo province.

    The caller has set MEDIA_ROOT to `media` and DEBUG on (seed_demo refuses to run
    in production). Inside a transaction the load is undone with it; outside one it
    is committed (the browser tests' server reads it).
    """
    from leaderboards import selectors
    from tests.badges.conftest import seeded_badges
    from tests.routes import seed_demo_province

    if not _photographed():
        seeded_badges()
        seed_demo_province()
        selectors.forget_cached()
        return
    key = _kind()
    if key not in _snapshots and (shared := _shared()) is not None:
        _snapshots[key] = shared
    if key not in _snapshots:
        client = _redis()
        if client is not None:
            client.flushdb()  # boards of earlier tests are not the demo's
        # The first seeding starts from the migrations' rows, whatever an earlier
        # flush removed: every later load gets them back with the photograph.
        seeded_badges()
        seed_demo_province()
        _snapshots[key] = _take(media)
        if first_worker():
            _share(_snapshots[key])
    else:
        with transaction.atomic():
            _put_back(_snapshots[key], media)
    with connection.cursor() as cursor:
        # Autovacuum never sees rows of an open transaction: without statistics
        # the planner took seconds per query on the demo (a person's primary
        # unit: 6 s). ANALYZE counts our own new rows.
        cursor.execute("ANALYZE")
    selectors.forget_cached()  # boards an earlier test read under the same ids


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'"
        " AND tablename <> 'django_migrations' ORDER BY tablename"
    )
    return [name for (name,) in cursor.fetchall()]


def _copy_out(cursor) -> dict[str, bytes]:
    tables = {}
    for table in _tables(cursor):
        with cursor.copy(f"COPY {table} TO STDOUT (FORMAT BINARY)") as copy:
            tables[table] = b"".join(bytes(block) for block in copy)
    return tables


def _copy_in(cursor, tables: dict[str, bytes], *, sequences: bool = True) -> None:
    """Every table emptied and filled with these rows; triggers off (the rows are
    already what they would make), sequences past the largest id unless told not to
    (they never go back: ids copied in from earlier are below them)."""
    cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute(f"TRUNCATE {', '.join(tables)}")
    for table, data in tables.items():
        if data == _empty(cursor, table):
            continue
        with cursor.copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(data)
    cursor.execute("SET LOCAL session_replication_role = origin")
    if sequences:
        _sequences_past_their_rows(cursor)
    ContentType.objects.clear_cache()


_EMPTY: dict[str, bytes] = {}


def _empty(cursor, table: str) -> bytes:
    """What COPY writes for this table with no rows (its header and trailer)."""
    if "" not in _EMPTY:
        with cursor.copy(
            "COPY (SELECT 1 WHERE false) TO STDOUT (FORMAT BINARY)"
        ) as copy:
            _EMPTY[""] = b"".join(bytes(block) for block in copy)
    return _EMPTY[""]


# The database as the migrations left it (photographed when a test process starts):
# what a transactional test's end puts back (see tests/conftest.py).
_migrated: dict[str, bytes] = {}


def photograph_migrated() -> None:
    if connection.vendor != "postgresql" or _migrated:
        return
    with connection.cursor() as cursor:
        _migrated.update(_copy_out(cursor))


def back_to_migrated() -> bool:
    """Put the database back as the migrations left it, if it was photographed.

    Only the tables that hold rows are emptied, by DELETE with triggers off: after
    a test most of the seventy-odd tables are empty, and TRUNCATE makes new files
    for every table it names (0.2 s for all of them)."""
    if not _migrated:
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT %s WHERE EXISTS (SELECT 1 FROM {table})" for table in _migrated
            ),
            list(_migrated),
        )
        holding = [table for (table,) in cursor.fetchall()]
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table in holding:
            cursor.execute(f"DELETE FROM {table}")
        for table, data in _migrated.items():
            if data != _empty(cursor, table):
                with cursor.copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)
        cursor.execute("SET LOCAL session_replication_role = origin")
    ContentType.objects.clear_cache()
    return True


def _take(media: Path) -> Snapshot:
    with connection.cursor() as cursor:
        tables = _copy_out(cursor)
    redis_keys = []
    client = _redis()
    if client is not None:
        for name in client.scan_iter(count=1000):
            dumped = client.dump(name)
            if dumped is not None:
                redis_keys.append((name, max(client.pttl(name), 0), dumped))
    kept = Path(tempfile.mkdtemp(prefix="thidua-demo-media-"))
    atexit.register(shutil.rmtree, kept, ignore_errors=True)  # kept for the process
    if Path(media).exists():
        shutil.copytree(media, kept, dirs_exist_ok=True)
    return Snapshot(tables=tables, redis_keys=redis_keys, media=kept)


def _put_back(snapshot: Snapshot, media: Path) -> None:
    with connection.cursor() as cursor:
        _copy_in(cursor, snapshot.tables)
    client = _redis()
    if client is not None:
        client.flushdb()
        with client.pipeline(transaction=False) as pipe:
            for name, ttl, dumped in snapshot.redis_keys:
                pipe.restore(name, ttl, dumped, replace=True)
            pipe.execute()
    else:
        cache.clear()
    shutil.copytree(snapshot.media, media, dirs_exist_ok=True)


def _sequences_past_their_rows(cursor) -> None:
    """Sequences are not rows: point each past the largest id copied back (never
    lower than it is, as PostgreSQL's sequences outlive a rollback)."""
    cursor.execute(
        "SELECT pg_get_serial_sequence(quote_ident(table_name), column_name),"
        " quote_ident(table_name), quote_ident(column_name)"
        " FROM information_schema.columns WHERE table_schema = 'public'"
        " AND (is_identity = 'YES' OR column_default LIKE 'nextval(%%')"
    )
    for sequence, table, column in cursor.fetchall():
        if sequence is None:
            continue
        cursor.execute(
            f"SELECT setval(%s, GREATEST((SELECT MAX({column}) FROM {table}),"
            " (SELECT last_value FROM pg_sequences"
            "  WHERE format('%%I.%%I', schemaname, sequencename) = %s), 1))",
            [sequence, sequence],
        )


def _redis():
    if not settings.REDIS_URL:
        return None
    from leaderboards.stores import get_store

    return getattr(get_store(), "client", None)
