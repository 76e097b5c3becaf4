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
