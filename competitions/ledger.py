"""The points ledger: append-only, idempotent, every entry explaining itself.

`credit`, `credit_many` and `reverse` are the only writers of PointEntry. They must
run inside the caller's transaction, so that the source object's change of state
and its ledger entries commit together or not at all. Each new entry is queued for
the projector (UnprojectedEntry) and for the sealer (UnsealedEntry) in that same
transaction.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import IntegrityError, connection, transaction

from units import bulk
from units.models import Person, Unit

from .models import (
    ActivityType,
    Competition,
    PointEntry,
    PointRule,
    Submission,
    UnprojectedEntry,
    UnsealedEntry,
)
from .signals import entries_recorded


@dataclass(frozen=True)
class Credit:
    """What one ledger line credits, before it is written."""

    competition: Competition
    unit: Unit
    person: Person | None
    activity_type: ActivityType
    rule: PointRule | None
    points: int
    quantity: int
    source: str
    explanation: str
    idempotency_key: str
    occurred_at: datetime
    submission: Submission | None = None
    capped: bool = False


def _entry(item: Credit, *, by, at: datetime) -> PointEntry:
    """The ledger line a credit becomes (not saved)."""
    return PointEntry(
        competition=item.competition,
        unit=item.unit,
        person=item.person,
        activity_type=item.activity_type,
        rule=item.rule,
        points=item.points,
        quantity=item.quantity,
        submission=item.submission,
        source=item.source,
        explanation=item.explanation[:300],
        capped=item.capped,
        idempotency_key=item.idempotency_key,
        occurred_at=item.occurred_at,
        created_at=at,
        created_by=by if getattr(by, "pk", None) else None,
    )


def _queue_entries(entries: list[PointEntry]) -> None:
    _queue([entry.pk for entry in entries])


def _queue(ids: list[int]) -> None:
    """Queue new entries for the projector, in their own transaction, and tell the
    projector after commit."""
    if not ids:
        return
    # Both queues: the projector's (the boards) and the sealer's
    # (competitions/sealing.py: hash-chained blocks, sealed after commit). On
    # PostgreSQL in one statement: one round trip less on every award's way.
    if bulk.available():
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH ids AS (SELECT unnest(%s::bigint[]) AS id), "
                f"projected AS (INSERT INTO {UnprojectedEntry._meta.db_table} "
                "(entry_id) SELECT id FROM ids) "
                f"INSERT INTO {UnsealedEntry._meta.db_table} (entry_id) "
                "SELECT id FROM ids",
                [ids],
            )
    else:
        for queue in (UnprojectedEntry, UnsealedEntry):
            queue.objects.bulk_create(
                [queue(entry_id=pk) for pk in ids], batch_size=1000
            )
    _after_commit_tell_projector(ids)


def _after_commit_tell_projector(ids: list[int]) -> None:
    # After commit: the projector must only ever see entries that exist.
    if ids:
        transaction.on_commit(
            lambda: entries_recorded.send(sender=PointEntry, entry_ids=ids)
        )


def credit(*, credits: list[Credit], by, at: datetime) -> list[PointEntry]:
    """Write the credits once; a credit whose key is already in the ledger is skipped.

    Returns the entries written now (an empty list when all were there already).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.credit must run inside the source's transaction")
    if any(item.points < 0 for item in credits):
        raise ValueError("a credit cannot be negative; use reverse()")
    if bulk.available():
        written = [
            entry
            for entry in (_entry(item, by=by, at=at) for item in credits)
            if _insert_and_queue(entry)
        ]
        _after_commit_tell_projector([entry.pk for entry in written])
        return written
    written = []
    for item in credits:
        try:
            # A savepoint per entry: a duplicate key rolls back this insert only.
            with transaction.atomic():
                entry = _entry(item, by=by, at=at)
                entry.save(force_insert=True)
        except IntegrityError:
            if PointEntry.objects.filter(idempotency_key=item.idempotency_key).exists():
                continue
            raise
        written.append(entry)
    _queue_entries(written)
    return written


def _insert_and_queue(entry: PointEntry) -> bool:
    """PostgreSQL: write the entry unless its key is in the ledger, and queue it for
    the projector and the sealer, in one statement; whether it was written.

    Every award takes this way to its viewers: the savepoint, the insert, its
    release and the queueing were four round trips (README, "Badges", run H).
    Unlike save(), it sends no pre_save/post_save (nothing listens to PointEntry's;
    entries_recorded is the ledger's signal), and a constraint other than the key's
    fails the caller's transaction, not this insert alone."""
    # save()'s own check: an unsaved person, rule or submission raises here rather
    # than being written as NULL (a person's credit turned into a unit's).
    entry._prepare_related_fields_for_save(operation_name="save")
    with connection.cursor() as cursor:
        cursor.execute(
            _insert_and_queue_statement(),
            [
                f.get_db_prep_save(f.pre_save(entry, True), connection)
                for f in _fields()
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return False  # the key is in the ledger: credited before
    entry.pk = row[0]
    entry._state.adding = False
    entry._state.db = connection.alias
    return True


@cache
def _insert_and_queue_statement() -> str:
    """_insert_and_queue's statement, built once per process."""
    quote = connection.ops.quote_name
    return (
        f"WITH entry AS (INSERT INTO {quote(PointEntry._meta.db_table)} "
        f"({', '.join(quote(column) for column in _columns())}) "
        f"VALUES ({', '.join(['%s'] * len(_fields()))}) "
        "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id), "
        f"projected AS (INSERT INTO {UnprojectedEntry._meta.db_table} "
        "(entry_id) SELECT id FROM entry), "
        f"sealed AS (INSERT INTO {UnsealedEntry._meta.db_table} "
        "(entry_id) SELECT id FROM entry) "
        "SELECT id FROM entry"
    )


def _fields() -> list:
    """PointEntry's columns but its id, as fields, in the table's order."""
    return [f for f in PointEntry._meta.concrete_fields if not f.primary_key]


def _columns() -> list[str]:
    return [f.column for f in _fields()]


def _row(item: Credit, *, by_id, at: datetime) -> dict:
    """The database values of the ledger line a credit becomes (the bulk path)."""
    return {
        "competition_id": item.competition.pk,
        "person_id": item.person.pk if item.person is not None else None,
        "unit_id": item.unit.pk,
        "points": item.points,
        "activity_type_id": item.activity_type.pk,
        "rule_id": item.rule.pk if item.rule is not None else None,
        "quantity": item.quantity,
        "submission_id": item.submission.pk if item.submission is not None else None,
        "source": item.source,
        "explanation": item.explanation[:300],
        "capped": item.capped,
        "reverses_id": None,
        "idempotency_key": item.idempotency_key,
        "occurred_at": item.occurred_at,
        "created_at": at,
        "created_by_id": by_id,
    }


def credit_many(*, credits: list[Credit], by, at: datetime) -> dict[str, int]:
    """The bulk path (imports, the benchmark): many credits in one statement.

    Keys already in the ledger are skipped by the database (ON CONFLICT DO NOTHING).
    Returns {idempotency key: entry id} of the entries written now. On PostgreSQL
    they are written by COPY, without a model instance each; elsewhere they are
    told apart by their creation time.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "ledger.credit_many must run inside the source's transaction"
        )
    if any(item.points < 0 for item in credits):
        raise ValueError("a credit cannot be negative; use reverse()")
    if not credits:
        return {}
    if bulk.available():
        by_id = by.pk if getattr(by, "pk", None) else None
        columns = _columns()
        rows = (_row(item, by_id=by_id, at=at) for item in credits)
        written = {
            key: pk
            for (key,), pk in bulk.insert_new_rows(
                PointEntry,
                columns,
                ([values[c] for c in columns] for values in rows),
                key_columns=["idempotency_key"],
            ).items()
        }
    else:
        PointEntry.objects.bulk_create(
            [_entry(item, by=by, at=at) for item in credits],
            ignore_conflicts=True,
            batch_size=1000,
        )
        written = dict(
            PointEntry.objects.filter(
                idempotency_key__in=[c.idempotency_key for c in credits], created_at=at
            ).values_list("idempotency_key", "pk")
        )
    _queue(sorted(written.values()))
    return written


def reverse(*, entry: PointEntry, reason: str, by, at: datetime) -> PointEntry | None:
    """Cancel an entry with a negative one that names it; None if already reversed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.reverse must run inside the source's transaction")
    if entry.reverses_id is not None:
        raise ValueError("a reversal is not itself reversed")
    key = f"reversal:{entry.pk}"
    try:
        with transaction.atomic():
            reversal = PointEntry.objects.create(
                competition_id=entry.competition_id,
                unit_id=entry.unit_id,
                person_id=entry.person_id,
                activity_type_id=entry.activity_type_id,
                rule_id=entry.rule_id,
                points=-entry.points,
                quantity=entry.quantity,
                submission_id=entry.submission_id,
                source="reversal",
                explanation=reason[:300],
                capped=entry.capped,
                reverses=entry,
                idempotency_key=key,
                occurred_at=entry.occurred_at,
                created_at=at,
                created_by=by if getattr(by, "pk", None) else None,
            )
    except IntegrityError:
        if PointEntry.objects.filter(idempotency_key=key).exists():
            return None
        raise
    _queue_entries([reversal])
    return reversal
