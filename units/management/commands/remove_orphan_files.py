from datetime import timedelta

from django.core.management.base import BaseCommand

from units.media import remove_orphan_files


class Command(BaseCommand):
    help = (
        "Remove uploaded files that no row names any more (left by transactions "
        "that rolled back), once older than MEDIA_ORPHAN_AGE_MINUTES; the server "
        "does this every MEDIA_CLEANUP_MINUTES."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            metavar="MINUTES",
            help="only files last written this many minutes ago or earlier",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list the orphans, remove nothing"
        )

    def handle(self, *args, older_than=None, dry_run=False, **options):
        outcome = remove_orphan_files(
            older_than=None if older_than is None else timedelta(minutes=older_than),
            dry_run=dry_run,
        )
        for name in outcome.removed:
            self.stdout.write(f"  {'would remove' if dry_run else 'removed'} {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome.checked} files checked, {len(outcome.removed)} orphans "
                f"{'found' if dry_run else 'removed'}, {outcome.too_recent} too recent "
                "to judge."
            )
        )
