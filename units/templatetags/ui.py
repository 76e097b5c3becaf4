"""The design system's components as template tags: `{% load ui %}`.

Every page draws standings the same way with these (see /design/ in DEBUG): an
avatar or unit emblem, a change arrow with the places moved, a progress bar with
its number in text, a stat tile, sparklines and bar charts drawn on the server.
"""

from django import template
from django.utils.translation import gettext as _

from units import charts

register = template.Library()


@register.filter
def num(value, decimals=None):
    """A number as Vietnamese writes it: 46.630 and 1,97 (English: 46,630, 1.97)."""
    if value is None or value == "":
        return ""
    try:
        if decimals is None:
            if isinstance(value, float) and not value.is_integer():
                return charts.format_number(value, 2)
            return charts.format_number(int(value))
        return charts.format_number(float(value), int(decimals))
    except (TypeError, ValueError):
        return value


@register.simple_tag
def avatar(name, size=40, anonymous=False):
    """A person's avatar; people who appear anonymously (their public name is
    "Anonymous") get the anonymous one, whoever renders them."""
    anonymous = bool(anonymous) or str(name) == _("Anonymous")
    return charts.avatar(str(name), size=int(size), anonymous=anonymous)


@register.simple_tag
def emblem(name, kind, size=40):
    return charts.emblem(str(name), str(kind), size=int(size))


@register.simple_tag
def sparkline(values, label, width=120, height=32):
    return charts.sparkline(values, label=str(label), width=width, height=height)


@register.simple_tag
def bar(value, maximum):
    return charts.bar(value or 0, maximum or 0)


@register.simple_tag
def columns(items, label, height=120):
    return charts.column_chart(items, label=str(label), height=int(height))


@register.inclusion_tag("ui/change.html")
def change(was, now):
    """Places moved since `was` (None: not ranked then, a newcomer)."""
    if now is None:
        return {"kind": "none"}
    if was is None:
        return {"kind": "new"}
    moved = int(was) - int(now)
    if moved > 0:
        return {"kind": "up", "places": moved}
    if moved < 0:
        return {"kind": "down", "places": -moved}
    return {"kind": "same"}


@register.inclusion_tag("ui/progress.html")
def progress(value, maximum=100, label="", suffix="%"):
    """A styled <progress> with its number written beside it."""
    try:
        value = float(value or 0)
        maximum = float(maximum or 0)
    except (TypeError, ValueError):
        value, maximum = 0.0, 0.0
    shown = min(value, maximum) if maximum else 0
    return {
        "value": shown,
        "maximum": maximum or 1,
        "label": label,
        "text": value,
        # "of": the value out of the maximum ("4 / 5"); "%": a percentage.
        "suffix": f" / {charts.format_number(maximum)}" if suffix == "of" else suffix,
        "percent": suffix == "%",
    }


@register.inclusion_tag("ui/stat.html")
def stat(value, label, note="", trend=None, trend_label=""):
    return {
        "value": value,
        "label": label,
        "note": note,
        "trend": trend,
        "trend_label": trend_label,
    }


@register.simple_tag
def medal(colour, size=40):
    return charts.medal(str(colour), size=int(size))
