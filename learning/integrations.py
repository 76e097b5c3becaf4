"""Learning platforms that push completions: revocable tokens and the push itself.

A token is shown once, when created; only its SHA-256 is stored, found by its
prefix and compared in constant time. A push goes through the import's checks and
matching (`import_plan.plan_table`), so a row is judged the same whether it came in
a file or a request, and the same completion pushed twice is recorded once.
"""

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from units.audit import Origin, record_event
from units.limits import Limit, address_subject, give_back, take
from units.models import Unit

from .import_plan import (
    BIRTH,
    CERTIFICATE,
    COMPLETED,
    COURSE,
    NAME,
    PHONE,
    UNIT_CODE,
    ImportRefused,
    plan_table,
)
from .imports import record_planned
from .models import Completion, Integration
from .services import LearningError
from .spreadsheets import Table

TOKEN_PREFIX = "tds"
MAX_ITEMS = 1000
REQUESTS_PER_MINUTE = 60
MAX_BODY_BYTES = 1024 * 1024
# A push is an object holding a list of flat objects: three levels. Deeper JSON is
# refused whatever the interpreter's recursion limit (1,000 levels were a 500).
MAX_JSON_DEPTH = 8
# Wrong tokens one client address (an IPv6 /64) may send in a window before every
# request from it is refused until the window ends (a right token too: answering it
# would tell a guesser which guess was right). Counted by units/limits.py in the
# shared cache; 10 a window is at most 20 in a row across two.
FAILED_TOKENS_PER_WINDOW = 10
FAILED_TOKEN_WINDOW_SECONDS = 600
# PostgreSQL text cannot hold NUL, and a lone surrogate (JSON "\ud800") cannot be
# encoded as UTF-8: either in any string of a push was a 500.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# JSON field -> the import's column; problems name the JSON field back.
FIELDS = {
    "full_name": NAME,
    "birth_date": BIRTH,
    "phone": PHONE,
    "unit_code": UNIT_CODE,
    "course_key": COURSE,
    "completed_on": COMPLETED,
    "certificate_number": CERTIFICATE,
}
COLUMN_FIELDS = {column: name for name, column in FIELDS.items()}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_integration(
    *, name: str, unit: Unit, by, at: datetime, origin: Origin
) -> tuple[Integration, str]:
    """A new integration and its token (returned once, never stored)."""
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    integration = Integration.objects.create(
        name=name.strip()[:120],
        unit=unit,
        token_prefix=prefix,
        token_hash=_digest(token),
        created_by=by,
        created_at=at,
    )
    record_event(
        actor=by,
        action="integration.create",
        obj=integration,
        at=at,
        origin=origin,
        unit=unit,
    )
    return integration, token


@transaction.atomic
def revoke_integration(
    *, integration: Integration, by, at: datetime, origin: Origin
) -> None:
    """Revoke the token at once; pushes with it answer 401 from now on."""
    updated = Integration.objects.filter(
        pk=integration.pk, revoked_at__isnull=True
    ).update(revoked_at=at)
    if updated:
        record_event(
            actor=by,
            action="integration.revoke",
            obj=integration,
            at=at,
            origin=origin,
            unit=integration.unit,
            to_state="revoked",
        )


def authenticate(header: str) -> Integration | None:
    """The live integration a `Bearer` header names, or None."""
    scheme, _space, token = (header or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or token.count("_") < 2:
        return None
    kind, prefix, _secret = token.split("_", 2)
    if kind != TOKEN_PREFIX:
        return None
    integration = (
        Integration.objects.select_related("unit")
        .filter(token_prefix=prefix[:12])
        .first()
    )
    if integration is None or integration.revoked_at is not None:
        return None
    if not hmac.compare_digest(integration.token_hash, _digest(token)):
        return None
    return integration


def _token_limits(address: str | None) -> list[tuple[str, Limit]]:
    return [
        (
            address_subject(address),
            Limit(FAILED_TOKENS_PER_WINDOW, FAILED_TOKEN_WINDOW_SECONDS),
        )
    ]


def take_token_attempt(address: str | None, *, at: datetime) -> int:
    """Count a token attempt from the address before checking it (atomic, so parallel
    guesses cannot slip past the limit); the seconds to wait if it has none left, 0
    if it may try."""
    if take("api-token", limits=_token_limits(address), at=at):
        return 0
    return (
        FAILED_TOKEN_WINDOW_SECONDS - int(at.timestamp()) % FAILED_TOKEN_WINDOW_SECONDS
    )


def give_back_token_attempt(address: str | None, *, at: datetime) -> None:
    """Uncount an attempt whose token was right: only wrong tokens stay counted."""
    give_back("api-token", limits=_token_limits(address), at=at)


def over_rate_limit(integration: Integration, *, at: datetime) -> bool:
    key = f"learning:api:{integration.pk}:{at:%Y%m%d%H%M}"
    cache.add(key, 0, timeout=120)
    return cache.incr(key) > REQUESTS_PER_MINUTE


class BadPush(LearningError):
    """The request as a whole is malformed: 400."""

    def __init__(self, message: str, code: str = "bad_request"):
        super().__init__(message)
        self.code = code


def parse_body(raw: bytes) -> dict:
    """The push's JSON object, or BadPush if it is not one we can store."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except RecursionError:
        body = None  # nested past the interpreter's limit: refused below as too deep
    except (UnicodeDecodeError, ValueError):
        raise BadPush(_("The body is not valid JSON in UTF-8."), "bad_json") from None
    # Walk the whole document without recursion: any string anywhere, keys
    # included, may carry what PostgreSQL cannot store.
    pending = [(body, 1)] if body is not None else []
    too_deep = body is None
    while pending and not too_deep:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                raise BadPush(
                    _(
                        "Text in the body contains a NUL character (\\u0000) or a lone surrogate; remove it and send again."
                    )
                )
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                too_deep = True
            elif isinstance(value, dict):
                pending.extend((key, depth) for key in value)
                pending.extend((item, depth + 1) for item in value.values())
            else:
                pending.extend((item, depth + 1) for item in value)
    if too_deep:
        raise BadPush(
            _("The JSON is nested more than %(depth)d levels deep; send flat items.")
            % {"depth": MAX_JSON_DEPTH},
            "bad_json",
        )
    if not isinstance(body, dict):
        raise BadPush(_('Send {"completions": [...]}.'))
    return body


@dataclass
class PushResult:
    items: list[dict]
    recorded: int
    already_recorded: int
    errors: int


def _table(items: list) -> Table:
    header = list(FIELDS.values())
    rows = [(0, header)]
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise BadPush(_("Item %(index)d is not an object.") % {"index": index})
        values = []
        for name in FIELDS:
            value = item.get(name)
            if value is not None and not isinstance(value, str | int):
                raise BadPush(
                    _("Item %(index)d: “%(field)s” must be text.")
                    % {"index": index, "field": name}
                )
            values.append(value if value is None else str(value)[:300])
        rows.append((index, values))
    return Table(file_format="json", encoding="utf-8", rows=rows)


def push_completions(
    *, integration: Integration, items, today: date, at: datetime
) -> PushResult:
    """Check, match and record pushed completions; one result per item, in order."""
    if not isinstance(items, list) or not items:
        raise BadPush(_('Send {"completions": [...]} with at least one item.'))
    if len(items) > MAX_ITEMS:
        raise BadPush(
            _("At most %(count)d completions per request.") % {"count": MAX_ITEMS}
        )
    try:
        plan = plan_table(_table(items), unit=integration.unit, today=today)
    except ImportRefused as error:
        raise BadPush(error.message) from None
    results = [
        {"index": index, "external_id": str(item.get("external_id", ""))[:100]}
        for index, item in enumerate(items, start=1)
    ]
    for number, column, message, kind in plan.problems:
        result = results[number - 1]
        if kind == "warning":
            result["status"] = "duplicate"
            result["message"] = message
            continue
        result["status"] = "error"
        result.setdefault("errors", []).append(
            {"field": COLUMN_FIELDS.get(column, column), "message": message}
        )
    fresh = [item for item in plan.items if not item.recorded]
    with transaction.atomic():
        added, _people = record_planned(
            fresh,
            source=Completion.Source.API,
            by=None,
            at=at,
            integration_id=integration.pk,
        )
        Integration.objects.filter(pk=integration.pk).update(last_used_at=at)
    added_keys = {(c.person_id, c.training_id) for c in added}
    for item in plan.items:
        person_id = item.newcomer.person.pk if item.newcomer else item.person_id
        done = (person_id, item.training.pk) in added_keys
        results[item.number - 1]["status"] = "recorded" if done else "already_recorded"
    counts = {
        status: sum(1 for r in results if r.get("status") == status)
        for status in ("recorded", "already_recorded", "error")
    }
    return PushResult(
        items=results,
        recorded=counts["recorded"],
        already_recorded=counts["already_recorded"],
        errors=counts["error"],
    )
