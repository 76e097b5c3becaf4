from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self):
        from units.audit import describe_actions
        from units.report_sections import register_report_section

        from . import actions
        from .report import campaigns_section

        describe_actions(actions.SENTENCES, pages=actions.PAGES)
        register_report_section("campaigns", campaigns_section)
