"""The reports' line on the unit page: a link to the unit's KPI dashboard."""

from units.permissions import Action, can


def reports_panel(request, unit):
    if not can(request.user, Action.VIEW_REPORTS, unit):
        return None
    return "reports/unit_panel.html", {"unit": unit}
