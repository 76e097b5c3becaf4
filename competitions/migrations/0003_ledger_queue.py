"""The projector's queue moves beside the ledger; the ledger is never updated.

`PointEntry.projected_at` becomes a row in UnprojectedEntry per entry the boards do
not show yet, so the database can refuse every UPDATE of a ledger row. Two indexes
nothing used go: the pattern index Django adds for a unique text field, and the
competition index that the two (competition, …) indexes already begin with.
"""

import django.db.models.deletion
from django.db import migrations, models

REFUSE_EVERY_UPDATE = """
DROP TRIGGER IF EXISTS competitions_pointentry_update_guard ON competitions_pointentry;
CREATE TRIGGER competitions_pointentry_no_update
    BEFORE UPDATE ON competitions_pointentry
    FOR EACH ROW EXECUTE FUNCTION thidua_refuse_change();
"""

ALLOW_PROJECTED_AT = """
DROP TRIGGER IF EXISTS competitions_pointentry_no_update ON competitions_pointentry;
CREATE TRIGGER competitions_pointentry_update_guard
    BEFORE UPDATE OF id, competition_id, person_id, unit_id, points, activity_type_id,
        rule_id, quantity, submission_id, source, explanation, capped, reverses_id,
        idempotency_key, occurred_at, created_at, created_by_id
    ON competitions_pointentry
    FOR EACH ROW EXECUTE FUNCTION thidua_refuse_change();
"""


def queue_unprojected(apps, schema_editor):
    PointEntry = apps.get_model("competitions", "PointEntry")
    UnprojectedEntry = apps.get_model("competitions", "UnprojectedEntry")
    ids = PointEntry.objects.filter(projected_at__isnull=True).values_list(
        "pk", flat=True
    )
    UnprojectedEntry.objects.bulk_create(
        (UnprojectedEntry(entry_id=pk) for pk in ids.iterator()), batch_size=5000
    )


def unqueue(apps, schema_editor):
    PointEntry = apps.get_model("competitions", "PointEntry")
    UnprojectedEntry = apps.get_model("competitions", "UnprojectedEntry")
    queued = UnprojectedEntry.objects.values("entry_id")
    PointEntry.objects.exclude(pk__in=queued).update(projected_at=models.F("created_at"))


def refuse_every_update(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_EVERY_UPDATE, params=None)


def allow_projected_at(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_PROJECTED_AT, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("competitions", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="UnprojectedEntry",
            fields=[
                (
                    "entry",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="competitions.pointentry",
                    ),
                ),
            ],
        ),
        migrations.RunPython(queue_unprojected, unqueue),
        migrations.RemoveIndex(model_name="pointentry", name="entry_unprojected"),
        # Reversed, the old guard must come back after projected_at does.
        migrations.RunPython(lambda apps, schema_editor: None, allow_projected_at),
        migrations.RemoveField(model_name="pointentry", name="projected_at"),
        migrations.RunPython(refuse_every_update, lambda apps, schema_editor: None),
        migrations.AlterField(
            model_name="pointentry",
            name="competition",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="competitions.competition",
            ),
        ),
        migrations.AlterField(
            model_name="pointentry",
            name="idempotency_key",
            field=models.CharField(max_length=200),
        ),
        migrations.AddConstraint(
            model_name="pointentry",
            constraint=models.UniqueConstraint(
                fields=("idempotency_key",), name="entry_idempotency_key_unique"
            ),
        ),
    ]
