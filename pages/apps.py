from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The pages that gather every app: the home page, a person's own page, the
    design reference, and what makes the site installable. Nothing imports it."""

    name = "pages"
    verbose_name = _("Pages")
