"""Writing many rows at once on PostgreSQL: COPY into a staging table, then one
INSERT ... ON CONFLICT DO NOTHING RETURNING.

Django's bulk_create spends most of its time preparing each value in Python (a
100,000-row completion import spent 18 s there, measured); COPY hands the rows to the
server as they are, and the INSERT from the staging table lets the unique
constraints decide what is new, exactly as `ignore_conflicts` would, while still
returning the ids of the rows written.
"""

from contextlib import contextmanager

from django.db import connection
from django.db.models import Model


def _values(obj: Model, fields) -> list:
    # pre_save fills auto_now_add timestamps, as bulk_create does.
    return [field.get_prep_value(field.pre_save(obj, True)) for field in fields]


def available() -> bool:
    return connection.vendor == "postgresql"


def insert_new(
    objects: list[Model], *, key_fields: tuple[str, ...]
) -> dict[tuple, int]:
    """Insert the objects, skipping any a unique constraint refuses; set the id of
    each one written and return {its key_fields values: id}. PostgreSQL only; must
    run inside the caller's transaction."""
    if not objects:
        return {}
    meta = objects[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    keys = [meta.get_field(name) for name in key_fields]
    written = insert_new_rows(
        meta.model,
        [f.column for f in fields],
        (_values(obj, fields) for obj in objects),
        key_columns=[f.column for f in keys],
    )
    for obj in objects:
        pk = written.get(tuple(getattr(obj, f.attname) for f in keys))
        if pk is not None:
            obj.pk = pk
    return written


@contextmanager
def _staged(model: type[Model], columns: list[str], rows):
    """Copy the rows into a staging table shaped like the model's (column types
    only: no constraints, no identity); yield (cursor, table, stage, columns) for
    the statement that takes them from there, then empty the stage."""
    quote = connection.ops.quote_name
    listed = ", ".join(quote(column) for column in columns)
    table = quote(model._meta.db_table)
    stage = quote(f"stage_{model._meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} AS "
            f"SELECT {listed} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY {stage} ({listed}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        yield cursor, table, stage, listed
        cursor.execute(f"TRUNCATE {stage}")


def insert_new_rows(
    model: type[Model], columns: list[str], rows, *, key_columns: list[str]
) -> dict[tuple, int]:
    """Insert rows given as tuples of database values in `columns` order, skipping
    any a unique constraint refuses; return {key_columns values: id} of those
    written. For hot paths that need no model instances (the ledger's bulk path
    spent a third of its time building them). PostgreSQL only; inside the caller's
    transaction."""
    returning = ", ".join(connection.ops.quote_name(c) for c in key_columns)
    with _staged(model, columns, rows) as (cursor, table, stage, listed):
        cursor.execute(
            f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {stage} "
            f"ON CONFLICT DO NOTHING RETURNING id, {returning}"
        )
        return {tuple(row[1:]): row[0] for row in cursor.fetchall()}


def add_to_rows(
    model: type[Model],
    columns: list[str],
    rows,
    *,
    key_columns: list[str],
    add_column: str,
) -> None:
    """Add each row's `add_column` to the row of the same key, creating the rows
    that are missing: counters moved by many increments in one statement. The rows
    are written in key order, so that two transactions moving the same counters
    lock them in the same order and never deadlock; each key must appear once.
    PostgreSQL only; inside the caller's transaction."""
    keys = ", ".join(connection.ops.quote_name(c) for c in key_columns)
    added = connection.ops.quote_name(add_column)
    with _staged(model, columns, rows) as (cursor, table, stage, listed):
        cursor.execute(
            f"INSERT INTO {table} AS t ({listed}) SELECT {listed} FROM {stage} "
            f"ORDER BY {keys} ON CONFLICT ({keys}) "
            f"DO UPDATE SET {added} = t.{added} + excluded.{added}"
        )


def insert_all(objects: list[Model]) -> None:
    """Insert new rows that no constraint can refuse (people just created, their
    memberships): ids drawn from the table's sequence, then one COPY. PostgreSQL
    only; inside the caller's transaction."""
    if not objects:
        return
    meta = objects[0]._meta
    fields = meta.concrete_fields
    table = meta.db_table
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        quoted = connection.ops.quote_name(table)
        with cursor.copy(f"COPY {quoted} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row(_values(obj, fields))
