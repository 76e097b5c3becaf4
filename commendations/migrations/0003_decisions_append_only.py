"""Recorded decisions, their awards and revocations are never changed or deleted,
in PostgreSQL itself (the function of competitions/0002, as for the ledger)."""

from django.db import migrations

TABLES = [
    "commendations_awarddecision",
    "commendations_award",
    "commendations_awardrevocation",
]

CREATE = "\n".join(
    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION thidua_refuse_change();"
    for table in TABLES
)
DROP = "\n".join(
    f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("commendations", "0002_award_types"),
        ("competitions", "0002_append_only_triggers"),
    ]

    operations = [migrations.RunPython(create, drop)]
