from django.core.management.base import BaseCommand

from reports.tallies import reconcile


class Command(BaseCommand):
    help = "Compare the report counters with the records and repair what drifted."

    def handle(self, *args, **options):
        repaired = reconcile(progress=lambda name: self.stdout.write(f"{name} checked"))
        self.stdout.write(
            f"facts repaired: {repaired['facts']}, tallies repaired: {repaired['tallies']}"
        )
