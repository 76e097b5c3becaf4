from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommendationsConfig(AppConfig):
    name = "commendations"
    verbose_name = _("Commendations")

    def ready(self):
        from units.audit import describe_actions

        from . import actions

        describe_actions(actions.SENTENCES, pages=actions.PAGES)
