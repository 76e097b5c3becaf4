from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Units and people")

    def ready(self):
        from . import actions, schedule
        from .audit import describe_actions

        describe_actions(actions.SENTENCES, pages=actions.PAGES)
        from .media import remove_orphan_files

        schedule.register(
            "media.remove_orphan_files",
            every=lambda: settings.MEDIA_CLEANUP_MINUTES * 60,
            run=remove_orphan_files,
        )
