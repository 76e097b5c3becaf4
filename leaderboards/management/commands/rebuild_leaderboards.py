import sys

from django.core.management.base import BaseCommand

from leaderboards import projector


class Command(BaseCommand):
    help = "Rebuild every leaderboard from the ledger (or, with --check, compare only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="compare the store with the ledger; change nothing",
        )

    def handle(self, *args, check=False, **options):
        if check:
            result = projector.reconcile()
            self.stdout.write(
                f"{result.boards} boards, {result.members} members, {len(result.mismatches)} mismatches"
            )
            for key, member, expected, actual in result.mismatches[:20]:
                self.stdout.write(
                    f"  {key} member {member}: ledger {expected}, store {actual}"
                )
            if result.mismatches:
                sys.exit(1)
            return

        def progress(done, total):
            width = 30
            filled = int(width * done / total)
            self.stdout.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} periods",
                ending="",
            )
            self.stdout.flush()

        report = projector.rebuild(progress=progress)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {report.boards} boards, {report.members} members in {report.seconds:.2f}s "
                f"({report.marked} entries were waiting)."
            )
        )
