"""The audit actions of submissions and their review, in words (units.audit)."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "submission.created": _("Started a submission (draft)"),
    "submission.submitted": _("Sent a submission for review"),
    "submission.approved": _("Approved a submission; its points were credited"),
    "submission.rejected": _("Rejected a submission"),
    "submission.returned": _("Returned a submission for more evidence"),
    "submission.appealed": _("Appealed against a rejection"),
    "appeal.approved": _("Accepted an appeal; the submission's points were credited"),
    "appeal.rejected": _("Kept a rejection after an appeal"),
    "submission.points_revoked": _("Took back the points of a submission"),
}
PAGES = {"competitions.submission": "competitions:submission"}
