"""The campaigns' activity types (check-ins and goals met), and snapshots that
PostgreSQL itself refuses to change or delete (the function of competitions/0002)."""

from django.db import migrations

ACTIVITIES = [
    # code, name, event label, quantity label, credits a person
    ("campaign-class", "Lớp hướng dẫn kỹ năng số (chiến dịch)", "lớp", "học viên", True),
    (
        "campaign-merchants-4t",
        "Hướng dẫn tiểu thương mô hình 4T (Chợ số – Nông thôn số)",
        "buổi",
        "tiểu thương",
        True,
    ),
    ("campaign-goal-met", "Đạt chỉ tiêu chiến dịch", "chỉ tiêu", "chỉ tiêu", False),
]

TRIGGER = (
    "CREATE TRIGGER campaigns_snapshot_append_only BEFORE UPDATE OR DELETE ON "
    "campaigns_snapshot FOR EACH ROW EXECUTE FUNCTION thidua_refuse_change();"
)


def seed(apps, schema_editor):
    ActivityType = apps.get_model("competitions", "ActivityType")
    for code, name, event, quantity, person in ACTIVITIES:
        ActivityType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "event_label": event,
                "quantity_label": quantity,
                "credits_person": person,
            },
        )


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS campaigns_snapshot_append_only ON campaigns_snapshot;",
            params=None,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("competitions", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
