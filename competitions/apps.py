from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionsConfig(AppConfig):
    name = "competitions"
    verbose_name = _("Competitions and points")

    def ready(self):
        from units.audit import describe_actions
        from units.panels import register_unit_panel

        from . import actions
        from .panels import points_panel

        describe_actions(actions.SENTENCES, pages=actions.PAGES)
        register_unit_panel(points_panel)
