"""Awards made on request by a process of their own (`python -m bench.awarder
<competition id> <village id>`), for measuring award → subscriber with a client
that does not share the awarding interpreter, as a phone never shares the worker
that credits it. (Whether sharing it inflated the in-process figure was the
question; in runs D–F it did not, README "Badges".) Each line read is "village"
or "person", then "on" or "off" (badge evaluation); each award done is answered
"ok".
"""

import os
import random
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["LEADERBOARD_CATCH_UP_SECONDS"] = "0"
    import django

    django.setup()
    from django.conf import settings

    from bench.fanout import award_once
    from competitions.models import Competition
    from units.models import Membership, Unit

    competition = Competition.objects.get(pk=int(sys.argv[1]))
    village = Unit.objects.get(pk=int(sys.argv[2]))
    people = list(
        Membership.objects.filter(unit=village, is_primary=True).values_list(
            "person_id", flat=True
        )
    )
    print("ready", flush=True)
    for line in sys.stdin:
        who, badges = line.split()
        settings.BADGES_EVALUATE = badges == "on"
        award_once(
            competition, village, random.choice(people) if who == "person" else None
        )
        print("ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
