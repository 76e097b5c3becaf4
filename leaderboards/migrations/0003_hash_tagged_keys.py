"""Board keys carry a Redis Cluster hash tag: `lb:1:3:village:w202647` becomes
`lb:{1:w202647:u}:3:village` (leaderboards.boards.storage_key). The SQL store's rows
are renamed here; Redis finds its key format changed and is rebuilt from the
ledger by the first catch-up (RedisStore.lost_everything)."""

import re

from django.db import migrations

OLD = re.compile(r"^lb:(\d+):(\d+):([a-z_]+):([a-z0-9]+)$")


def new_key(key: str) -> str:
    match = OLD.match(key)
    if not match:
        return key
    competition, scope, entity, instance = match.groups()
    group = "p" if entity == "people" else "u"
    return f"lb:{{{competition}:{instance}:{group}}}:{scope}:{entity}"


def old_key(key: str) -> str:
    match = re.match(r"^lb:\{(\d+):([a-z0-9]+):[pu]\}:(\d+):([a-z_]+)$", key)
    if not match:
        return key
    competition, instance, scope, entity = match.groups()
    return f"lb:{competition}:{scope}:{entity}:{instance}"


def rename(apps, convert):
    for name in ("Standing", "RankSnapshot"):
        model = apps.get_model("leaderboards", name)
        for board in model.objects.values_list("board", flat=True).distinct():
            renamed = convert(board)
            if renamed != board:
                model.objects.filter(board=board).update(board=renamed)


class Migration(migrations.Migration):
    dependencies = [("leaderboards", "0002_rank_snapshot")]

    operations = [
        migrations.RunPython(
            lambda apps, schema_editor: rename(apps, new_key),
            lambda apps, schema_editor: rename(apps, old_key),
        )
    ]
