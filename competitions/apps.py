from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionsConfig(AppConfig):
    name = "competitions"
    verbose_name = _("Competitions and points")

    def ready(self):
        from units.panels import register_unit_panel

        from .panels import points_panel

        register_unit_panel(points_panel)
