from units.permissions import Action, can_somewhere, units_where

from .selectors import unread_notifications


def notifications(request):
    """Header links for signed-in users: unread count and the pages their roles open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": unread_notifications(user),
        # Roles are read once per request and cached on the user (units.permissions).
        "nav_submissions": units_where(user, Action.VIEW_SUBMISSIONS).exists(),
        "nav_review": units_where(user, Action.REVIEW_ACHIEVEMENT).exists(),
        # The footer's links to every other page of the user's roles (no query:
        # the roles are cached).
        "nav_audit": can_somewhere(user, Action.VIEW_AUDIT),
        "nav_learning_work": can_somewhere(user, Action.RECORD_LEARNING),
        "nav_completion_review": can_somewhere(user, Action.REVIEW_COMPLETION),
        "nav_award": can_somewhere(user, Action.AWARD_BADGE),
        # Commendations: nominating, voting or deciding somewhere (a council
        # member holds the council_member role on the council's unit).
        # No query: the roles are already read for the links above.
        "nav_commendations": can_somewhere(user, Action.VIEW_NOMINATIONS),
    }
