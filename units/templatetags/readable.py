"""Filters that make the pages read as people write: names, not usernames;
percentages in the reader's own number format; audit events in words.

A builtin (config/settings.py), so every template can use them without a load.
"""

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from units import audit

register = template.Library()


@register.filter
def name_of(user) -> str:
    """The person's name for a user account: never the username when a name exists.

    Lists select `…__person` with the user, so this reads no row of its own.
    """
    if user is None:
        return "—"
    person = getattr(user, "person", None)
    if person is not None and person.display_name:
        return person.display_name
    return user.get_full_name() or user.get_username()


@register.filter
def percent(value, digits=0) -> str:
    """46,5 % in Vietnamese, 46.5% in English: the number in the reader's format."""
    if value in (None, ""):
        return ""
    try:
        number = formats.number_format(float(value), int(digits), use_l10n=True)
    except (TypeError, ValueError):
        return ""
    # Translated: Vietnamese writes a (no-break) space before the sign.
    return _("%(number)s%%") % {"number": number}


@register.filter
def number(value, digits=None) -> str:
    """A number grouped and with the reader's decimal mark (46.630; 1,97)."""
    if value in (None, ""):
        return ""
    try:
        return formats.number_format(
            value,
            None if digits is None else int(digits),
            use_l10n=True,
            force_grouping=True,
        )
    except (TypeError, ValueError):
        return str(value)


@register.filter
def audit_sentence(event) -> str:
    return audit.action_sentence(event)


@register.filter
def audit_page(event) -> str | None:
    return audit.object_page(event)
