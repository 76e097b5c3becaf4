"""Invite codes grow from six digits to twelve characters (learning/codes.py).

Every invite gets a fresh long code: an open invite keeps working by its link and
QR code (its token is unchanged) and by the new code its mentor sees on the
mentoring page; the old six-digit code, one guess in a hundred with 10,000 invites
open, is accepted no more. Then codes are made unique over all invites.
"""

import secrets

from django.db import migrations, models

import learning.models
from learning.codes import new_code


def recode(apps, schema_editor):
    MentorInvite = apps.get_model("learning", "MentorInvite")
    taken: set[str] = set()
    for invite in MentorInvite.objects.only("pk").order_by("pk").iterator():
        code = new_code()
        while code in taken:  # 1 in 3.7e15 a draw; cheap to rule out anyway
            code = new_code()
        taken.add(code)
        MentorInvite.objects.filter(pk=invite.pk).update(code=code)


def back_to_six_digits(apps, schema_editor):
    MentorInvite = apps.get_model("learning", "MentorInvite")
    for invite in MentorInvite.objects.only("pk").order_by("pk").iterator():
        MentorInvite.objects.filter(pk=invite.pk).update(
            code=f"{secrets.randbelow(10**6):06d}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0003_import_preview_counts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="mentorinvite",
            name="code",
            field=models.CharField(
                db_index=True, default=learning.models.invite_code, max_length=12
            ),
        ),
        migrations.RunPython(recode, back_to_six_digits, elidable=False),
        migrations.AlterField(
            model_name="mentorinvite",
            name="code",
            field=models.CharField(
                default=learning.models.invite_code, max_length=12, unique=True
            ),
        ),
    ]
