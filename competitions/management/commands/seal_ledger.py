from django.core.management.base import BaseCommand

from competitions.sealing import seal


class Command(BaseCommand):
    help = "Seal the ledger entries committed since the last block (the scheduled job does this every minute)."

    def handle(self, *args, **options):
        sealed = seal(max_blocks=10_000)
        if not sealed.blocks:
            self.stdout.write("Nothing to seal.")
            return
        self.stdout.write(
            f"Sealed {sealed.entries:,} entries in blocks "
            f"{sealed.blocks[0].number}-{sealed.blocks[-1].number}; "
            f"head {sealed.blocks[-1].digest}"
        )
