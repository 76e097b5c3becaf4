"""The pages everyone may open without signing in: the campaigns, a campaign's
page (progress, board, countdown, feed) and its festival big screen."""

import io
from datetime import datetime

import segno
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from PIL import Image

from badges.models import Assertion
from badges.selectors import recent_awards
from commendations.models import Nomination
from competitions.models import Evidence, Submission
from units.media import open_stored

from .. import selectors, services
from ..models import Campaign, Metric
from .common import campaign_or_404, public_cache

THUMBNAIL = 480
SCREEN_ROWS = 8
SCREEN_PROGRESS = 4


def _labelled(data: dict) -> dict:
    """The data with each goal's label and each branch's goals side by side."""
    labels = dict(Metric.choices)
    goals = [
        {**g, "label": labels.get(g["metric"], g["metric"])} for g in data["goals"]
    ]
    branches = []
    for branch in data["branches"]:
        branches.append(
            {
                **branch,
                "goals": [
                    {
                        "label": goal["label"],
                        "value": branch["values"].get(goal["metric"], 0),
                        "target": goal["target"],
                        "percent": branch["percents"].get(goal["metric"], 0),
                    }
                    for goal in goals
                ],
            }
        )
    by_id = {b["id"]: b for b in branches}
    ends_at = parse_datetime(data["ends_at"])
    return {
        **data,
        "goals": [
            {**goal, "total": data["totals"].get(goal["metric"], 0)} for goal in goals
        ],
        "branches": branches,
        "by_percent_rows": [by_id[pk] for pk in data["by_percent"] if pk in by_id],
        "ends_at_dt": ends_at,
        "taken_at": parse_datetime(data["at"]),
    }


def js_labels() -> dict:
    """The words campaign.js writes when a frame arrives, in the page's language."""
    return {
        "locale": "vi-VN" if (get_language() or "vi").startswith("vi") else "en-GB",
        "metrics": {code: str(label) for code, label in Metric.choices},
        "points": _("points"),
        "no_branch": _("No branch takes part yet."),
        "no_check_in": _("No verified check-in yet."),
        "photo_of": _("Photo: %(a)s, %(b)s"),
        "target_per_branch": _("target %(t)s per branch"),
        "just_now": _("just now"),
        "minutes_ago": _("%(n)s min ago"),
        "live_as_of": _("Live: figures as of %(t)s."),
        "offline_as_of": _(
            "No connection: figures as of %(t)s (%(age)s); reconnecting…"
        ),
        "left_format": _("%(d)s d %(h)s h %(m)s min"),
    }


def _left(ends_at: datetime, now: datetime) -> dict:
    seconds = max(0, int((ends_at - now).total_seconds()))
    return {
        "days": seconds // 86400,
        "hours": seconds % 86400 // 3600,
        "minutes": seconds % 3600 // 60,
        "over": seconds == 0,
    }


def _outcome(campaign: Campaign) -> dict:
    """What the close brought: the completion badge's holders and the branches
    proposed for commendation (both decided after the snapshot, and shown apart)."""
    if not campaign.is_closed:
        return {}
    holders = []
    if campaign.badge_class_id:
        holders = list(
            Assertion.objects.public()
            .filter(badge_class_id=campaign.badge_class_id)
            .select_related("unit")
            .order_by("unit__name", "pk")
        )
    proposed = []
    if campaign.review_id:
        proposed = list(
            Nomination.objects.filter(review_id=campaign.review_id)
            .select_related("unit", "award_type")
            .order_by("rank", "pk")
        )
    return {"holders": holders, "proposed": proposed}


@require_safe
def campaign_list(request):
    campaigns = list(
        Campaign.objects.select_related("organiser").order_by(
            "status", "-starts_on", "-pk"
        )[:100]
    )
    from units.permissions import Action, can_somewhere

    response = render(
        request,
        "campaigns/list.html",
        {
            "campaigns": campaigns,
            "may_create": can_somewhere(request.user, Action.ORGANISE_CAMPAIGN),
        },
    )
    return public_cache(request, response, 30)


@require_safe
def campaign(request, pk):
    """The public page: complete without JavaScript, live with it."""
    campaign = campaign_or_404(pk)
    data = _labelled(selectors.public_data(campaign))
    context = {
        "campaign": campaign,
        "data": data,
        "left": _left(data["ends_at_dt"], timezone.now()),
        "may_organise": services.may_organise(request.user, campaign),
        # Every signed-in visitor sees the way in; the form tells a non-member why
        # not (a link shown only to members hides it from those who should ask).
        "may_check_in": not campaign.is_closed and request.user.is_authenticated,
        "screen_url": reverse("campaigns:screen", args=[campaign.pk]),
        "labels": js_labels(),
        "shown": ":",
        "progress_shown": ":",
        **_outcome(campaign),
    }
    response = render(request, "campaigns/campaign.html", context)
    return public_cache(request, response, 5)


@require_safe
def screen(request, pk):
    """The festival big screen: no interaction, rotating, live, with a QR code."""
    campaign = campaign_or_404(pk)
    data = _labelled(selectors.public_data(campaign))
    address = request.build_absolute_uri(
        reverse("campaigns:campaign", args=[campaign.pk])
    )
    context = {
        "campaign": campaign,
        "data": data,
        "left": _left(data["ends_at_dt"], timezone.now()),
        "badges": recent_awards(limit=6),
        "labels": {
            **js_labels(),
            "shown": SCREEN_ROWS,
            "progress_shown": SCREEN_PROGRESS,
        },
        # Read from the back of a hall: the leading branches only.
        "shown": f":{SCREEN_ROWS}",
        "progress_shown": f":{SCREEN_PROGRESS}",
        "address": address,
        # segno writes a plain <svg> with no style attribute: the policy allows it.
        "qr": mark_safe(
            segno.make(address, error="m").svg_inline(
                scale=1, border=2, omitsize=True, title=address
            )
        ),
    }
    response = render(request, "campaigns/screen.html", context)
    return public_cache(request, response, 5)


@require_safe
def photo(request, pk, submission):
    """A verified check-in's photo, shrunk for the feed; pending ones only to the
    organiser (who verifies them)."""
    campaign = campaign_or_404(pk)
    check_in = Submission.objects.filter(
        pk=submission, competition_id=campaign.competition_id
    ).first()
    if check_in is None:
        raise Http404("check-in")
    if check_in.status != Submission.Status.APPROVED and not services.may_organise(
        request.user, campaign
    ):
        raise Http404("check-in")
    evidence = (
        Evidence.objects.filter(submission=check_in, kind=Evidence.Kind.PHOTO)
        .order_by("pk")
        .first()
    )
    if evidence is None:
        raise Http404("photo")
    with open_stored(evidence.file) as handle:
        image = Image.open(handle)
        image.thumbnail((THUMBNAIL, THUMBNAIL))
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=80)
    response = HttpResponse(out.getvalue(), content_type="image/jpeg")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if check_in.status == Submission.Status.APPROVED:
        response["Cache-Control"] = "public, max-age=3600"
    else:
        response["Cache-Control"] = "private, max-age=0"
    return response
