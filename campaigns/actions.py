"""The audit actions of campaigns, in words (units.audit)."""

from django.utils.translation import gettext_lazy as _

SENTENCES = {
    "campaign.created": _("Created a campaign"),
    "campaign.new_code": _("Made a new join code for a campaign"),
    "campaign.targets": _("Changed a campaign's targets"),
    "campaign.enrolled": _("Enrolled a branch in a campaign"),
    "campaign.enrolled:code": _("A branch joined a campaign with its code"),
    "campaign.closed": _("Closed a campaign and froze its results"),
}
PAGES = {"campaigns.campaign": "campaigns:campaign"}
