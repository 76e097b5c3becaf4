import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from competitions.sealing import export_lines


class Command(BaseCommand):
    help = (
        "Write the sealed ledger with its block digests as JSON lines (to a file "
        "or stdout); scripts/verify_ledger_file.py checks it offline."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="default: stdout")

    def handle(self, *args, path=None, **options):
        out = path.open("w", encoding="utf-8") if path else sys.stdout
        try:
            for line in export_lines():
                out.write(line + "\n")
        finally:
            if path:
                out.close()
