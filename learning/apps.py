from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("Learning and mentoring")

    def ready(self):
        from units.audit import describe_actions
        from units.panels import register_unit_panel

        from . import actions
        from .panels import learning_panel

        describe_actions(actions.SENTENCES, pages=actions.PAGES)
        register_unit_panel(learning_panel)
