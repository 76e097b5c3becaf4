"""The points section of the unit page."""

from units.permissions import Action, can

from . import selectors


def points_panel(request, unit):
    competitions = selectors.competitions_for_unit(unit)
    boards = [selectors.unit_points(unit, competition) for competition in competitions]
    recent = []
    if can(request.user, Action.VIEW_SUBMISSIONS, unit):
        recent = list(selectors.submissions_of_units([unit])[:10])
    return "competitions/unit_panel.html", {
        "boards": boards,
        "recent": recent,
        "unit": unit,
    }
