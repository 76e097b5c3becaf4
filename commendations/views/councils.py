"""A council's page, its sessions, the ballots of its members and its minutes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from units.audit import Origin
from units.permissions import Action, can
from units.replay import sent_once

from .. import councils, documents, selectors
from ..access import may_decide, may_manage, member_of
from ..errors import CommendationError
from ..models import Council, CouncilSession, Nomination, SessionItem
from .common import DOCX, download, refused


def _may_see(user, council: Council) -> bool:
    return (
        can(user, Action.VIEW_NOMINATIONS, council.unit)
        or member_of(user, council.unit) is not None
    )


def _council_or_404(request, pk) -> Council:
    council = Council.objects.select_related("unit").filter(pk=pk).first()
    if council is None or not _may_see(request.user, council):
        raise Http404("council")
    return council


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def council(request, pk):
    item = _council_or_404(request, pk)
    if request.method == "POST":
        held_on = (
            parse_date(request.POST.get("held_on", "") or "") or timezone.localdate()
        )
        try:
            session = councils.open_session(
                council=item,
                title=request.POST.get("title", ""),
                held_on=held_on,
                by=request.user,
                at=timezone.now(),
                origin=Origin.from_request(request),
            )
        except CommendationError as error:
            return refused(request, error, back=f"/commendations/councils/{item.pk}/")
        messages.success(
            request,
            _(
                "The session is open: mark who is present, then put nominations before it."
            ),
        )
        return redirect("commendations:session", session.pk)
    return render(
        request,
        "commendations/council.html",
        {
            "council": item,
            "members": list(item.members.filter(is_active=True).order_by("pk")),
            "sessions": list(item.sessions.order_by("-held_on", "-pk")[:30]),
            "waiting": list(
                Nomination.objects.filter(
                    authority_unit=item.unit, status=Nomination.Status.SUBMITTED
                )
                .select_related("award_type", "nominee_unit", "person", "unit")
                .order_by("pk")[:300]
            ),
            "approved": Nomination.objects.filter(
                authority_unit=item.unit, status=Nomination.Status.APPROVED
            ).count(),
            "may_manage": may_manage(request.user, item.unit),
            "may_decide": may_decide(request.user, item.unit),
            "today": timezone.localdate(),
            "decisions": list(
                item.unit.award_decisions.order_by("-signed_on", "-pk")[:20]
            ),
        },
    )


def _session_or_404(request, pk) -> CouncilSession:
    session = (
        CouncilSession.objects.select_related("council__unit").filter(pk=pk).first()
    )
    if session is None or not _may_see(request.user, session.council):
        raise Http404("session")
    return session


def _rows(session: CouncilSession):
    items = list(
        session.items.select_related(
            "nomination__award_type",
            "nomination__nominee_unit",
            "nomination__person",
            "nomination__unit",
            "session__council",
        )
    )
    present = list(session.present.all())
    members = list(session.council.members.filter(is_active=True))
    return [
        (item, councils.count(item, present_members=present, members=members))
        for item in items
    ]


@login_required
@require_safe
def session(request, pk):
    item = _session_or_404(request, pk)
    rows = _rows(item)
    member = member_of(request.user, item.council.unit)
    voted = set()
    if member is not None:
        from ..models import Ballot

        voted = set(
            Ballot.objects.filter(member=member, item__session=item).values_list(
                "item_id", flat=True
            )
        )
    present_ids = set(item.present.values_list("pk", flat=True))
    ballots = []
    for entry, tally in rows:
        why = councils.conflict(member, entry.nomination) if member else ""
        ballots.append(
            {
                "item": entry,
                "tally": tally,
                "voted": entry.pk in voted,
                "conflict": why,
                "may_vote": member is not None
                and entry.result == SessionItem.Result.PENDING
                and not why
                and entry.pk not in voted
                and (member.pk in present_ids or entry.written_opinions),
                "in_writing": member is not None and member.pk not in present_ids,
                "cast": entry.cast,
            }
        )
    return render(
        request,
        "commendations/session.html",
        {
            "session": item,
            "ballots": ballots,
            "members": list(item.council.members.filter(is_active=True).order_by("pk")),
            "present_ids": present_ids,
            "member": member,
            "may_manage": may_manage(request.user, item.council.unit),
            "may_decide": may_decide(request.user, item.council.unit),
            "waiting": list(
                Nomination.objects.filter(
                    authority_unit=item.council.unit, status=Nomination.Status.SUBMITTED
                )
                .select_related("award_type", "nominee_unit", "person", "unit")
                .order_by("pk")[:300]
            ),
            "trail": list(selectors.trail("commendations.councilsession", [item.pk]))
            + list(
                selectors.trail(
                    "commendations.nomination", [e.nomination_id for e, _t in rows]
                )
            ),
        },
    )


def _ids(values) -> list[int]:
    return [int(v) for v in values if v.isascii() and v.isdigit()]


def _session_step(request, pk, action, success):
    item = _session_or_404(request, pk)
    try:
        action(item)
    except CommendationError as error:
        return refused(request, error, back=f"/commendations/sessions/{item.pk}/")
    messages.success(request, success)
    return redirect("commendations:session", item.pk)


@login_required
@require_POST
@sent_once
def attendance(request, pk):
    return _session_step(
        request,
        pk,
        lambda s: councils.set_attendance(
            session=s,
            member_ids=_ids(request.POST.getlist("present")),
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        ),
        _("Attendance recorded."),
    )


@login_required
@require_POST
@sent_once
def agenda(request, pk):
    def add(s):
        ids = _ids(request.POST.getlist("nominations"))
        chosen = list(Nomination.objects.filter(pk__in=ids))
        if not ids or len(chosen) != len(set(ids)):
            raise CommendationError(_("Choose nominations from the list."))
        councils.add_to_session(
            session=s,
            nominations=chosen,
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )

    return _session_step(request, pk, add, _("The nominations are before the council."))


@login_required
@require_POST
@sent_once
def vote(request, pk, item):
    def cast(s):
        entry = SessionItem.objects.filter(pk=item, session=s).first()
        if entry is None:
            raise CommendationError(_("There is no such nomination in this session."))
        councils.cast_ballot(
            item=entry,
            user=request.user,
            choice=request.POST.get("choice", ""),
            in_writing=request.POST.get("in_writing") == "1",
            at=timezone.now(),
            origin=Origin.from_request(request),
        )

    return _session_step(request, pk, cast, _("Your ballot was counted."))


@login_required
@require_POST
@sent_once
def close(request, pk):
    return _session_step(
        request,
        pk,
        lambda s: councils.close_session(
            session=s,
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        ),
        _("The vote is closed; the results are computed below."),
    )


@login_required
@require_safe
def minutes(request, pk):
    item = _session_or_404(request, pk)
    return render(
        request,
        "commendations/minutes.html",
        {
            "session": item,
            "rows": _rows(item),
            "present": list(item.present.all()),
            "issuer": (
                "HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG",
                item.council.unit.name.upper(),
            ),
            "date_line": documents.date_line(item.council.unit, item.held_on),
        },
    )


@login_required
@require_safe
def minutes_docx(request, pk):
    item = _session_or_404(request, pk)
    return download(
        documents.minutes(item, _rows(item)),
        content_type=DOCX,
        filename=f"bien-ban-{item.pk}.docx",
    )
