"""Recording the authority's signed decision; revoking an award."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from units.audit import Origin
from units.replay import sent_once

from .. import decisions
from ..access import may_decide
from ..errors import CommendationError
from ..models import Award, Council, Nomination


def signer_title(unit) -> str:
    """The usual title of who signs for the unit: "Chủ tịch Ủy ban nhân dân thành
    phố Hải Phòng" (the kind of place in lower case inside the title)."""
    name = unit.name
    for prefix in ("Thành phố ", "Tỉnh ", "Xã ", "Phường "):
        if name.startswith(prefix):
            name = prefix.lower() + name[len(prefix) :]
            return f"Chủ tịch Ủy ban nhân dân {name}"
    if unit.kind == "department":
        return f"Giám đốc {unit.name}"
    return f"Thủ trưởng {unit.name}"


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def new(request, pk):
    council = Council.objects.select_related("unit").filter(pk=pk).first()
    if council is None or not may_decide(request.user, council.unit):
        raise Http404("council")
    unit = council.unit
    approved = list(
        Nomination.objects.filter(
            authority_unit=unit,
            status__in=[Nomination.Status.APPROVED, Nomination.Status.SUBMITTED],
        )
        .select_related("award_type", "nominee_unit", "person", "unit")
        .order_by("award_type__order", "pk")[:500]
    )
    first = approved[0].award_type if approved else None
    form = {
        "number": request.POST.get("number", ""),
        "signed_on": request.POST.get("signed_on", timezone.localdate().isoformat()),
        "signer_name": request.POST.get("signer_name", ""),
        "signer_title": request.POST.get("signer_title", signer_title(unit)),
        "subject": request.POST.get(
            "subject", f"Về việc tặng {first.name}" if first else ""
        ),
        "nominations": request.POST.getlist("nominations"),
    }
    error, status = "", 200
    if request.method == "POST":
        ids = [int(v) for v in form["nominations"] if v.isascii() and v.isdigit()]
        chosen = list(Nomination.objects.filter(pk__in=ids, authority_unit=unit))
        signed_on = parse_date(form["signed_on"] or "")
        if len(chosen) != len(set(ids)):
            error, status = _("Choose nominations from the list."), 400
        elif signed_on is None:
            error, status = (
                _("Give the date of signature as on the paper (day/month/year)."),
                400,
            )
        else:
            try:
                decision = decisions.record_decision(
                    issuing_unit=unit,
                    number=form["number"],
                    signed_on=signed_on,
                    signer_name=form["signer_name"],
                    signer_title=form["signer_title"],
                    subject=form["subject"],
                    nominations=chosen,
                    by=request.user,
                    at=timezone.now(),
                    origin=Origin.from_request(request),
                )
            except CommendationError as refusal:
                error, status = refusal.message, refusal.status
            else:
                messages.success(
                    request,
                    _("The decision is recorded; the awards are on the honour board."),
                )
                return redirect("commendations:decision", decision.uid)
    return render(
        request,
        "commendations/decision_new.html",
        {"council": council, "approved": approved, "form": form, "error": error},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def revoke(request, uid):
    award = (
        Award.objects.select_related(
            "decision__issuing_unit", "award_type", "nomination__review"
        )
        .filter(uid=uid)
        .first()
    )
    if award is None or not may_decide(request.user, award.decision.issuing_unit):
        raise Http404("award")
    achievements = list(
        decisions.related_submissions(award)
        .select_related("activity_type")
        .order_by("-occurred_on")[:100]
    )
    badges = list(decisions.related_badges(award).select_related("badge_class")[:50])
    error, status = "", 200
    if request.method == "POST":
        try:
            decisions.revoke_award(
                award=award,
                reason=request.POST.get("reason", ""),
                decision_number=request.POST.get("decision_number", ""),
                submission_ids=[
                    int(v)
                    for v in request.POST.getlist("submissions")
                    if v.isascii() and v.isdigit()
                ],
                assertion_ids=[
                    int(v)
                    for v in request.POST.getlist("badges")
                    if v.isascii() and v.isdigit()
                ],
                by=request.user,
                at=timezone.now(),
                origin=Origin.from_request(request),
            )
        except CommendationError as refusal:
            error, status = refusal.message, refusal.status
        else:
            messages.success(
                request, _("The award is revoked; its record says so with your reason.")
            )
            return redirect("commendations:award", award.uid)
    return render(
        request,
        "commendations/revoke.html",
        {
            "award": award,
            "achievements": achievements,
            "badges": badges,
            "error": error,
            "form": request.POST,
        },
        status=status,
    )
