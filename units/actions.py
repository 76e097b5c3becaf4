"""The audit actions of the unit tree and people, in words (units.audit)."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "unit.moved": _("Moved the unit under another parent unit"),
    "unit.headcounts_changed": _("Updated the unit's headcounts"),
    "unit.activated": _("Reactivated the unit"),
    "unit.deactivated": _("Deactivated the unit"),
    "person.activated": _("Reactivated a person"),
    "person.deactivated": _("Deactivated a person"),
}
PAGES = {"units.unit": "units:detail", "units.person": "competitions:person_points"}
