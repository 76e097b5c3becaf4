"""Make the ledger and the audit trail append-only in PostgreSQL itself.

The audit trail refuses every UPDATE and DELETE. The ledger refuses DELETE, and an
UPDATE that sets any column but `projected_at` (which the projector sets once).
SQLite, the embedded development default, gets no trigger: the tests that prove
this run on PostgreSQL.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION thidua_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;


CREATE TRIGGER units_auditevent_append_only
    BEFORE UPDATE OR DELETE ON units_auditevent
    FOR EACH ROW EXECUTE FUNCTION thidua_refuse_change();

CREATE TRIGGER competitions_pointentry_no_delete
    BEFORE DELETE ON competitions_pointentry
    FOR EACH ROW EXECUTE FUNCTION thidua_refuse_change();

-- Fires when an UPDATE names any column but projected_at, so the projector's
-- "SET projected_at = now()" costs nothing extra on a million rows.
CREATE TRIGGER competitions_pointentry_update_guard
    BEFORE UPDATE OF id, competition_id, person_id, unit_id, points, activity_type_id,
        rule_id, quantity, submission_id, source, explanation, capped, reverses_id,
        idempotency_key, occurred_at, created_at, created_by_id
    ON competitions_pointentry
    FOR EACH ROW EXECUTE FUNCTION thidua_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS units_auditevent_append_only ON units_auditevent;
DROP TRIGGER IF EXISTS competitions_pointentry_no_delete ON competitions_pointentry;
DROP TRIGGER IF EXISTS competitions_pointentry_update_guard ON competitions_pointentry;
DROP FUNCTION IF EXISTS thidua_refuse_change();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("competitions", "0001_initial"),
        ("units", "0002_auditevent"),
    ]

    operations = [migrations.RunPython(create, drop)]
