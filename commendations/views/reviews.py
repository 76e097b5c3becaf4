"""A unit's reviews (sơ kết / tổng kết): close to propose, generate the dossiers,
send the nominations on with the submission letter."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from units.audit import Origin
from units.permissions import Action, can
from units.replay import sent_once

from .. import documents, dossiers, nominations, selectors
from ..access import may_manage
from ..errors import CommendationError
from ..models import Council, CouncilMember, Nomination, Review
from .common import DOCX, XLSX, download, refused

LISTED = 300


@login_required
@require_safe
def index(request):
    user = request.user
    councils = Council.objects.filter(
        unit__in=selectors.visible_units(user)
    ) | Council.objects.filter(
        pk__in=CouncilMember.objects.filter(user=user, is_active=True).values("council")
    )
    context = {
        "reviews": list(selectors.reviews_for(user)[:50]),
        "waiting": list(selectors.nominations_waiting(user)[:100]),
        "councils": list(councils.distinct().select_related("unit").order_by("pk")),
        "may_nominate": can_nominate(user),
        "mine": list(
            Nomination.objects.filter(person__user=user)
            .select_related("award_type", "nominee_unit")
            .order_by("-proposed_at")[:20]
        ),
    }
    if not (
        context["reviews"]
        or context["waiting"]
        or context["councils"]
        or context["mine"]
        or context["may_nominate"]
    ):
        raise Http404("commendations")
    return render(request, "commendations/index.html", context)


def can_nominate(user) -> bool:
    from units.permissions import can_somewhere

    return can_somewhere(user, Action.NOMINATE)


def _review_or_404(request, pk) -> Review:
    review = (
        Review.objects.select_related("competition", "unit", "closed_by")
        .filter(pk=pk, unit__in=selectors.visible_units(request.user))
        .first()
    )
    if review is None:
        raise Http404("review")
    return review


def _nominations(review: Review):
    return review.nominations.select_related(
        "award_type", "nominee_unit", "person", "unit", "authority_unit", "dossier"
    ).order_by("award_type__order", "rank", "pk")


def describe_rule(rule) -> str:
    """A proposal rule in plain words."""
    from badges.models import BadgeClass
    from leaderboards.selectors import entity_label

    if rule.kind == rule.Kind.BOARD_TOP:
        text = _("the top %(top)s of the %(who)s board") % {
            "top": rule.top,
            "who": str(entity_label(rule.entity)).lower(),
        }
        if rule.per_scope_kind:
            text += " " + _("of each %(kind)s") % {
                "kind": str(entity_label(rule.per_scope_kind)).lower()
            }
        return text
    if rule.kind == rule.Kind.BADGE_HOLDERS:
        badge = (
            BadgeClass.objects.filter(slug=rule.badge_slug)
            .values_list("name", flat=True)
            .first()
        )
        return _("the holders of the badge “%(badge)s”") % {
            "badge": badge or rule.badge_slug
        }
    return _("the %(who)s that reached %(target)s%% of their target") % {
        "who": str(entity_label(rule.entity)).lower(),
        "target": rule.target_percent,
    }


@login_required
@require_safe
def review(request, pk):
    item = _review_or_404(request, pk)
    listed = list(_nominations(item)[:LISTED])
    job = item.dossier_jobs.first()
    return render(
        request,
        "commendations/review.html",
        {
            "review": item,
            "rules": [
                {"rule": rule, "text": describe_rule(rule)}
                for rule in item.rules.select_related("award_type")
            ],
            "nominations": listed,
            "total": item.nominations.count(),
            "proposed": item.nominations.filter(
                status=Nomination.Status.PROPOSED
            ).count(),
            "job": job,
            "may_manage": may_manage(request.user, item.unit),
            "may_nominate": can(request.user, Action.NOMINATE, item.unit),
        },
    )


@login_required
@require_POST
@sent_once
def close(request, pk):
    item = _review_or_404(request, pk)
    try:
        result = nominations.close_review(
            review=item,
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )
    except CommendationError as error:
        return refused(request, error, back=f"/commendations/reviews/{item.pk}/")
    messages.success(
        request,
        _(
            "The review is closed: %(new)s nominations proposed (%(already)s had been already)."
        )
        % {"new": result.new, "already": result.already},
    )
    if result.new:
        dossiers.start_job(review=item, at=timezone.now())
    return redirect("commendations:review", item.pk)


@login_required
@require_POST
@sent_once
def submit(request, pk):
    item = _review_or_404(request, pk)
    try:
        sent = nominations.submit_review(
            review=item,
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )
    except CommendationError as error:
        return refused(request, error, back=f"/commendations/reviews/{item.pk}/")
    messages.success(
        request, _("%(n)s nominations were sent to the deciding unit.") % {"n": sent}
    )
    return redirect("commendations:review", item.pk)


@login_required
@require_POST
@sent_once
def dossiers_view(request, pk):
    item = _review_or_404(request, pk)
    if not can(request.user, Action.NOMINATE, item.unit):
        raise Http404("review")
    job = dossiers.start_job(review=item, at=timezone.now())
    if job.status == job.Status.DONE:
        messages.success(request, _("%(n)s dossiers were generated.") % {"n": job.done})
    else:
        messages.info(
            request,
            _("The dossiers are being generated; this page shows the progress."),
        )
    return redirect("commendations:review", item.pk)


def _letter_context(item: Review):
    listed = [n for n in _nominations(item) if n.status != Nomination.Status.WITHDRAWN]
    authorities = sorted({n.authority_unit for n in listed}, key=lambda u: u.path)
    return listed, authorities


@login_required
@require_safe
def letter(request, pk):
    item = _review_or_404(request, pk)
    listed, authorities = _letter_context(item)
    return render(
        request,
        "commendations/letter.html",
        {
            "review": item,
            "nominations": listed,
            "authorities": authorities,
            "issuer": documents.issuer_lines(item.unit),
            "date_line": documents.date_line(item.unit, timezone.localdate()),
        },
    )


@login_required
@require_safe
def letter_docx(request, pk):
    item = _review_or_404(request, pk)
    listed, authorities = _letter_context(item)
    data = documents.submission_letter(
        unit=item.unit,
        authority=authorities[0] if authorities else item.unit,
        nominations=listed,
        day=timezone.localdate(),
        title=item.competition.name,
    )
    return download(data, content_type=DOCX, filename=f"to-trinh-{item.pk}.docx")


@login_required
@require_safe
def nominees_xlsx(request, pk):
    item = _review_or_404(request, pk)
    listed, _authorities = _letter_context(item)
    return download(
        documents.nominees_xlsx(listed),
        content_type=XLSX,
        filename=f"danh-sach-{item.pk}.xlsx",
    )
