"""Every permission decision of the platform, in one place.

A role is (user, unit, kind) and covers the unit's subtree. Views, consumers,
commands and the API ask here; nothing else looks at roles to decide access.
"""

from enum import StrEnum

from django.http import Http404

from .models import Role, Unit

Kind = Role.Kind


class Action(StrEnum):
    VIEW_MEMBERS = "unit.view_members"
    EDIT_HEADCOUNTS = "unit.edit_headcounts"
    MANAGE_STRUCTURE = "unit.manage_structure"
    ASSIGN_ROLES = "unit.assign_roles"
    SUBMIT_ACHIEVEMENT = "competitions.submit"
    REVIEW_ACHIEVEMENT = "competitions.review"
    VOTE_NOMINATION = "badges.vote"
    ORGANISE_CAMPAIGN = "competitions.organise_campaign"
    VIEW_SUBMISSIONS = "competitions.view_submissions"
    MANAGE_RULES = "competitions.manage_rules"
    VIEW_AUDIT = "units.view_audit"
    RECORD_LEARNING = "learning.record"
    REVIEW_COMPLETION = "learning.review"
    MANAGE_INTEGRATIONS = "learning.manage_integrations"
    AWARD_BADGE = "badges.award"
    REVOKE_BADGE = "badges.revoke"
    # Commendations (the state's awards, apart from badges).
    NOMINATE = "commendations.nominate"
    VIEW_NOMINATIONS = "commendations.view"
    MANAGE_COMMENDATIONS = "commendations.manage"
    DECIDE_COMMENDATION = "commendations.decide"
    # Targets, KPI dashboards and periodic reports.
    VIEW_REPORTS = "reports.view"
    SET_TARGETS = "reports.set_targets"


# Which role kinds grant an action. Administrators may do everything in their subtree.
GRANTS: dict[Action, frozenset[str]] = {
    Action.VIEW_MEMBERS: frozenset(
        {Kind.OFFICER, Kind.REVIEWER, Kind.COUNCIL_MEMBER, Kind.ADMINISTRATOR}
    ),
    Action.EDIT_HEADCOUNTS: frozenset({Kind.OFFICER, Kind.ADMINISTRATOR}),
    Action.MANAGE_STRUCTURE: frozenset({Kind.ADMINISTRATOR}),
    Action.ASSIGN_ROLES: frozenset({Kind.ADMINISTRATOR}),
    Action.SUBMIT_ACHIEVEMENT: frozenset({Kind.OFFICER, Kind.ADMINISTRATOR}),
    Action.REVIEW_ACHIEVEMENT: frozenset({Kind.REVIEWER, Kind.ADMINISTRATOR}),
    Action.VOTE_NOMINATION: frozenset({Kind.COUNCIL_MEMBER}),
    Action.ORGANISE_CAMPAIGN: frozenset({Kind.CAMPAIGN_ORGANISER, Kind.ADMINISTRATOR}),
    Action.VIEW_SUBMISSIONS: frozenset(
        {Kind.OFFICER, Kind.REVIEWER, Kind.COUNCIL_MEMBER, Kind.ADMINISTRATOR}
    ),
    Action.MANAGE_RULES: frozenset({Kind.ADMINISTRATOR}),
    Action.VIEW_AUDIT: frozenset({Kind.REVIEWER, Kind.ADMINISTRATOR}),
    # Attendance, imports, households, VNeID help: the officer's daily work.
    Action.RECORD_LEARNING: frozenset({Kind.OFFICER, Kind.ADMINISTRATOR}),
    # Self-reported completions and the mentoring patterns worth a second look.
    Action.REVIEW_COMPLETION: frozenset({Kind.REVIEWER, Kind.ADMINISTRATOR}),
    Action.MANAGE_INTEGRATIONS: frozenset({Kind.ADMINISTRATOR}),
    # Badges by hand (with a written reason) and their revocation: the council
    # that recognises a unit's subtree, and its administrators.
    Action.AWARD_BADGE: frozenset({Kind.COUNCIL_MEMBER, Kind.ADMINISTRATOR}),
    Action.REVOKE_BADGE: frozenset({Kind.COUNCIL_MEMBER, Kind.ADMINISTRATOR}),
    # A unit proposes its own people and units below it for commendation.
    Action.NOMINATE: frozenset({Kind.OFFICER, Kind.ADMINISTRATOR}),
    Action.VIEW_NOMINATIONS: frozenset(
        {Kind.OFFICER, Kind.REVIEWER, Kind.COUNCIL_MEMBER, Kind.ADMINISTRATOR}
    ),
    # Reviews, councils and their sessions, returning a nomination: the deciding
    # unit's administrators (and, per council, its secretary: commendations.councils).
    Action.MANAGE_COMMENDATIONS: frozenset({Kind.ADMINISTRATOR}),
    # Recording the authority's decision and revoking an award.
    Action.DECIDE_COMMENDATION: frozenset({Kind.ADMINISTRATOR}),
    # Every office owes its reports; a unit's officers may raise its own targets.
    Action.VIEW_REPORTS: frozenset(
        {Kind.OFFICER, Kind.REVIEWER, Kind.COUNCIL_MEMBER, Kind.ADMINISTRATOR}
    ),
    Action.SET_TARGETS: frozenset({Kind.OFFICER, Kind.ADMINISTRATOR}),
}

_CACHE_ATTR = "_thidua_unit_roles"


def roles_of(user) -> list[tuple[str, str]]:
    """Return the user's (role kind, unit path) pairs, read once per request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            Role.objects.filter(user=user, unit__is_active=True).values_list(
                "kind", "unit__path"
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user) -> None:
    """Drop the per-request cache after roles change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _scope_paths(user, action: Action) -> list[str]:
    kinds = GRANTS[action]
    return [path for kind, path in roles_of(user) if kind in kinds]


def can(user, action: Action, unit: Unit) -> bool:
    """Whether the user may do the action on the unit (a role above it counts)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(unit.path.startswith(path) for path in _scope_paths(user, action))


def can_somewhere(user, action: Action) -> bool:
    """Whether the user may do the action on at least one unit (for menus)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return bool(_scope_paths(user, action))


def units_where(user, action: Action):
    """Every unit on which the user may do the action, as one queryset."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return Unit.objects.all()
    paths = _scope_paths(user, action)
    if not paths:
        return Unit.objects.none()
    query = Unit.objects.none()
    for path in paths:
        query = query | Unit.objects.filter(path__startswith=path)
    return query


def get_unit_for(user, action: Action, pk) -> Unit:
    """The unit with this id if the user may act on it; otherwise 404.

    A unit outside the user's scope answers exactly like a missing one, so that ids
    cannot be probed.
    """
    try:
        unit = Unit.objects.get(pk=int(pk))
    except (Unit.DoesNotExist, TypeError, ValueError):
        raise Http404("unit") from None
    if not can(user, action, unit):
        raise Http404("unit")
    return unit


def has_any_role(user) -> bool:
    return bool(roles_of(user)) or bool(getattr(user, "is_superuser", False))


def users_with_role_over(unit: Unit, kind: str) -> list[int]:
    """Ids of the active users holding this kind of role on the unit or above it:
    the people whose area covers the unit (e.g. its reviewers, to tell of work)."""
    return list(
        Role.objects.filter(
            kind=kind,
            unit__path__in=[*unit.ancestor_paths, unit.path],
            unit__is_active=True,
            user__is_active=True,
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
