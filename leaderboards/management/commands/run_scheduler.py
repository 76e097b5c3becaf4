"""The production scheduler: projects what awards left behind and runs the
scheduled jobs that are due (units/schedule.py), in one process of its own.

With SCHEDULER=process the workers start no timer and this is the one mechanism
(deploy/systemd/thidua-scheduler.service). Several of these on several machines
are safe: each job is claimed through a row lock and runs once per interval.
"""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from leaderboards.projector import catch_up_round, scheduled_round


class Command(BaseCommand):
    help = "Run the scheduled jobs and the catch-up projection until stopped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="one round, then exit (cron, tests)"
        )

    def handle(self, *args, once=False, **options):
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        while True:
            projected = catch_up_round()
            ran = scheduled_round()
            if once:
                self.stdout.write(
                    f"projected {projected} entries; ran {', '.join(ran) or 'no job'}"
                )
                return
            interval = settings.LEADERBOARD_CATCH_UP_SECONDS
            if stop.wait(interval if interval > 0 else 1.0):
                return
