from units.permissions import Action, can_somewhere


def navigation(request):
    """The footer's link to the targets and reports, for the roles that see them
    (no query: the roles are cached on the user)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_reports": can_somewhere(user, Action.VIEW_REPORTS)}
