from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from badges import seeded

    seeded.load(apps.get_model("badges", "BadgeClass"), at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("badges", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
