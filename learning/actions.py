"""The audit actions of learning and mentoring, in words (units.audit)."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "completion.record": _("Recorded a completed training"),
    "completion.record:pending": _("Reported a completed training, to be reviewed"),
    "completion.review": _("Reviewed a reported completion"),
    "completion.review:confirmed": _("Confirmed a reported completion"),
    "completion.review:rejected": _("Did not confirm a reported completion"),
    "session.create": _("Opened a class session"),
    "session.anonymous_attendees": _("Recorded attendees without their names"),
    "import.apply": _("Recorded a list of completions from a file"),
    "household.create": _("Added a household"),
    "household.add_member": _("Added a person to a household"),
    "household.remove_member": _("Took a person out of a household"),
    "vneid.record": _("Recorded help given to citizens with VNeID"),
    "mentorship.confirm": _("Accepted a digital ambassador as mentor"),
    "integration.create": _("Connected a learning platform (a new token)"),
    "integration.revoke": _("Disconnected a learning platform (token revoked)"),
}
PAGES = {
    "learning.completion": "learning:completion",
    "learning.classsession": "learning:session",
    "learning.importbatch": "learning:import",
    "learning.household": "learning:household",
}
