from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from badges.seeded import CLASSES

    BadgeClass = apps.get_model("badges", "BadgeClass")
    now = timezone.now()
    for spec in CLASSES:
        if BadgeClass.objects.filter(slug=spec["slug"]).exists():
            continue
        BadgeClass.objects.create(
            **spec, version=1, status="published", published_at=now
        )


class Migration(migrations.Migration):
    dependencies = [("badges", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
