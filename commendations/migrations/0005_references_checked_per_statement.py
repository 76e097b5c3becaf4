"""A nomination's references are checked once per statement by a trigger, not row
by row by foreign keys (Nomination's REFERENCES_CHECKED_PER_STATEMENT note;
measured in `make bench` (i))."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# (column, table it names): each statement's distinct values must exist there.
REFERENCES = [
    ("review_id", "commendations_review"),
    ("rule_id", "commendations_proposalrule"),
    ("award_type_id", "commendations_awardtype"),
    ("nominating_unit_id", "units_unit"),
    ("authority_unit_id", "units_unit"),
    ("proposed_by_id", "auth_user"),
    ("person_id", "units_person"),
    ("unit_id", "units_unit"),
    ("nominee_unit_id", "units_unit"),
]
MISSING = "\n        OR ".join(
    f"EXISTS (SELECT 1 FROM (SELECT DISTINCT {column} AS id FROM written "
    f"WHERE {column} IS NOT NULL) v "
    f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = v.id))"
    for column, table in REFERENCES
)
CREATE = f"""
CREATE FUNCTION commendations_nomination_references() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF {MISSING}
    THEN
        RAISE EXCEPTION 'a nomination names a review, rule, award type, person, unit or user that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER commendations_nomination_references_inserted
    AFTER INSERT ON commendations_nomination REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION commendations_nomination_references();
CREATE TRIGGER commendations_nomination_references_updated
    AFTER UPDATE ON commendations_nomination REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION commendations_nomination_references();
"""
DROP = """
DROP TRIGGER IF EXISTS commendations_nomination_references_inserted
    ON commendations_nomination;
DROP TRIGGER IF EXISTS commendations_nomination_references_updated
    ON commendations_nomination;
DROP FUNCTION IF EXISTS commendations_nomination_references();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("commendations", "0004_fewer_nomination_indexes"),
        ("units", "0006_audit_request_id"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="nomination",
            name="authority_unit",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="nominations_to_decide",
                to="units.unit",
                verbose_name="decided by",
            ),
        ),
        migrations.AlterField(
            model_name="nomination",
            name="award_type",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="nominations",
                to="commendations.awardtype",
                verbose_name="award",
            ),
        ),
        migrations.AlterField(
            model_name="nomination",
            name="nominating_unit",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="nominations_made",
                to="units.unit",
                verbose_name="nominated by",
            ),
        ),
        migrations.AlterField(
            model_name="nomination",
            name="nominee_unit",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="units.unit",
                verbose_name="unit",
            ),
        ),
        migrations.AlterField(
            model_name="nomination",
            name="person",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="nominations",
                to="units.person",
            ),
        ),
        migrations.AlterField(
            model_name="nomination",
            name="proposed_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="nomination",
            name="review",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="nominations",
                to="commendations.review",
            ),
        ),
        migrations.AlterField(
            model_name="nomination",
            name="rule",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="commendations.proposalrule",
            ),
        ),
        migrations.AlterField(
            model_name="nomination",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="nominations",
                to="units.unit",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
