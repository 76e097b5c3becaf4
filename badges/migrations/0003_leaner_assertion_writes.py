"""Fewer costs per award written: a publication writes a million at once.

The indexes other indexes cover are dropped (person and unit alone, the slug),
those on columns empty on nearly every award become partial (as does the class's,
kept for the revocation lists), and the class and person lose their per-row
foreign-key check. In its place, on PostgreSQL, a class
or a person that has awards cannot be deleted (SQLite, the development default,
relies on the ORM's PROTECT).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


CREATE = """
CREATE OR REPLACE FUNCTION badges_refuse_delete_awarded() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'units_person' THEN
        PERFORM 1 FROM badges_assertion WHERE person_id = OLD.id LIMIT 1;
    ELSE
        -- An award carries its class's slug: the unique indexes find it.
        PERFORM 1 FROM badges_assertion WHERE badge_slug = OLD.slug
            AND person_id IS NOT NULL AND badge_class_id = OLD.id LIMIT 1;
        IF NOT FOUND THEN
            PERFORM 1 FROM badges_assertion WHERE badge_slug = OLD.slug
                AND unit_id IS NOT NULL AND badge_class_id = OLD.id LIMIT 1;
        END IF;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION '% % has badge awards: DELETE refused', TG_TABLE_NAME, OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER badges_person_awarded_no_delete
    BEFORE DELETE ON units_person
    FOR EACH ROW EXECUTE FUNCTION badges_refuse_delete_awarded();

CREATE TRIGGER badges_class_awarded_no_delete
    BEFORE DELETE ON badges_badgeclass
    FOR EACH ROW EXECUTE FUNCTION badges_refuse_delete_awarded();
"""

DROP = """
DROP TRIGGER IF EXISTS badges_person_awarded_no_delete ON units_person;
DROP TRIGGER IF EXISTS badges_class_awarded_no_delete ON badges_badgeclass;
DROP FUNCTION IF EXISTS badges_refuse_delete_awarded();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("badges", "0002_seeded_classes"),
        ("units", "0004_sent_forms"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="assertion",
            name="badges_asse_unit_id_3f201d_idx",
        ),
        migrations.AlterField(
            model_name="assertion",
            name="awarded_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="assertion",
            name="badge_class",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assertions",
                to="badges.badgeclass",
            ),
        ),
        migrations.AlterField(
            model_name="assertion",
            name="badge_slug",
            field=models.SlugField(db_index=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="assertion",
            name="person",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="badge_assertions",
                to="units.person",
            ),
        ),
        migrations.AlterField(
            model_name="assertion",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="assertion",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="badge_assertions",
                to="units.unit",
            ),
        ),
        migrations.AddIndex(
            model_name="assertion",
            index=models.Index(
                condition=models.Q(("unit__isnull", False)),
                fields=["unit", "issued_at"],
                name="assertion_unit_wall",
            ),
        ),
        migrations.AddIndex(
            model_name="assertion",
            index=models.Index(
                condition=models.Q(("revoked_at__isnull", False)),
                fields=["badge_class"],
                name="assertion_revoked_in_class",
            ),
        ),
        migrations.AddIndex(
            model_name="assertion",
            index=models.Index(
                condition=models.Q(("awarded_by__isnull", False)),
                fields=["awarded_by"],
                name="assertion_awarded_by",
            ),
        ),
        migrations.AddIndex(
            model_name="assertion",
            index=models.Index(
                condition=models.Q(("revoked_by__isnull", False)),
                fields=["revoked_by"],
                name="assertion_revoked_by",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
