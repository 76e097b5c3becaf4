import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from units.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from units.models import Person, Unit


def demo_modules():
    """Each installed app's `demo` module, in INSTALLED_APPS order.

    Apps above `units` add their own demo data (competitions, history, badges)
    without `units` importing them.
    """
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


def _count_new_rows() -> None:
    """Give PostgreSQL's planner the counts of the rows just added: autovacuum never
    sees a transaction's rows before it commits, and without statistics one query
    of the badges' backfill took 4 s on the demo instead of milliseconds."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class Command(BaseCommand):
    help = "Build the demo province (idempotent) and print the demo accounts."

    def handle(self, *args, **options):
        if not (settings.DEBUG or settings.DEMO):
            raise CommandError(
                "seed_demo refuses to run with DEBUG off (and DEMO=1 unset): demo "
                "accounts share one published password and must never exist in "
                "production."
            )
        context: dict = {}
        added = []
        with transaction.atomic():
            for module in demo_modules():
                if module.seed(context):
                    added.append(module.__name__)
                    _count_new_rows()
        if added:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data created ({', '.join(added)}).")
            )
        else:
            self.stdout.write("Demo data already present; nothing added.")
        self.stdout.write(
            f"{Unit.objects.count()} units, {Person.objects.count()} people.\n"
        )
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<15} {account.description}")
