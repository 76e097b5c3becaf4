from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Units and people")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import actions, metrics, schedule, schedule_metrics
        from .audit import describe_actions

        describe_actions(actions.SENTENCES, pages=actions.PAGES)
        from .media import remove_orphan_files
        from .models import Unit
        from .selectors import forget_unit_index

        # The unit search's folded names (units.selectors) follow saved units.
        post_save.connect(forget_unit_index, sender=Unit, dispatch_uid="unit-index")
        post_delete.connect(
            forget_unit_index, sender=Unit, dispatch_uid="unit-index-delete"
        )

        metrics.register_collector(schedule_metrics.collect)
        schedule.register(
            "media.remove_orphan_files",
            every=lambda: settings.MEDIA_CLEANUP_MINUTES * 60,
            run=remove_orphan_files,
        )
