"""Where a person lands after signing in: the page where their work is.

One entry per role kind, in the order that decides for someone with several roles
(the work that waits for them first). Nothing here imports the apps above `units`:
their pages are named by URL name.
"""

from collections.abc import Callable

from django.urls import reverse

from .models import Role

Kind = Role.Kind

# Someone with no role: their own page (the pages app; named, not imported).
DEFAULT_LANDING = "pages:me"


def _unit_page(role: Role) -> str:
    return reverse("units:detail", args=[role.unit_id])


LANDINGS: list[tuple[str, Callable[[Role], str]]] = [
    # Submissions and reported completions wait for them.
    (Kind.REVIEWER, lambda role: reverse("competitions:review")),
    # Their village or office: its points, submissions, classes and imports.
    (Kind.OFFICER, _unit_page),
    # Their council's work: the nominations waiting for its vote, its sessions and
    # decisions (the commendations app, named), with a link to what the units of
    # their area achieved (to recognise it with a badge).
    (Kind.COUNCIL_MEMBER, lambda role: reverse("commendations:index")),
    # The youth branches' boards, live.
    # The campaigns app's list (by its URL name: units imports no app above it).
    (Kind.CAMPAIGN_ORGANISER, lambda role: reverse("campaigns:list")),
    # The unit they run: its structure, members, headcounts and panels.
    (Kind.ADMINISTRATOR, _unit_page),
]


def landing_url(user) -> str:
    """The address a signed-in user is sent to when nothing else was asked for."""
    roles = {}
    for role in (
        Role.objects.filter(user=user, unit__is_active=True)
        .only("kind", "unit_id")
        .order_by("unit__path", "pk")
    ):
        roles.setdefault(role.kind, role)
    for kind, page in LANDINGS:
        if kind in roles:
            return page(roles[kind])
    return reverse(DEFAULT_LANDING)
