from django.core.management.base import BaseCommand

from leaderboards.reconciliation import reconcile_and_repair


class Command(BaseCommand):
    help = (
        "Compare every current board with the ledger and repair the members that "
        "differ (what the server runs every LEADERBOARD_RECONCILE_MINUTES)."
    )

    def handle(self, *args, **options):
        outcome = reconcile_and_repair()
        for repair in outcome.repairs:
            self.stdout.write(
                f"  {repair.key} member {repair.member}: store {repair.store}, "
                f"ledger {repair.ledger}"
            )
        if outcome.rebuilt:
            summary = f"{outcome.mismatches} differences: every board rebuilt."
        else:
            summary = (
                f"{outcome.boards} boards checked, {outcome.mismatches} differences "
                f"seen, {len(outcome.repairs)} repaired."
            )
        self.stdout.write(self.style.SUCCESS(summary))
