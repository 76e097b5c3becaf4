from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from units.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, build_demo
from units.models import Person, Unit


class Command(BaseCommand):
    help = "Build the demo province (idempotent) and print the demo accounts."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: demo accounts share one "
                "published password and must never exist in production."
            )
        added = build_demo()
        if added:
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        else:
            self.stdout.write("Demo data already present; nothing added.")
        self.stdout.write(
            f"{Unit.objects.count()} units, {Person.objects.count()} people.\n"
        )
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<15} {account.description}")
