"""One nomination: its dossier from the records, its trail, and the steps a unit or
the deciding unit takes on it; and a nomination made by hand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile  # noqa: F401 (kept for symmetry)
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from units.audit import Origin
from units.media import open_stored
from units.models import Person, Unit
from units.permissions import Action, can, units_where
from units.replay import sent_once

from .. import dossiers, nominations, selectors
from ..access import may_manage
from ..errors import CommendationError, NotFound
from ..models import AwardType, Nomination
from .common import DOCX, download, refused


def _nomination_or_404(request, uid) -> Nomination:
    nomination = (
        Nomination.objects.select_related(
            "award_type",
            "person",
            "unit",
            "nominee_unit",
            "nominating_unit",
            "authority_unit",
            "review__competition",
            "proposed_by",
        )
        .filter(uid=uid)
        .first()
    )
    if nomination is None or not selectors.may_see_nomination(request.user, nomination):
        raise Http404("nomination")
    return nomination


@login_required
@require_safe
def detail(request, uid):
    nomination = _nomination_or_404(request, uid)
    dossier = getattr(nomination, "dossier", None)
    facts = dossier.facts if dossier else dossiers.facts_for(nomination)
    staff = any(
        can(request.user, Action.VIEW_NOMINATIONS, u)
        for u in (nomination.nominating_unit, nomination.authority_unit)
    ) or may_manage(request.user, nomination.authority_unit)
    items = list(nomination.session_items.select_related("session").order_by("pk"))
    return render(
        request,
        "commendations/nomination.html",
        {
            "nomination": nomination,
            "dossier": dossier,
            "facts": facts,
            "items": items,
            "trail": list(selectors.nomination_trail(nomination)) if staff else [],
            "may_edit": nomination.status in Nomination.AT_NOMINATING_UNIT
            and can(request.user, Action.NOMINATE, nomination.nominating_unit),
            "may_return": nomination.status
            in (Nomination.Status.SUBMITTED, Nomination.Status.NOT_APPROVED)
            and may_manage(request.user, nomination.authority_unit),
            "award": getattr(nomination, "award", None)
            if nomination.status in ("awarded", "revoked")
            else None,
        },
    )


def _step(request, uid, action, success: str):
    nomination = _nomination_or_404(request, uid)
    try:
        action(nomination)
    except CommendationError as error:
        return refused(request, error, back=f"/commendations/nominations/{uid}/")
    messages.success(request, success)
    return redirect("commendations:nomination", uid)


@login_required
@require_POST
@sent_once
def edit(request, uid):
    return _step(
        request,
        uid,
        lambda n: nominations.update_justification(
            nomination=n,
            justification=request.POST.get("justification", ""),
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        ),
        _("The justification was saved."),
    )


@login_required
@require_POST
@sent_once
def submit(request, uid):
    return _step(
        request,
        uid,
        lambda n: nominations.submit_nomination(
            nomination=n,
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        ),
        _("The nomination was sent to the deciding unit."),
    )


@login_required
@require_POST
@sent_once
def send_back(request, uid):
    return _step(
        request,
        uid,
        lambda n: nominations.return_nomination(
            nomination=n,
            reason=request.POST.get("reason", ""),
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        ),
        _("The nomination was returned to the unit with your reason."),
    )


@login_required
@require_safe
def report_docx(request, uid):
    nomination = _nomination_or_404(request, uid)
    dossier = getattr(nomination, "dossier", None)
    if dossier is None or not dossier.document:
        dossier = dossiers.generate(nomination, at=timezone.now())
    with open_stored(dossier.document) as stored:
        data = stored.read()
    return download(
        data, content_type=DOCX, filename=f"bao-cao-thanh-tich-{nomination.pk}.docx"
    )


def _recipient(value: str, units):
    kind, _sep, pk = value.partition("-")
    if not (pk.isascii() and pk.isdigit()):
        return None, None
    if kind == "p":
        person = (
            Person.objects.filter(
                pk=int(pk),
                is_active=True,
                memberships__unit__in=units,
                memberships__is_primary=True,
            )
            .distinct()
            .first()
        )
        return person, None
    if kind == "u":
        return None, units.filter(pk=int(pk), is_active=True).first()
    return None, None


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def new(request):
    """A unit proposes one of its people or units by hand, with a justification."""
    units = units_where(request.user, Action.NOMINATE).filter(is_active=True)
    if not units.exists():
        raise Http404("nominate")
    form = {
        "unit": request.POST.get("unit", request.GET.get("unit", "")),
        "award_type": request.POST.get("award_type", ""),
        "recipient": request.POST.get("recipient", ""),
        "justification": request.POST.get("justification", ""),
    }
    error, status = "", 200
    if request.method == "POST":
        unit = None
        if form["unit"].isascii() and form["unit"].isdigit():
            unit = units.filter(pk=int(form["unit"])).first()
        award_type = None
        if form["award_type"].isascii() and form["award_type"].isdigit():
            award_type = (
                AwardType.objects.usable(timezone.localdate())
                .filter(pk=int(form["award_type"]))
                .first()
            )
        if unit is None:
            error, status = _("Choose your unit from the list."), 404
        elif award_type is None:
            error, status = _("Choose an award from the list."), 400
        else:
            person, nominee_unit = _recipient(
                form["recipient"], Unit.objects.filter(path__startswith=unit.path)
            )
            if person is None and nominee_unit is None:
                error, status = (
                    _(
                        "There is no such person or unit in your unit. Choose one from the list."
                    ),
                    404,
                )
            else:
                try:
                    made = nominations.nominate(
                        nominating_unit=unit,
                        award_type=award_type,
                        person=person,
                        unit=nominee_unit,
                        justification=form["justification"],
                        by=request.user,
                        at=timezone.now(),
                        origin=Origin.from_request(request),
                    )
                except NotFound as refusal:
                    error, status = refusal.message, 404
                except CommendationError as refusal:
                    error, status = refusal.message, refusal.status
                else:
                    messages.success(
                        request,
                        _(
                            "The nomination was saved; send it when its justification is complete."
                        ),
                    )
                    return redirect("commendations:nomination", made.uid)
    chosen = (
        units.filter(pk=int(form["unit"])).first()
        if form["unit"].isascii() and form["unit"].isdigit()
        else None
    )
    chosen = chosen or units.order_by("path").first()
    people = Person.objects.filter(
        is_active=True,
        memberships__is_primary=True,
        memberships__unit__path__startswith=chosen.path,
    ).order_by("display_name", "pk")[:300]
    return render(
        request,
        "commendations/nomination_new.html",
        {
            "form": form,
            "error": error,
            "units": list(units.order_by("path")[:200]),
            "chosen": chosen,
            "award_types": list(AwardType.objects.usable(timezone.localdate())),
            "people": list(people),
            "subunits": list(
                Unit.objects.filter(
                    path__startswith=chosen.path, is_active=True
                ).order_by("path")[:300]
            ),
        },
        status=status,
    )
