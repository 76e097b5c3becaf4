"""The audit actions of badges, in words (units.audit)."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "badge_class.publish": _("Published a badge"),
    "badge_class.new_version": _("Started a new version of a badge"),
    "badge.award": _("Awarded a badge"),
    "badge.revoke": _("Revoked a badge"),
}
PAGES = {"badges.badgeclass": "badges:class"}
