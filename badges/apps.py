from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "badges"
    verbose_name = _("Badges")

    def ready(self):
        from django.conf import settings

        from learning.openapi import contribute
        from units import not_found, schedule
        from units.audit import describe_actions
        from units.panels import register_unit_panel

        from . import (
            actions,
            receivers,  # noqa: F401  (connects the signal receivers)
            services,
        )
        from .apidoc import document_part
        from .panels import badges_panel

        describe_actions(actions.SENTENCES, pages=actions.PAGES)
        register_unit_panel(badges_panel)
        not_found.register("/badges/", _unknown_address)
        contribute(document_part)
        schedule.register(
            "badges.publish",
            every=lambda: settings.BADGES_PUBLISH_SECONDS,
            run=services.evaluate_published,
        )


def _unknown_address(request):
    # Imported when a badge address is missing, not at start-up (Pillow, JOSE).
    from .views import unknown_address

    return unknown_address(request)
