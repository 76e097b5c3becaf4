from django import template
from django.utils.translation import gettext as _

from leaderboards.selectors import entity_label as _entity_label

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
def measure_label(measure: str) -> str:
    return {
        "points": _("Points"),
        "per_member": _("Points per member"),
        "kpi": _("Target reached"),
    }.get(measure, measure)


@register.filter
def measure_value(value, measure: str) -> str:
    if measure == "kpi":
        return f"{value:g}%"
    if measure == "per_member":
        return f"{value:.2f}"
    return str(value)
