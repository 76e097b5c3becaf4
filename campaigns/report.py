"""The campaigns part of a unit's periodic report (units/report_sections.py).

The reports app sits above this one and cannot be imported from here; it reads
every section registered in units.report_sections, so campaigns registers this one
from its AppConfig.ready().
"""

from datetime import date

from django.db.models import Count, Q, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from competitions.models import PointEntry, Submission
from units.models import Unit
from units.report_sections import period_bounds

from .models import Campaign, Enrolment


def campaigns_section(unit: Unit, start: date, end: date) -> dict | None:
    """Campaigns that ran in the period and that the unit's subtree took part in
    (it organised them, or its branches or their areas were enrolled): the
    branches of the subtree enrolled by the end of the period, their check-ins
    approved and their campaign points, counted by the activity's date.

    Reads only records dated within the period, so a closed period's report gives
    the same numbers whenever it is made. None when no campaign ran there.
    """
    first, last = period_bounds(start, end)
    inside = unit.path
    campaigns = list(
        Campaign.objects.filter(starts_on__lte=end, ends_on__gte=start)
        .filter(
            Q(organiser__path__startswith=inside)
            | Q(enrolments__unit__path__startswith=inside)
            | Q(enrolments__area__path__startswith=inside)
        )
        .distinct()
        .select_related("organiser")
        .order_by("starts_on", "pk")
    )
    if not campaigns:
        return None
    ids = [campaign.pk for campaign in campaigns]
    competitions = [campaign.competition_id for campaign in campaigns]
    branches = dict(
        Enrolment.objects.filter(
            campaign_id__in=ids, unit__path__startswith=inside, joined_at__lte=last
        )
        .values("campaign_id")
        .annotate(n=Count("pk"))
        .values_list("campaign_id", "n")
    )
    check_ins = dict(
        Submission.objects.filter(
            competition_id__in=competitions,
            unit__path__startswith=inside,
            status=Submission.Status.APPROVED,
            occurred_on__gte=start,
            occurred_on__lte=end,
        )
        .values("competition_id")
        .annotate(n=Count("pk"))
        .values_list("competition_id", "n")
    )
    points = dict(
        PointEntry.objects.filter(
            competition_id__in=competitions,
            unit__path__startswith=inside,
            occurred_at__gte=first,
            occurred_at__lte=last,
        )
        .values("competition_id")
        .annotate(n=Sum("points"))
        .values_list("competition_id", "n")
    )
    rows = [
        [
            campaign.name,
            campaign.organiser.name,
            f"{date_format(campaign.starts_on, 'SHORT_DATE_FORMAT')} – "
            f"{date_format(campaign.ends_on, 'SHORT_DATE_FORMAT')}",
            branches.get(campaign.pk, 0),
            check_ins.get(campaign.competition_id, 0),
            points.get(campaign.competition_id) or 0,
        ]
        for campaign in campaigns
    ]
    rows.append([_("Total"), "", "", *(sum(row[i] for row in rows) for i in (3, 4, 5))])
    return {
        "title": _("Campaigns"),
        "header": [
            _("Campaign"),
            _("Organiser"),
            _("Period"),
            _("Branches enrolled"),
            _("Check-ins approved"),
            _("Campaign points"),
        ],
        "rows": rows,
    }
