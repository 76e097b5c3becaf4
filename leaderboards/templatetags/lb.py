from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from leaderboards.selectors import entity_label as _entity_label
from units import charts

register = template.Library()


@register.filter
def entity_label(entity: str) -> str:
    return _entity_label(entity)


@register.filter
def period_label(period: str) -> str:
    return {"week": _("This week"), "month": _("This month"), "all": _("All time")}.get(
        period, period
    )


@register.filter
def period_short(period: str) -> str:
    """The period in a chip on a phone."""
    return {
        "week": _("This week"),
        "month": _("This month"),
        "all": _("Whole round"),
    }.get(period, period)


@register.filter
def measure_label(measure: str) -> str:
    return {
        "points": _("Points"),
        "per_member": _("Points per member"),
        "kpi": _("Target reached"),
    }.get(measure, measure)


@register.filter
def measure_short(measure: str) -> str:
    """The measure in a word or two, for a chip on a phone (its title says it all)."""
    return {
        "points": _("Points"),
        "per_member": _("Per member"),
        "kpi": _("% of target"),
    }.get(measure, measure)


@register.filter
def measure_value(value, measure: str) -> str:
    """The board's value as the reader writes numbers: 46.630; 1,97 % (static/js/
    board.js writes live updates the same way)."""
    if measure == "kpi":
        rounded = round(float(value), 2)
        number = formats.number_format(
            int(rounded) if rounded.is_integer() else rounded, force_grouping=True
        )
        # The same msgid as units.templatetags.readable.percent: "1,97 %" in Vietnamese.
        return _("%(number)s%%") % {"number": number}
    if measure == "per_member":
        return formats.number_format(value, 2, force_grouping=True)
    return formats.number_format(value, force_grouping=True)


@register.simple_tag
def row_picture(row, board, size=32):
    """A person's avatar, or the emblem of a unit of the board's kind."""
    if board.is_people:
        return charts.avatar(row.name, size=size, anonymous=row.name == _("Anonymous"))
    return charts.emblem(row.name, board.entity, size=size)
