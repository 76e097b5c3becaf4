from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from badges import services
from badges.models import BadgeClass


class Command(BaseCommand):
    help = (
        "Award every published badge class to everyone who already qualifies: the "
        "classes not yet evaluated since they were published, or --all, or --class."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every published class")
        parser.add_argument("--class", dest="slug", help="one class, by its code")
        parser.add_argument("--chunk", type=int, default=200_000)

    def handle(self, *args, all=False, slug=None, chunk=200_000, **options):
        classes = BadgeClass.objects.published().exclude(criteria={}).order_by("pk")
        if slug:
            classes = classes.filter(slug=slug)
            if not classes.exists():
                raise CommandError(f"No published badge has the code {slug!r}.")
        elif not all:
            classes = classes.filter(evaluated_at__isnull=True)
        if not classes.exists():
            self.stdout.write("Every published badge is evaluated already.")
            return
        for badge_class in classes:

            def progress(done, total, name=badge_class.name):
                width = 30
                filled = int(width * done / max(total, 1))
                self.stdout.write(
                    f"\r{name[:28]:<28} [{'#' * filled}{'.' * (width - filled)}] "
                    f"{done:,}/{total:,}",
                    ending="",
                )
                self.stdout.flush()

            made = services.backfill_class(
                badge_class, at=timezone.now(), chunk=chunk, progress=progress
            )
            self.stdout.write(f"\n{badge_class.name}: {made:,} awarded")
