"""Turning stored codes into sentences for people (in the reader's language)."""

from django.utils.translation import gettext as _


def describe_flags(flags: list[dict], *, visible: set[int]) -> list[str]:
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
        elif code == "burst":
            sentences.append(
                _("%(count)d submissions from this unit within %(minutes)d minutes.")
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
