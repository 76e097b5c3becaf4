"""From learning events to ledger credits.

A learning event (a completion confirmed, a mentee's completion, a household turned
digital, citizens helped with VNeID) becomes an `Award`: what earned it, who, when,
and a stable key. An award counts in every running competition whose scope, period
and eligibility admit it and that has a point rule for the activity; each such
competition gets one ledger line whose idempotency key is the award's key plus the
competition, so recording the same event twice credits nothing the second time.

Caps per unit and person follow the competition's rule, as for submissions. The
single path locks the unit and person rows (same order as a submission approval:
units, then people, each by id); the bulk path (imports) counts what the ledger
already holds for the people in one query per rule and period, then counts on in
memory.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _

from competitions import ledger, rules
from competitions.models import ActivityType, Competition, PointEntry, PointRule
from units.models import Person, Unit

# The activity types learning credits (created by migration 0002 if missing).
TRAINING_COMPLETED = "training-completed"
MENTEE_GUIDED = "mentee-guided"
CLASS_ATTENDEE = "class-attendee"
DIGITAL_HOUSEHOLD = "digital-household"
VNEID_HELP = "vneid-help"

SOURCE = "learning"


@dataclass(frozen=True)
class Award:
    activity: str
    unit: Unit
    person: Person | None
    on: date
    key: str
    quantity: int = 1
    explanation: str = ""


class _Context:
    """What crediting looks up, read once per call: activity types, competitions,
    rule versions and cap counts."""

    def __init__(self, on_dates: set[date]):
        self.types = {t.code: t for t in ActivityType.objects.filter(is_active=True)}
        first, last = min(on_dates), max(on_dates)
        self.competitions = list(
            Competition.objects.filter(
                status=Competition.Status.RUNNING,
                starts_on__lte=last,
                ends_on__gte=first,
            ).select_related("scope_unit")
        )
        # Every version of every rule of these competitions, newest first: a
        # thousand completions on thirty dates need one query, not thirty.
        self._versions: dict[tuple[int, int], list[PointRule]] = defaultdict(list)
        for rule in (
            PointRule.objects.filter(competition__in=self.competitions)
            .select_related("competition", "activity_type")
            .order_by("-effective_from", "-version")
        ):
            self._versions[(rule.competition_id, rule.activity_type_id)].append(rule)
        # (rule id, period start, "unit"|"person", id) -> events counted so far
        self.counts: dict[tuple, int] = {}

    def competitions_for(self, award: Award):
        for competition in self.competitions:
            if not (competition.starts_on <= award.on <= competition.ends_on):
                continue
            if not competition.admits_unit(award.unit):
                continue
            if award.person is not None and not competition.admits_person(award.person):
                continue
            yield competition

    def rule(self, competition, activity_type, on: date) -> PointRule | None:
        """The version in force on the date (as rules.rule_for, from memory)."""
        for rule in self._versions[(competition.pk, activity_type.pk)]:
            if rule.effective_from <= on:
                return rule
        return None


def _cap_keys(rule: PointRule, award: Award) -> list[tuple[tuple, int]]:
    """The counters a credit under this rule moves, each with its limit."""
    start, _end = rules.period_bounds(rule.cap_period, award.on)
    keys = []
    if rule.max_events_per_unit is not None:
        keys.append(((rule.pk, start, "unit", award.unit.pk), rule.max_events_per_unit))
    if award.person is not None and rule.max_events_per_person is not None:
        keys.append(
            ((rule.pk, start, "person", award.person.pk), rule.max_events_per_person)
        )
    return keys


def _preload_counts(
    context: _Context, planned: list[tuple[Award, Competition, PointRule]]
):
    """Fill the cap counters from the ledger: one grouped query per rule and period."""
    wanted: dict[tuple, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for award, _competition, rule in planned:
        for (_rule_pk, start, scope, pk), _limit in _cap_keys(rule, award):
            wanted[(rule, start)][scope].add(pk)
    for (rule, start), scopes in wanted.items():
        _first, end = rules.period_bounds(rule.cap_period, start)
        live = rules._live_credits(
            competition=rule.competition,
            activity_type=rule.activity_type,
            start=start,
            end=end,
        )
        for scope, pks in scopes.items():
            field = "unit_id" if scope == "unit" else "person_id"
            pks = sorted(pks)
            for begin in range(0, len(pks), 5000):
                chunk = pks[begin : begin + 5000]
                rows = (
                    live.filter(**{f"{field}__in": chunk})
                    .values(field)
                    .annotate(n=Count("pk"))
                )
                for row in rows:
                    context.counts[(rule.pk, start, scope, row[field])] = row["n"]


def _cap_explanation(rule: PointRule, scope: str, limit: int) -> str:
    with translation.override("vi"):
        return _("Cap reached: at most %(limit)d per %(scope)s per %(period)s.") % {
            "limit": limit,
            "scope": _("unit") if scope == "unit" else _("person"),
            "period": rule.get_cap_period_display(),
        }


def credits_for(awards: list[Award]) -> list[ledger.Credit]:
    """The ledger lines the awards earn, caps applied, in the order given."""
    if not awards:
        return []
    context = _Context({award.on for award in awards})
    planned = []
    for award in awards:
        activity_type = context.types.get(award.activity)
        if activity_type is None:
            continue
        for competition in context.competitions_for(award):
            rule = context.rule(competition, activity_type, award.on)
            if rule is not None:
                planned.append((award, competition, rule))
    _preload_counts(context, planned)
    credits = []
    for award, competition, rule in planned:
        reached = None
        cap_keys = _cap_keys(rule, award)
        for key, limit in cap_keys:
            if context.counts.get(key, 0) >= limit:
                reached = (key[2], limit)
                break
        if reached is None:
            for key, _limit in cap_keys:
                context.counts[key] = context.counts.get(key, 0) + 1
        quantity = min(award.quantity, rule.max_quantity)
        credits.append(
            ledger.Credit(
                competition=competition,
                unit=award.unit,
                person=award.person,
                activity_type=rule.activity_type,
                rule=rule,
                points=0 if reached else rule.points_for(award.quantity),
                quantity=quantity,
                source=SOURCE,
                explanation=(
                    _cap_explanation(rule, *reached) if reached else award.explanation
                ),
                idempotency_key=f"{award.key}:c{competition.pk}",
                occurred_at=rules.occurred_at(award.on),
                capped=reached is not None,
            )
        )
    return credits


def _lock_recipients(awards: list[Award]) -> None:
    """Lock units, then people, each in id order (the approval path's order), so two
    credits racing for the same cap are counted one after the other."""
    unit_ids = sorted({award.unit.pk for award in awards})
    person_ids = sorted({award.person.pk for award in awards if award.person})
    list(
        Unit.objects.select_for_update()
        .filter(pk__in=unit_ids)
        .order_by("pk")
        .values_list("pk")
    )
    if person_ids:
        list(
            Person.objects.select_for_update()
            .filter(pk__in=person_ids)
            .order_by("pk")
            .values_list("pk")
        )


def record(awards: list[Award], *, by, at: datetime) -> list[PointEntry]:
    """Credit a few awards (a check-in, a review): recipients locked, caps exact."""
    if not awards:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("crediting.record must run inside the source's transaction")
    _lock_recipients(awards)
    return ledger.credit(credits=credits_for(awards), by=by, at=at)


def record_many(awards: list[Award], *, by, at: datetime) -> dict[str, int]:
    """Credit many awards at once (imports); return {key: entry id} of those written."""
    if not awards:
        return {}
    return ledger.credit_many(credits=credits_for(awards), by=by, at=at)
