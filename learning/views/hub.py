"""What a signed-in user can do in the learning app, for the catalogue's side panel."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from units.permissions import Action, can_somewhere

# (label, URL name, who sees it: None = anyone with a person record, or an action)
TOOLS = [
    (_("My learning"), "learning:my_learning", None),
    (_("Report a completed course"), "learning:completion_new", None),
    (_("Digital ambassador: my mentees"), "learning:mentoring", None),
    (_("I have an invitation code"), "learning:invite_code", None),
    (_("Class sessions and attendance"), "learning:sessions", Action.RECORD_LEARNING),
    (
        _("Import completions from the MOOC platform"),
        "learning:imports",
        Action.RECORD_LEARNING,
    ),
    (_("Citizens helped with VNeID"), "learning:vneid", Action.RECORD_LEARNING),
    (
        _("Review reported completions"),
        "learning:completion_review",
        Action.REVIEW_COMPLETION,
    ),
    (
        _("Mentoring patterns to check"),
        "learning:mentoring_patterns",
        Action.REVIEW_COMPLETION,
    ),
    (
        _("Learning platform integrations"),
        "learning:integrations",
        Action.MANAGE_INTEGRATIONS,
    ),
]


def tools_for(user) -> list[tuple[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    has_person = hasattr(user, "person")
    tools = []
    for label, name, action in TOOLS:
        allowed = has_person if action is None else can_somewhere(user, action)
        if allowed:
            tools.append((label, reverse(name)))
    return tools
