"""Recording state transitions in the append-only audit trail."""

from dataclasses import dataclass
from datetime import datetime

from .models import AuditEvent, Unit
from .observability import current_request_id


@dataclass(frozen=True)
class Origin:
    """Where an action came from: read at the edge (a view, a command) and passed in."""

    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""

    @classmethod
    def from_request(cls, request) -> "Origin":
        # REMOTE_ADDR is the proxy's address behind nginx; allauth's client-IP logic
        # already honours TRUSTED_PROXY_COUNT, so reuse it.
        from allauth.account.adapter import get_adapter

        try:
            ip = get_adapter(request).get_client_ip(request)
        except Exception:  # a malformed forwarded header must not block the action
            ip = None
        return cls(
            ip_address=ip,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
            request_id=getattr(request, "request_id", "") or current_request_id(),
        )


COMMAND = Origin(user_agent="manage.py")


def record_event(
    *,
    actor,
    action: str,
    obj,
    at: datetime,
    origin: Origin,
    unit: Unit | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
) -> AuditEvent:
    """Append one audit event for a transition of obj."""
    return AuditEvent.objects.create(
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        unit=unit,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        request_id=origin.request_id,
    )


# What each action code means, in words. Each app describes its own actions in its
# AppConfig.ready() (a lower app offers the hook; nothing here imports upward), so
# the audit log and a submission's history never show "submission.approved" or
# "draft → submitted". A key "action:to_state" wins over "action" where one action
# means different things by its outcome (a completion confirmed or refused).
_SENTENCES: dict[str, str] = {}
# object_type -> the URL name of the object's page (it takes the object's id).
_PAGES: dict[str, str] = {}


def describe_actions(
    sentences: dict[str, str], *, pages: dict[str, str] | None = None
) -> None:
    """Say in words what each of an app's audit actions did (lazy translations)."""
    _SENTENCES.update(sentences)
    _PAGES.update(pages or {})


def described_actions() -> set[str]:
    return set(_SENTENCES)


def action_choices() -> list[tuple[str, str]]:
    """(code, sentence) of every action, by sentence: the audit log's filter."""
    return sorted(
        ((code, str(text)) for code, text in _SENTENCES.items() if ":" not in code),
        key=lambda choice: choice[1],
    )


def action_sentence(event: AuditEvent) -> str:
    """What the event did, as a sentence without its subject ("Approved a …")."""
    text = _SENTENCES.get(f"{event.action}:{event.to_state}") or _SENTENCES.get(
        event.action
    )
    # An action nobody described is shown as it is stored, so that the page test
    # finds it (tests/test_pages_read_well.py) rather than a vague sentence hiding it.
    return str(text) if text is not None else event.action


def object_page(event: AuditEvent) -> str | None:
    """The address of the object the event changed, when it has a page."""
    from django.urls import NoReverseMatch, reverse

    name = _PAGES.get(event.object_type)
    if name is None:
        return None
    try:
        return reverse(name, args=[event.object_id])
    except NoReverseMatch:
        return None
