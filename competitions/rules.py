"""Point rules: which version applies, caps per period, and recalculation."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from units.models import Person, Unit

from . import ledger
from .models import ActivityType, Competition, PointEntry, PointRule


def rule_for(
    *, competition: Competition, activity_type: ActivityType, on: date
) -> PointRule | None:
    """The rule version in force on a date: the latest that applies from that date or before."""
    return (
        PointRule.objects.filter(
            competition=competition, activity_type=activity_type, effective_from__lte=on
        )
        .order_by("-effective_from", "-version")
        .first()
    )


def next_version(*, competition: Competition, activity_type: ActivityType) -> int:
    latest = (
        PointRule.objects.filter(competition=competition, activity_type=activity_type)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return (latest or 0) + 1


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """First and last day of the day's period (weeks start on Monday)."""
    if period == PointRule.Period.DAY:
        return day, day
    if period == PointRule.Period.WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(days=1)


def occurred_at(day: date) -> datetime:
    """Ledger timestamp of an activity known only by its date: noon, local time."""
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _live_credits(*, competition, activity_type, start: date, end: date):
    """Entries that currently credit points for this activity in the period."""
    return PointEntry.objects.filter(
        competition=competition,
        activity_type=activity_type,
        occurred_at__gte=occurred_at(start) - timedelta(hours=12),
        occurred_at__lt=occurred_at(end) + timedelta(hours=12),
        reverses__isnull=True,
        reversed_by__isnull=True,
        capped=False,
        # Every credit that is not a reversal: approvals, recalculations and the
        # learning app's completions, mentoring and household credits.
        source__in=("submission", "recalculation", "learning"),
    )


@dataclass(frozen=True)
class CapCheck:
    reached: bool
    scope: str = ""  # "unit" or "person"
    limit: int = 0


def check_caps(
    *, rule: PointRule, unit: Unit, person: Person | None, on: date
) -> CapCheck:
    """Whether crediting one more event in the rule's period would pass a cap."""
    start, end = period_bounds(rule.cap_period, on)
    events = _live_credits(
        competition=rule.competition,
        activity_type=rule.activity_type,
        start=start,
        end=end,
    )
    if rule.max_events_per_unit is not None:
        if events.filter(unit=unit).count() >= rule.max_events_per_unit:
            return CapCheck(True, "unit", rule.max_events_per_unit)
    if person is not None and rule.max_events_per_person is not None:
        if events.filter(person=person).count() >= rule.max_events_per_person:
            return CapCheck(True, "person", rule.max_events_per_person)
    return CapCheck(False)


@dataclass(frozen=True)
class Recalculation:
    entry: PointEntry
    new_points: int

    @property
    def difference(self) -> int:
        return self.new_points - self.entry.points


def preview_recalculation(*, rule: PointRule) -> list[Recalculation]:
    """Entries whose points would change if the rule were applied to them now.

    An entry is affected when the rule is the version in force on its date but the
    entry was credited under another one (a rule added with a past date).
    """
    newer_dates = list(
        PointRule.objects.filter(
            competition=rule.competition,
            activity_type=rule.activity_type,
            effective_from__gt=rule.effective_from,
        ).values_list("effective_from", flat=True)
    )
    candidates = (
        PointEntry.objects.filter(
            competition=rule.competition,
            activity_type=rule.activity_type,
            occurred_at__gte=occurred_at(rule.effective_from) - timedelta(hours=12),
            reverses__isnull=True,
            reversed_by__isnull=True,
        )
        .exclude(rule=rule)
        .select_related("person", "unit", "rule")
        .order_by("occurred_at", "pk")
    )
    if newer_dates:
        candidates = candidates.filter(
            occurred_at__lt=occurred_at(min(newer_dates)) - timedelta(hours=12)
        )
    changes = []
    for entry in candidates:
        new_points = 0 if entry.capped else rule.points_for(entry.quantity)
        if new_points != entry.points:
            changes.append(Recalculation(entry=entry, new_points=new_points))
    return changes


@transaction.atomic
def apply_recalculation(*, rule: PointRule, by, at: datetime) -> list[Recalculation]:
    """Reverse each affected entry and credit it again under the rule."""
    changes = preview_recalculation(rule=rule)
    # Lock in primary-key order so that two administrators applying at once queue
    # up instead of deadlocking; the idempotency keys make the second a no-op.
    ids = sorted(change.entry.pk for change in changes)
    list(PointEntry.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    reason = f"Tính lại theo quy tắc phiên bản {rule.version} (áp dụng từ {rule.effective_from:%d/%m/%Y})"
    for change in changes:
        entry = change.entry
        if ledger.reverse(entry=entry, reason=reason, by=by, at=at) is None:
            continue
        ledger.credit(
            credits=[
                ledger.Credit(
                    competition=entry.competition,
                    unit=entry.unit,
                    person=entry.person,
                    activity_type=entry.activity_type,
                    rule=rule,
                    points=change.new_points,
                    quantity=entry.quantity,
                    source="recalculation",
                    explanation=reason,
                    idempotency_key=f"recalculation:{entry.pk}:rule:{rule.pk}",
                    occurred_at=entry.occurred_at,
                    submission=entry.submission,
                    capped=entry.capped,
                )
            ],
            by=by,
            at=at,
        )
    return changes
