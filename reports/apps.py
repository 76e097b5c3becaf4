from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def _every() -> float:
    return float(getattr(settings, "REPORTS_RECONCILE_MINUTES", 24 * 60)) * 60


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Targets and reports")

    def ready(self):
        from units import schedule
        from units.audit import describe_actions
        from units.panels import register_unit_panel

        from . import receivers  # noqa: F401  (connects the signal receivers)
        from .panels import reports_panel
        from .tallies import reconcile

        register_unit_panel(reports_panel)
        describe_actions({"target.set": _("Set the unit's target for a target group")})
        schedule.register("reports.reconcile", every=_every, run=reconcile)
