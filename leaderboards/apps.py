from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LeaderboardsConfig(AppConfig):
    name = "leaderboards"
    verbose_name = _("Leaderboards")

    def ready(self):
        from units import metrics, schedule

        from . import metrics as board_metrics
        from . import receivers  # noqa: F401  (connects the signal receivers)
        from .reconciliation import reconcile_and_repair
        from .snapshots import take_if_due

        metrics.register_collector(board_metrics.collect)
        schedule.register(
            "leaderboards.reconcile",
            every=lambda: settings.LEADERBOARD_RECONCILE_MINUTES * 60,
            run=reconcile_and_repair,
        )
        schedule.register(
            "leaderboards.rank_snapshot",
            every=lambda: settings.LEADERBOARD_SNAPSHOT_MINUTES * 60,
            run=take_if_due,
        )
