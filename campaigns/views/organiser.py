"""The organiser's pages: create from a template, enrol branches, share the code,
verify check-ins, change targets, close."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from competitions.models import Submission
from learning.codes import grouped
from units.audit import Origin
from units.models import Unit
from units.permissions import Action, units_where
from units.replay import sent_once

from .. import services
from ..models import Enrolment
from ..templates import TEMPLATES
from .common import campaign_or_404, refused

AREA_KINDS = [
    Unit.Kind.COMMUNE,
    Unit.Kind.WARD,
    Unit.Kind.VILLAGE,
    Unit.Kind.RESIDENTIAL_GROUP,
]


def _organised_or_404(request, pk):
    campaign = campaign_or_404(pk)
    if not services.may_organise(request.user, campaign):
        raise Http404("campaign")
    return campaign


def _organisers(user):
    return (
        units_where(user, Action.ORGANISE_CAMPAIGN)
        .filter(kind__in=[Unit.Kind.YOUTH_UNION, Unit.Kind.PROVINCE, Unit.Kind.COMMUNE])
        .order_by("path")[:50]
    )


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise services.CampaignError(
            _("Write the date as day/month/year, or pick it from the calendar.")
        ) from None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@sent_once
def new(request):
    organisers = list(_organisers(request.user))
    if not organisers:
        raise Http404("campaigns")
    if request.method == "POST":
        try:
            organiser = next(
                (u for u in organisers if str(u.pk) == request.POST.get("organiser")),
                None,
            )
            if organiser is None:
                raise services.NotFound(_("Choose the organising unit from the list."))
            created = services.create_campaign(
                organiser=organiser,
                template=request.POST.get("template", ""),
                name=request.POST.get("name", ""),
                starts_on=_day(request.POST.get("starts_on", "")),
                by=request.user,
                at=timezone.now(),
                origin=Origin.from_request(request),
            )
        except services.CampaignError as error:
            return refused(request, error)
        messages.success(
            request,
            _(
                "The campaign is running. Its join code is %(code)s: share it with "
                "the branches now, it is shown only once."
            )
            % {"code": grouped(created.join_code)},
        )
        return redirect("campaigns:manage", created.campaign.pk)
    return render(
        request,
        "campaigns/new.html",
        {
            "templates": list(TEMPLATES.values()),
            "organisers": organisers,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_safe
def manage(request, pk):
    campaign = _organised_or_404(request, pk)
    enrolled = set(
        Enrolment.objects.filter(campaign=campaign).values_list("unit_id", flat=True)
    )
    branches = (
        Unit.objects.filter(
            path__startswith=campaign.organiser.path,
            kind=Unit.Kind.YOUTH_BRANCH,
            is_active=True,
        )
        .exclude(pk__in=enrolled)
        .order_by("name", "pk")[:300]
    )
    root = campaign.organiser.path[: Unit.steplen]
    areas = Unit.objects.filter(
        path__startswith=root, kind__in=AREA_KINDS, is_active=True
    ).order_by("path")[:500]
    pending = list(
        Submission.objects.filter(
            competition=campaign.competition, status=Submission.Status.SUBMITTED
        )
        .select_related("unit", "activity_type", "person")
        .order_by("submitted_at", "pk")[:100]
    )
    context = {
        "campaign": campaign,
        "goals": list(campaign.goals.all()),
        "enrolments": list(
            Enrolment.objects.filter(campaign=campaign)
            .select_related("unit", "area")
            .order_by("unit__name", "pk")
        ),
        "branches": list(branches),
        "areas": list(areas),
        "pending": pending,
    }
    return render(request, "campaigns/manage.html", context)


def _act(request, pk, verb, *, success):
    campaign = _organised_or_404(request, pk)
    try:
        verb(campaign)
    except services.CampaignError as error:
        return refused(request, error, back=f"/campaigns/{campaign.pk}/manage/")
    if success:
        messages.success(request, success() if callable(success) else success)
    return redirect("campaigns:manage", campaign.pk)


@login_required
@require_POST
@sent_once
def enrol(request, pk):
    def verb(campaign):
        unit = Unit.objects.filter(pk=_int(request.POST.get("unit"))).first()
        area = None
        if request.POST.get("area"):
            # Only the areas the page lists: the organiser's province.
            area = Unit.objects.filter(
                pk=_int(request.POST.get("area")),
                kind__in=AREA_KINDS,
                path__startswith=campaign.organiser.path[: Unit.steplen],
            ).first()
            if area is None:
                raise services.NotFound(_("Choose the area from the list."))
        services.enrol(
            campaign=campaign,
            unit=unit,
            area=area,
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )

    return _act(request, pk, verb, success=_("The branch takes part now."))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
@sent_once
def new_code(request, pk):
    made = {}

    def verb(campaign):
        made["code"] = services.new_join_code(
            campaign=campaign,
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )

    return _act(
        request,
        pk,
        verb,
        success=lambda: (
            _(
                "The new join code is %(code)s (the old one no longer works). Share it "
                "now: it is shown only once."
            )
            % {"code": grouped(made["code"])}
        ),
    )


@login_required
@require_POST
@sent_once
def targets(request, pk):
    def verb(campaign):
        services.set_targets(
            campaign=campaign,
            targets={
                key[len("target_") :]: value
                for key, value in request.POST.items()
                if key.startswith("target_")
            },
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )

    return _act(request, pk, verb, success=_("The targets were changed."))


@login_required
@require_POST
@sent_once
def verify(request, pk, submission):
    def verb(campaign):
        services.verify_check_in(
            campaign=campaign,
            submission_id=submission,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )

    return _act(request, pk, verb, success=_("The check-in was decided."))


@login_required
@require_POST
@sent_once
def close(request, pk):
    campaign = _organised_or_404(request, pk)
    try:
        services.close_campaign(
            campaign=campaign,
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )
    except services.CampaignError as error:
        return refused(request, error, back=f"/campaigns/{campaign.pk}/manage/")
    messages.success(
        request,
        _(
            "The campaign is closed: its results are frozen, completion badges are "
            "issued and the top branches are proposed for commendation."
        ),
    )
    return redirect("campaigns:campaign", campaign.pk)
