from django.db import migrations

from learning.frameworks import EVENT_LABELS


def label_events(apps, schema_editor):
    ActivityType = apps.get_model("competitions", "ActivityType")
    for code, label in EVENT_LABELS.items():
        ActivityType.objects.filter(code=code, event_label="lần").update(
            event_label=label
        )


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0004_longer_invite_codes"),
        ("competitions", "0004_activity_event_label"),
    ]

    operations = [migrations.RunPython(label_events, migrations.RunPython.noop)]
