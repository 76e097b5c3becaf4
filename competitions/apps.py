from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionsConfig(AppConfig):
    name = "competitions"
    verbose_name = _("Competitions and points")

    def ready(self):
        from django.conf import settings

        from units import metrics, schedule
        from units.audit import describe_actions
        from units.panels import register_unit_panel

        from . import actions, sealing
        from .panels import points_panel

        describe_actions(actions.SENTENCES, pages=actions.PAGES)
        register_unit_panel(points_panel)
        metrics.register_collector(sealing.collect_metrics)
        schedule.register(
            "ledger.seal",
            every=lambda: settings.LEDGER_SEAL_SECONDS,
            run=sealing.seal_job,
        )
        schedule.register(
            "ledger.verify",
            every=lambda: settings.LEDGER_VERIFY_MINUTES * 60,
            run=sealing.verify_job,
        )
