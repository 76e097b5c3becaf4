"""Turning stored codes into sentences for people (in the reader's language)."""

from django.utils import formats
from django.utils.translation import gettext as _


def describe_flags(
    flags: list[dict], *, visible: set[int] | frozenset[int] = frozenset()
) -> list[str]:
    """One sentence per plausibility flag, for the reviewer.

    A look-alike photo names its submission only when the reader may open it
    (`visible`: submission ids in their area); otherwise the reader learns that a
    match exists elsewhere, never which submission it is.
    """
    sentences = []
    for flag in flags or []:
        code = flag.get("code")
        if code == "quantity_above_headcount":
            sentences.append(
                _(
                    "The quantity (%(quantity)d) is larger than the unit's headcount (%(headcount)d)."
                )
                % flag
            )
        elif code == "burst" and "usual" not in flag:
            # Flags stored before the unit's own history was the measure.
            sentences.append(
                _("%(count)d submissions from this unit within %(minutes)d minutes.")
                % flag
            )
        elif code == "burst" and flag["usual"]:
            sentences.append(
                _(
                    "%(count)d submissions from this unit within %(minutes)d minutes; "
                    "in the past %(days)d days it sent about %(usual)s in an hour "
                    "when it sent any."
                )
                % {**flag, "usual": formats.number_format(flag["usual"])}
            )
        elif code == "burst":
            sentences.append(
                _(
                    "%(count)d submissions from this unit within %(minutes)d minutes; "
                    "it sent none in the past %(days)d days."
                )
                % flag
            )
        elif code == "outside_competition":
            sentences.append(
                _("The date of the activity is outside the competition's period.")
            )
        elif code == "duplicate_evidence" and flag.get("submission") in visible:
            sentences.append(
                _("A photo looks the same as evidence of submission #%(submission)d.")
                % flag
            )
        elif code == "duplicate_evidence":
            sentences.append(
                _(
                    "A photo looks the same as evidence sent by a unit outside your "
                    "area; ask the reviewer above you to compare them."
                )
            )
    return sentences


def flagged_submission_ids(flags: list[dict]) -> set[int]:
    """The other submissions a submission's flags point to."""
    return {
        flag["submission"]
        for flag in flags or []
        if flag.get("code") == "duplicate_evidence" and "submission" in flag
    }


def _n(value) -> str:
    return formats.number_format(value, force_grouping=True)


def describe_rule(rule) -> str:
    """The rule as a sentence: "20 points per lớp, plus 2 per học viên (…); at most
    3 lớp a week for each unit." — what an officer reads, not a formula."""
    activity = rule.activity_type
    values = {
        "points": _n(rule.points_per_event),
        "each": _n(rule.points_per_quantity),
        "most": _n(rule.max_quantity),
        "event": activity.event_label,
        "unit": activity.quantity_label,
        "period": rule.get_cap_period_display(),
    }
    if rule.points_per_event and rule.points_per_quantity:
        how = _(
            "%(points)s points per %(event)s, plus %(each)s points per %(unit)s "
            "(at most %(most)s %(unit)s counted per %(event)s)"
        )
    elif rule.points_per_event:
        how = _("%(points)s points per %(event)s")
    elif rule.points_per_quantity:
        how = _(
            "%(each)s points per %(unit)s (at most %(most)s %(unit)s counted per "
            "%(event)s)"
        )
    else:
        how = _("no points")
    parts = [how % values]
    if rule.max_events_per_unit:
        parts.append(
            _("at most %(n)s %(event)s a %(period)s for each unit")
            % {**values, "n": _n(rule.max_events_per_unit)}
        )
    if rule.max_events_per_person:
        parts.append(
            _("at most %(n)s %(event)s a %(period)s for each person")
            % {**values, "n": _n(rule.max_events_per_person)}
        )
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "."


def describe_entry(entry) -> str:
    """How a ledger line's points were counted, in words, when its rule says so."""
    rule = entry.rule
    if (
        rule is None
        or entry.reverses_id
        or entry.points != rule.points_for(entry.quantity)
    ):
        return ""
    activity = rule.activity_type
    values = {
        "points": _n(rule.points_per_event),
        "each": _n(rule.points_per_quantity),
        "quantity": _n(entry.quantity),
        "event": activity.event_label,
        "unit": activity.quantity_label,
    }
    if rule.points_per_event and rule.points_per_quantity:
        text = _(
            "%(points)s points for the %(event)s, plus %(each)s points for each "
            "%(unit)s (%(quantity)s %(unit)s)"
        )
    elif rule.points_per_event:
        text = _("%(points)s points for the %(event)s")
    elif rule.points_per_quantity:
        text = _("%(each)s points for each %(unit)s (%(quantity)s %(unit)s)")
    else:
        return ""
    return text % values
