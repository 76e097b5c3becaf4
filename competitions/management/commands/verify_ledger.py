from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from competitions.sealing import read_reference, verify


class Command(BaseCommand):
    help = (
        "Check every sealed block of the ledger against the rows in the database: "
        "changed, deleted or inserted entries, rewritten blocks, a broken chain. "
        "Exits 1 on any problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--against",
            type=Path,
            help="a copy of /ledger/blocks.json or of an export_ledger file taken "
            "earlier: also catches a chain rewritten since, and names changed entries",
        )
        parser.add_argument("--quiet", action="store_true", help="print problems only")

    def handle(self, *args, against=None, quiet=False, **options):
        published, lines = None, None
        if against is not None:
            try:
                published, lines = read_reference(
                    against.read_text(encoding="utf-8").splitlines(keepends=True)
                )
            except (OSError, ValueError, KeyError) as error:
                raise CommandError(f"cannot read {against}: {error}") from None
        result = verify(published=published, reference_lines=lines)
        for problem in result.problems:
            self.stderr.write(str(problem))
        if not quiet or not result.ok:
            self.stdout.write(
                f"{result.blocks:,} blocks, {result.entries:,} sealed entries, "
                f"head {result.head}: "
                + (
                    "the ledger matches its seals."
                    if result.ok
                    else f"{len(result.problems)} problems."
                )
            )
        if not result.ok:
            raise SystemExit(1)
