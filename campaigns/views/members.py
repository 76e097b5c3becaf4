"""A member's pages: join a branch to a campaign with its code, check in a task."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from units.audit import Origin
from units.forms import posted_form_token
from units.replay import sent_once

from .. import services
from ..models import Enrolment, Goal
from .common import campaign_or_404, refused


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@sent_once
def join(request):
    branches = list(services.branches_of(request.user))
    if request.method == "POST":
        unit = next(
            (b for b in branches if str(b.pk) == request.POST.get("unit")), None
        )
        try:
            if unit is None:
                raise services.NotFound(
                    _("You are not a member of this branch. Choose your own branch.")
                )
            enrolment = services.join_with_code(
                code=request.POST.get("code", ""),
                unit=unit,
                user=request.user,
                at=timezone.now(),
                origin=Origin.from_request(request),
            )
        except services.CampaignError as error:
            return refused(request, error)
        messages.success(
            request,
            _("%(branch)s takes part in “%(campaign)s”.")
            % {"branch": unit.name, "campaign": enrolment.campaign.name},
        )
        return redirect("campaigns:campaign", enrolment.campaign_id)
    return render(request, "campaigns/join.html", {"branches": branches})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@sent_once
def check_in(request, pk):
    campaign = campaign_or_404(pk)
    enrolled = Enrolment.objects.filter(campaign=campaign).values("unit_id")
    branches = list(services.branches_of(request.user).filter(pk__in=enrolled))
    goals = list(
        Goal.objects.filter(
            campaign=campaign, activity_type__isnull=False
        ).select_related("activity_type")
    )
    if request.method != "POST" and (campaign.is_closed or not branches):
        # The form is only for members of a branch taking part, while it runs.
        return refused(
            request,
            services.NotFound(
                _("The campaign is closed: nothing more can be checked in.")
                if campaign.is_closed
                else _(
                    "Only members of a branch taking part in this campaign can check "
                    "in. Ask your branch's secretary to enrol the branch."
                )
            ),
            back=reverse("campaigns:campaign", args=[campaign.pk]),
        )
    if request.method == "POST":
        try:
            unit = next(
                (b for b in branches if str(b.pk) == request.POST.get("unit")), None
            )
            if unit is None:
                raise services.NotFound(
                    _(
                        "Only members of a branch taking part can check in. Choose your "
                        "own branch."
                    )
                )
            goal = next(
                (g for g in goals if str(g.pk) == request.POST.get("goal")), None
            )
            try:
                day = date.fromisoformat(request.POST.get("occurred_on", ""))
                quantity = int(request.POST.get("quantity", ""))
            except ValueError:
                raise services.CampaignError(
                    _("Write the day and how many took part (a whole number).")
                ) from None
            services.check_in(
                campaign=campaign,
                goal=goal,
                unit=unit,
                user=request.user,
                occurred_on=day,
                quantity=quantity,
                description=request.POST.get("description", ""),
                photos=request.FILES.getlist("photo"),
                at=timezone.now(),
                origin=Origin.from_request(request),
                form_token=posted_form_token(request),
            )
        except services.CampaignError as error:
            return refused(request, error)
        messages.success(
            request,
            _("Checked in. The organiser verifies it; then it shows on the page."),
        )
        return redirect("campaigns:campaign", campaign.pk)
    return render(
        request,
        "campaigns/check_in.html",
        {
            "campaign": campaign,
            "branches": branches,
            "goals": goals,
            "today": timezone.localdate(),
        },
    )
