from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from units.audit import describe_actions

        from . import actions

        describe_actions(actions.SENTENCES, pages=actions.PAGES)
