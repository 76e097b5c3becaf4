"""The badges app's verbs: evaluate what changed, publish a class, award by hand,
revoke.

Evaluation never scans everyone on an award: a change names its kind (ledger
entries, completions, households, an approval, badges, a competition's close) and
the people and units it touched; only the published classes with a leaf depending
on that kind are evaluated, and only for those recipients (a unit's ancestors
included, since unit facts sum over the subtree), minus those who already hold
every level. Publishing a class evaluates it for everyone, in chunks.
"""

import logging
import secrets
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from competitions.models import Notification
from units.audit import Origin, record_event
from units.models import Membership, Person, Unit
from units.permissions import Action, can

from . import criteria, evaluation
from .evaluation import Scope
from .models import Assertion, BadgeClass, Level
from .signals import badges_awarded

log = logging.getLogger(__name__)

CASCADE_DEPTH = 4
LIVE_PUSH_LIMIT = 50  # a backfill over thousands notifies, but does not push live


class BadgeError(Exception):
    """A request the badge rules refuse; the message is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(BadgeError):
    """Outside the user's scope: answered like a missing object (404)."""


class ClassIsPublished(BadgeError):
    """A published version is never edited: make a new version."""


@dataclass
class Change:
    """What changed: its kind and the people and units it touched."""

    kind: str
    persons: set[int] = field(default_factory=set)
    units: set[int] = field(default_factory=set)
    mentors: set[int] = field(default_factory=set)
    activities: set[str] = field(default_factory=set)
    competitions: set[int] = field(default_factory=set)
    slugs: set[str] = field(default_factory=set)


def _published_classes() -> list[BadgeClass]:
    return list(
        BadgeClass.objects.published()
        .exclude(criteria={})
        .select_related("competition")
        .order_by("pk")
    )


def _touched_leaves(badge_class: BadgeClass, change: Change) -> list[dict]:
    touched = []
    for leaf in criteria.leaves(badge_class.criteria):
        fact = criteria.FACTS[leaf["fact"]]
        if change.kind not in fact.events:
            continue
        if change.kind == criteria.LEDGER:
            if leaf.get("activity") and leaf["activity"] not in change.activities:
                continue
            competition = leaf.get("competition") or badge_class.competition_id
            if competition and competition not in change.competitions:
                continue
        if change.kind == criteria.BADGE and not set(leaf["badges"]) & change.slugs:
            continue
        if (
            change.kind == criteria.CLOSE
            and leaf["competition"] not in change.competitions
        ):
            continue
        touched.append(leaf)
    return touched


# Deeper than any tree of units the platform keeps (province, commune, village,
# and the teams and schools under them).
MAX_UNIT_DEPTH = 16


def _with_ancestors(unit_ids: set[int]) -> dict[int, str]:
    """The units and every unit above them, as {id: kind}, in one query: a unit's
    ancestors are the units whose path is a prefix of its own."""
    if not unit_ids:
        return {}
    units = connection.ops.quote_name(Unit._meta.db_table)
    depths = " UNION ALL ".join(
        f"SELECT {n} AS n" for n in range(1, MAX_UNIT_DEPTH + 1)
    )
    among, ids = evaluation._among("u.id", unit_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id, a.kind FROM {units} a WHERE a.path IN ("
            f"SELECT SUBSTR(u.path, 1, d.n * {Unit.steplen}) FROM {units} u "
            f"JOIN ({depths}) d ON LENGTH(u.path) >= d.n * {Unit.steplen} "
            f"WHERE {among})",
            ids,
        )
        return dict(cursor.fetchall())


def _candidates(badge_class, leaves, change: Change, units: dict[int, str]):
    if badge_class.recipient == criteria.PERSON:
        wanted: set[int] = set()
        for leaf in leaves:
            wanted |= (
                change.mentors
                if leaf["fact"] == "mentees_completed"
                else change.persons
            )
        return wanted
    kinds = set(badge_class.unit_kinds)
    return {pk for pk, kind in units.items() if not kinds or kind in kinds}


def evaluate_change(
    change: Change, *, at: datetime, depth: int = 0, classes=None
) -> list[int]:
    """Award what the change earned; return the new assertions' ids.

    One statement per class that depends on the change, in one transaction
    (holders of every level are excluded by the statement itself).
    """
    if change.kind == criteria.CLOSE:
        return _evaluate_close(change, at=at)
    classes = _published_classes() if classes is None else classes
    units = None
    results: list[evaluation.Issued] = []
    with transaction.atomic():
        for badge_class in classes:
            if not evaluation.is_open(badge_class, on=timezone.localdate(at)):
                continue
            leaves = _touched_leaves(badge_class, change)
            if not leaves:
                continue
            if units is None:
                units = _with_ancestors(change.units) if change.units else {}
            wanted = _candidates(badge_class, leaves, change, units)
            if not wanted:
                continue
            key = "persons" if badge_class.recipient == criteria.PERSON else "units"
            result = evaluation.evaluate_class(
                badge_class, Scope(**{key: wanted}), at=at
            )
            _announce(result, at=at)
            results.append(result)
    return _ids(results) + _cascade(results, at=at, depth=depth, classes=classes)


def _ids(results: list[evaluation.Issued]) -> list[int]:
    return [pk for result in results for pk in result.ids]


def _cascade(
    results: list[evaluation.Issued],
    *,
    at: datetime,
    depth: int,
    id_range: tuple[int, int] | None = None,
    classes=None,
) -> list[int]:
    """Evaluate the classes that require the badges just awarded: for their
    recipients, or (publishing) over the same range of ids."""
    results = [result for result in results if result.ids]
    if not results or depth >= CASCADE_DEPTH:
        return []
    if id_range is None:
        return evaluate_change(
            _badge_change(results), at=at, depth=depth + 1, classes=classes
        )
    change = Change(
        kind=criteria.BADGE, slugs={result.badge_class.slug for result in results}
    )
    kinds = {result.badge_class.recipient for result in results}
    followed = []
    for badge_class in _published_classes():
        if badge_class.recipient not in kinds or not _touched_leaves(
            badge_class, change
        ):
            continue
        if not evaluation.is_open(badge_class, on=timezone.localdate(at)):
            continue
        with transaction.atomic():
            result = evaluation.evaluate_class(
                badge_class, Scope(id_range=id_range), at=at
            )
            _announce(result, at=at)
        followed.append(result)
    return _ids(followed) + _cascade(
        followed, at=at, depth=depth + 1, id_range=id_range
    )


def _badge_change(results: list[evaluation.Issued]) -> Change:
    change = Change(kind=criteria.BADGE)
    for result in results:
        recipients = (
            change.persons
            if result.badge_class.recipient == criteria.PERSON
            else change.units
        )
        recipients.update(result.recipients)
        change.slugs.add(result.badge_class.slug)
    return change


def _evaluate_close(change: Change, *, at: datetime) -> list[int]:
    """A competition closed: its board-rank classes, for the whole board."""
    results = []
    for badge_class in _published_classes():
        if not _touched_leaves(badge_class, change):
            continue
        if not evaluation.is_open(badge_class, on=timezone.localdate(at), closing=True):
            continue
        with transaction.atomic():
            result = evaluation.evaluate_class(badge_class, Scope(), at=at)
            _announce(result, at=at)
        results.append(result)
    return _ids(results) + _cascade(results, at=at, depth=0)


def evaluate_safely(change: Change, *, at: datetime | None = None) -> list[int]:
    """evaluate_change for receivers: the triggering change has committed already,
    so a failure here is logged (and `evaluate_badges` catches up), never raised
    into the request that made the change."""
    if not getattr(settings, "BADGES_EVALUATE", True):
        return []
    try:
        return evaluate_change(change, at=at or timezone.now())
    except Exception:
        log.exception("badge evaluation failed for a %s change", change.kind)
        return []


def backfill_class(
    badge_class: BadgeClass, *, at: datetime, chunk: int = 200_000, progress=None
) -> int:
    """Award everyone who already qualifies for the class: in chunks of recipient
    ids, each its own transaction (with the classes requiring it, over the same
    ids), on PostgreSQL on several connections at once. Returns the number of
    awards made."""
    badge_class = BadgeClass.objects.select_related("competition").get(
        pk=badge_class.pk
    )
    if not evaluation.is_open(badge_class, on=timezone.localdate(at)):
        return 0
    model = Person if badge_class.recipient == criteria.PERSON else Unit
    bounds = model.objects.order_by("pk").values_list("pk", flat=True)
    first, last = bounds.first(), bounds.last()
    if first is None:
        return 0
    ranges = [
        (low, min(low + chunk - 1, last)) for low in range(first, last + 1, chunk)
    ]
    total = done = 0

    def chunk_done(made: int, low: int, high: int) -> None:
        nonlocal total, done
        total += made
        done += high - low + 1
        if progress:
            progress(done, last - first + 1)

    workers = _publish_connections()
    if workers > 1 and len(ranges) > 1:

        def work(low: int, high: int) -> int:
            try:
                return _backfill_chunk(badge_class, low, high, at=at)
            finally:
                connection.close()  # this thread's own connection

        with ThreadPoolExecutor(workers, thread_name_prefix="badge-publish") as pool:
            futures = {pool.submit(work, *bounds): bounds for bounds in ranges}
            for future in as_completed(futures):
                chunk_done(future.result(), *futures[future])
    else:
        for low, high in ranges:
            chunk_done(_backfill_chunk(badge_class, low, high, at=at), low, high)
    BadgeClass.objects.filter(pk=badge_class.pk).update(evaluated_at=at)
    return total


def evaluate_published(*, at: datetime | None = None) -> int:
    """The scheduled job `badges.publish`: award every class published since the
    last run to everyone who already qualifies (what publishing in the admin asks
    for). Returns the number of awards made."""
    made = 0
    pending = (
        BadgeClass.objects.published()
        .exclude(criteria={})
        .filter(evaluated_at__isnull=True)
        .order_by("pk")
    )
    for badge_class in pending:
        made += backfill_class(badge_class, at=at or timezone.now())
    return made


def _publish_connections() -> int:
    """How many chunks of a publication run at once: one statement uses one core
    of PostgreSQL, and writing a million awards is mostly the server's work. Only
    outside a transaction (each connection commits its own chunks) and not on
    SQLite (one writer)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, int(getattr(settings, "BADGES_PUBLISH_CONNECTIONS", 2)))


def _backfill_chunk(badge_class: BadgeClass, low: int, high: int, *, at) -> int:
    with transaction.atomic():
        result = evaluation.evaluate_class(
            badge_class, Scope(id_range=(low, high)), at=at
        )
        _announce(result, at=at)
    _cascade([result], at=at, depth=1, id_range=(low, high))
    return len(result.ids)


# --- awards announced -------------------------------------------------------------


def level_label(level: str) -> str:
    return str(dict(Level.choices).get(level, "")) if level else ""


def _announce(result: evaluation.Issued, *, at: datetime) -> None:
    """Notify the recipients who sign in, and after commit push it to their screens
    (the evaluation returned who they are: no query here)."""
    if not result.ids:
        return
    ids = result.ids
    name = result.badge_class.name
    notes = []
    events = []
    with translation.override(settings.LANGUAGE_CODE):
        for award in result.told:
            level = award.level
            title = f"{name} ({level_label(level)})" if level else name
            message = _("You earned the badge “%(badge)s”.") % {"badge": title}
            link = reverse("badges:assertion", args=[award.uid])
            notes.append(
                Notification(
                    user_id=award.user_id,
                    message=message[:300],
                    link=link,
                    created_at=at,
                )
            )
            events.append(
                (award.user_id, {"badge": title, "message": message, "url": link})
            )
    Notification.objects.bulk_create(notes, batch_size=1000)
    live = events if len(events) <= LIVE_PUSH_LIMIT else []
    transaction.on_commit(lambda: _after_award(ids, live))


def _after_award(ids: list[int], live: list) -> None:
    badges_awarded.send(sender=Assertion, assertion_ids=ids)
    if not live:
        return
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return
    for user_id, payload in live:
        try:
            async_to_sync(layer.group_send)(
                f"me.{user_id}", {"type": "badge.awarded", **payload}
            )
        except Exception:  # the award stands; the notification is on its page
            log.warning("live badge push failed for user %s", user_id, exc_info=True)


# --- classes: publish and version ------------------------------------------------------


def check_class(badge_class: BadgeClass) -> None:
    """Raise CriteriaError unless the class's criteria and levels make sense."""
    problems = []
    levels = badge_class.levels or []
    if not isinstance(levels, list) or any(
        level not in Level.values for level in levels
    ):
        problems.append(
            _('Levels are empty or a list such as ["bronze", "silver", "gold"].')
        )
    elif levels and levels != [lvl for lvl in Level.values if lvl in levels]:
        problems.append(_("List the levels from the lowest: bronze, silver, gold."))
    if badge_class.recipient == criteria.UNIT and badge_class.target_groups:
        problems.append(_("Target groups apply to person badges only."))
    if badge_class.recipient == criteria.PERSON and badge_class.unit_kinds:
        problems.append(_("Unit kinds apply to unit badges only."))
    if any(kind not in Unit.Kind.values for kind in badge_class.unit_kinds or []):
        problems.append(_("Unknown unit kind among the unit kinds."))
    if problems:
        raise criteria.CriteriaError(problems)
    criteria.validate(
        badge_class.criteria,
        recipient=badge_class.recipient,
        levels=levels,
        slug=badge_class.slug,
    )


@transaction.atomic
def publish_class(
    badge_class: BadgeClass, *, by, at: datetime, origin: Origin
) -> BadgeClass:
    """Publish a draft version; the version it replaces is retired (its awards stay).

    Call `backfill_class` afterwards (the admin does, and `evaluate_badges`) to
    award everyone who already qualifies.
    """
    badge_class = BadgeClass.objects.select_for_update().get(pk=badge_class.pk)
    if badge_class.status != BadgeClass.Status.DRAFT:
        raise ClassIsPublished(
            _("Only a draft can be published; this version already was.")
        )
    check_class(badge_class)
    BadgeClass.objects.filter(
        slug=badge_class.slug, status=BadgeClass.Status.PUBLISHED
    ).update(status=BadgeClass.Status.RETIRED)
    badge_class.status = BadgeClass.Status.PUBLISHED
    badge_class.published_at, badge_class.published_by = at, by
    badge_class.evaluated_at = None
    BadgeClass.objects.filter(pk=badge_class.pk).update(
        status=badge_class.status, published_at=at, published_by=by, evaluated_at=None
    )
    record_event(
        actor=by,
        action="badge_class.publish",
        obj=badge_class,
        at=at,
        origin=origin,
        to_state=badge_class.status,
        reason=f"v{badge_class.version}",
    )
    return badge_class


@transaction.atomic
def new_version(
    badge_class: BadgeClass, *, by, at: datetime, origin: Origin
) -> BadgeClass:
    """A draft copy of the class with the next version number, to edit and publish."""
    latest = (
        BadgeClass.objects.filter(slug=badge_class.slug).order_by("-version").first()
    )
    if latest.status == BadgeClass.Status.DRAFT:
        return latest
    copy = BadgeClass.objects.get(pk=badge_class.pk)
    copy.pk = None
    copy.version = latest.version + 1
    copy.status = BadgeClass.Status.DRAFT
    copy.published_at = copy.published_by = copy.evaluated_at = None
    copy.save(force_insert=True)
    record_event(
        actor=by,
        action="badge_class.new_version",
        obj=copy,
        at=at,
        origin=origin,
        to_state=copy.status,
        reason=f"v{copy.version}",
    )
    return copy


# --- by hand -----------------------------------------------------------------------


def recipient_unit(
    *, person: Person | None = None, unit: Unit | None = None
) -> Unit | None:
    """The unit a permission decision about this recipient is made on."""
    if unit is not None:
        return unit
    membership = (
        Membership.objects.filter(person=person, is_primary=True)
        .select_related("unit")
        .first()
    )
    return membership.unit if membership else None


@transaction.atomic
def award_badge(
    *,
    badge_class: BadgeClass,
    person: Person | None = None,
    unit: Unit | None = None,
    level: str = "",
    reason: str,
    by,
    at: datetime,
    origin: Origin,
) -> Assertion:
    """Award a badge by hand, with a written reason, to someone in one's scope."""
    home = recipient_unit(person=person, unit=unit)
    if home is None or not can(by, Action.AWARD_BADGE, home):
        raise NotAllowed(_("You may award badges only inside the units you serve."))
    reason = (reason or "").strip()
    if not reason:
        raise BadgeError(
            _("Write why this badge is awarded: the reason is published with it.")
        )
    if (
        badge_class.status != BadgeClass.Status.PUBLISHED
        or not badge_class.allow_manual
    ):
        raise BadgeError(
            _("This badge cannot be awarded by hand; choose a published badge.")
        )
    recipient_kind = criteria.PERSON if person is not None else criteria.UNIT
    if recipient_kind != badge_class.recipient:
        raise BadgeError(
            _("This badge is for people.")
            if badge_class.recipient == criteria.PERSON
            else _("This badge is for units.")
        )
    if level not in badge_class.level_names:
        raise BadgeError(_("Choose one of the badge's levels."))
    if (
        unit is not None
        and badge_class.unit_kinds
        and unit.kind not in badge_class.unit_kinds
    ):
        raise BadgeError(_("This badge is not for this kind of unit."))
    if (
        not evaluation.is_open(badge_class, on=timezone.localdate(at))
        and badge_class.is_time_limited
    ):
        raise BadgeError(
            _("This badge is only awarded during its period, which is over.")
        )
    expires = None
    if badge_class.expires_after_days:
        expires = at + timedelta(days=badge_class.expires_after_days)
    try:
        with transaction.atomic():
            assertion = Assertion.objects.create(
                badge_class=badge_class,
                badge_slug=badge_class.slug,
                level=level,
                person=person,
                unit=unit,
                period=badge_class.period,
                salt=secrets.token_hex(16),
                issued_at=at,
                expires_at=expires,
                evidence={},
                awarded_by=by,
                reason=reason[:2000],
            )
    except IntegrityError:
        raise BadgeError(
            _("This badge (and level) was already awarded to them.")
        ) from None
    record_event(
        actor=by,
        action="badge.award",
        obj=assertion,
        at=at,
        origin=origin,
        unit=home,
        to_state="awarded",
        reason=reason[:2000],
    )
    recipient = person or unit
    result = evaluation.Issued(badge_class, [assertion.pk], [recipient.pk])
    if person is not None and person.user_id:
        result.told = [
            evaluation.Awarded(
                assertion.pk, person.pk, level, person.user_id, assertion.uid
            )
        ]
    _announce(result, at=at)
    transaction.on_commit(lambda: evaluate_safely(_badge_change([result]), at=at))
    return assertion


@transaction.atomic
def revoke_assertion(
    *, assertion: Assertion, reason: str, by, at: datetime, origin: Origin
) -> Assertion:
    """Revoke an award with a reason; it stays revoked whatever the facts say later."""
    assertion = Assertion.objects.select_for_update().get(pk=assertion.pk)
    home = recipient_unit(person=assertion.person, unit=assertion.unit)
    if home is None or not can(by, Action.REVOKE_BADGE, home):
        raise NotAllowed(_("You may revoke badges only inside the units you serve."))
    reason = (reason or "").strip()
    if not reason:
        raise BadgeError(
            _("Write why this badge is revoked: the reason is published with it.")
        )
    if assertion.revoked_at is not None:
        raise BadgeError(_("This badge was already revoked."))
    assertion.revoked_at, assertion.revoked_by = at, by
    assertion.revocation_reason = reason[:2000]
    assertion.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    record_event(
        actor=by,
        action="badge.revoke",
        obj=assertion,
        at=at,
        origin=origin,
        unit=home,
        from_state="awarded",
        to_state="revoked",
        reason=reason[:2000],
    )
    return assertion
