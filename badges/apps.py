from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "badges"
    verbose_name = _("Badges")

    def ready(self):
        from learning.openapi import contribute
        from units.panels import register_unit_panel

        from . import receivers  # noqa: F401  (connects the signal receivers)
        from .apidoc import document_part
        from .panels import badges_panel

        register_unit_panel(badges_panel)
        contribute(document_part)
