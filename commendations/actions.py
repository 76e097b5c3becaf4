"""The audit actions of commendations, in words (units.audit): the trail a council
reads on a nomination and a session says what happened, never "nomination.voted"
or "submitted → voting"."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "review.closed": _("Closed the review and proposed its nominations"),
    "nomination.proposed": _("Proposed the nomination"),
    "nomination.edited": _("Completed the justification"),
    "nomination.submitted": _("Sent the nomination to the deciding unit"),
    "nomination.forwarded": _(
        "Forwarded the nomination to the unit above that decides it"
    ),
    "nomination.returned": _("Returned the nomination to the unit that made it"),
    "nomination.before_council": _("Put the nomination before the council"),
    "nomination.voted:approved": _("The council's vote passed"),
    "nomination.voted:not_approved": _("The council's vote did not pass"),
    "nomination.voted": _("The council voted"),
    "ballot.cast:yes": _("Voted in favour (open ballot)"),
    "ballot.cast:no": _("Voted against (open ballot)"),
    "ballot.cast:abstain": _("Abstained (open ballot)"),
    "ballot.cast": _("Cast a secret ballot"),
    "ballot.in_writing:yes": _("Gave a written opinion in favour"),
    "ballot.in_writing:no": _("Gave a written opinion against"),
    "ballot.in_writing:abstain": _("Gave a written opinion, abstaining"),
    "ballot.in_writing": _("Gave a written opinion by secret ballot"),
    "session.opened": _("Opened a council session"),
    "session.attendance": _("Recorded who is present"),
    "session.closed": _("Closed the vote and computed the results"),
    "decision.recorded": _("Recorded the authority's decision"),
    "nomination.awarded": _("Awarded by the decision"),
    "award.revoked": _("Revoked the award"),
}
PAGES = {
    "commendations.review": "commendations:review",
    "commendations.councilsession": "commendations:session",
}
