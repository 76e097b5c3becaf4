from django.db import migrations


def load(apps, schema_editor):
    from learning import frameworks

    frameworks.load(
        apps.get_model("learning", "SkillFramework"),
        apps.get_model("learning", "SkillArea"),
        apps.get_model("learning", "Skill"),
    )
    ActivityType = apps.get_model("competitions", "ActivityType")
    for code, name, label, person in frameworks.ACTIVITY_TYPES:
        ActivityType.objects.get_or_create(
            code=code,
            defaults={"name": name, "quantity_label": label, "credits_person": person},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0001_initial"),
        ("competitions", "0002_append_only_triggers"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
