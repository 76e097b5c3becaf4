"""Pages: class sessions, their attendance, and the learners' QR check-in."""

from datetime import UTC, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from units.audit import Origin
from units.forms import posted_form_token
from units.permissions import Action, can, can_somewhere, units_where
from units.replay import sent_once
from units.selectors import people_to_choose

from .. import services, sessions
from ..forms import MAX_PEOPLE_IN_LIST, AttendanceForm, SessionForm
from ..models import ClassSession, Completion


def _session_for(user, pk) -> ClassSession:
    try:
        session = ClassSession.objects.select_related(
            "training", "unit", "trainer"
        ).get(pk=int(pk))
    except (ClassSession.DoesNotExist, TypeError, ValueError):
        raise Http404("session") from None
    if not can(user, Action.RECORD_LEARNING, session.unit):
        raise Http404("session")
    return session


@login_required
@require_safe
def session_list(request):
    if not can_somewhere(request.user, Action.RECORD_LEARNING):
        raise Http404("no learning scope")
    units = units_where(request.user, Action.RECORD_LEARNING)
    found = (
        ClassSession.objects.filter(unit__in=units)
        .select_related("training", "unit")
        .order_by("-held_on", "-pk")
    )
    page = Paginator(found, 30).get_page(request.GET.get("page"))
    return render(request, "learning/session_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def session_new(request):
    units = units_where(request.user, Action.RECORD_LEARNING).filter(is_active=True)
    if not units.exists():
        raise Http404("units")
    form = SessionForm(
        request.POST or None,
        units=units,
        people=people_to_choose(units, limit=MAX_PEOPLE_IN_LIST),
    )
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        day_start = timezone.make_aware(datetime.combine(values["held_on"], time.min))
        try:
            session = sessions.create_session(
                data=sessions.SessionData(
                    training=values["training"],
                    unit=values["unit"],
                    trainer=values["trainer"],
                    held_on=values["held_on"],
                    place=values["place"],
                    checkin_until=day_start + timedelta(hours=values["checkin_hours"]),
                ),
                form_token=posted_form_token(request),
                by=request.user,
                at=timezone.now(),
                origin=Origin.from_request(request),
            )
        except services.LearningError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Session created. Show its QR code in the class.")
            )
            return redirect("learning:session", pk=session.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "learning/session_form.html",
        {"form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def session_detail(request, pk):
    session = _session_for(request.user, pk)
    people = people_to_choose([session.unit], limit=MAX_PEOPLE_IN_LIST)
    form = AttendanceForm(request.POST or None, people=people)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = sessions.record_attendance(
                    session=session,
                    people=list(form.cleaned_data["people"]),
                    anonymous=form.cleaned_data["anonymous"] or 0,
                    by=request.user,
                    at=timezone.now(),
                    origin=Origin.from_request(request),
                )
            except services.LearningError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "Attendance recorded: %(added)d new, %(already)d already on record."
                    )
                    % {"added": result.added, "already": result.already},
                )
                return redirect("learning:session", pk=session.pk)
        status = 400
    attendees = list(
        Completion.objects.filter(session=session)
        .select_related("person")
        .order_by("recorded_at", "pk")
    )
    return render(
        request,
        "learning/session_detail.html",
        {
            "session": session,
            "form": form,
            "attendees": [
                c for c in attendees if c.status != Completion.Status.PENDING
            ],
            "to_confirm": [
                c for c in attendees if c.status == Completion.Status.PENDING
            ],
            "host_area": sessions.host_area(session.unit),
            **_projected(request, session, at=timezone.now()),
        },
        status=status,
    )


def _projected(request, session, *, at) -> dict:
    """The check-in code projected now: its address, QR code and time left."""
    url = request.build_absolute_uri(sessions.checkin_path(session, at=at))
    return {
        "checkin_open": at <= session.checkin_until,
        "checkin_url": url,
        "qr": sessions.qr_svg(url, label=_("QR code to check in")),
        "refresh_in": sessions.seconds_to_next_code(at),
    }


@login_required
@require_safe
@never_cache
def session_projector(request, pk):
    """The check-in QR code full screen, for the projector; it renews itself."""
    session = _session_for(request.user, pk)
    return render(
        request,
        "learning/session_projector.html",
        {"session": session, **_projected(request, session, at=timezone.now())},
    )


@login_required
@require_safe
@never_cache
def session_code(request, pk):
    """The code projected now, as JSON, for the page to swap its QR code in place."""
    session = _session_for(request.user, pk)
    projected = _projected(request, session, at=timezone.now())
    return JsonResponse(
        {
            "open": projected["checkin_open"],
            "url": projected["checkin_url"],
            "svg": projected["qr"],
            "refresh_in": projected["refresh_in"],
        }
    )


@login_required
@require_POST
@sent_once
def checkin_decide(request, pk, completion_pk):
    session = _session_for(request.user, pk)
    try:
        completion = Completion.objects.select_related("person").get(
            pk=int(completion_pk), session=session
        )
    except (Completion.DoesNotExist, ValueError):
        raise Http404("check-in") from None
    approve = request.POST.get("decision") == "confirm"
    try:
        sessions.decide_check_in(
            session=session,
            completion=completion,
            approve=approve,
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )
    except services.LearningError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            (
                _("%(name)s's check-in is confirmed and credited.")
                if approve
                else _("%(name)s's check-in is refused.")
            )
            % {"name": completion.person.display_name},
        )
    return redirect("learning:session", pk=session.pk)


SCANS = "learning.checkin_scans"


def _session_by_token(token) -> ClassSession:
    try:
        return ClassSession.objects.select_related("training", "unit").get(
            checkin_token=str(token)[:32]
        )
    except ClassSession.DoesNotExist:
        raise Http404("session") from None


def _scanned_at(request, session) -> datetime | None:
    stamp = request.session.get(SCANS, {}).get(session.checkin_token)
    return datetime.fromtimestamp(stamp, tz=UTC) if stamp else None


def _remember_scan(request, session, at: datetime) -> None:
    # In the browser's own session (kept through signing in), not in the address:
    # an address can be forwarded, a session cookie is not.
    horizon = (at - sessions.SCAN_VALID).timestamp()
    scans = {
        token: stamp
        for token, stamp in request.session.get(SCANS, {}).items()
        if stamp >= horizon
    }
    scans[session.checkin_token] = at.timestamp()
    request.session[SCANS] = scans


@require_safe
def checkin_scan(request, token, code):
    """A phone opened the projected QR code: remember the scan, go to check in."""
    session = _session_by_token(token)
    try:
        scanned = sessions.scan(session=session, code=str(code)[:32], at=timezone.now())
    except services.LearningError as error:
        return render(
            request,
            "learning/checkin.html",
            {"session": session, "open": False, "error": error.message},
            status=410,
        )
    _remember_scan(request, session, scanned)
    return redirect("learning:checkin", token=session.checkin_token)


@require_http_methods(["GET", "POST"])
@never_cache
@sent_once
def checkin(request, token):
    session = _session_by_token(token)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    now = timezone.now()
    scanned_at = _scanned_at(request, session)
    context = {"session": session, "open": now <= session.checkin_until}
    if request.method == "GET":
        if context["open"] and not sessions.scan_is_fresh(scanned_at, at=now):
            return render(
                request,
                "learning/checkin.html",
                {**context, "open": False, "error": sessions.code_expired().message},
                status=410,
            )
        return render(
            request,
            "learning/checkin.html",
            context,
            status=200 if context["open"] else 410,
        )
    try:
        completion, created = sessions.check_in(
            session=session,
            user=request.user,
            scanned_at=scanned_at,
            at=now,
            origin=Origin.from_request(request),
        )
    except (sessions.CheckInClosed, sessions.CodeExpired) as error:
        return render(
            request,
            "learning/checkin.html",
            {**context, "open": False, "error": error.message},
            status=410,
        )
    except services.LearningError as error:
        return render(
            request,
            "learning/checkin.html",
            {**context, "error": error.message},
            status=400,
        )
    if completion.status == Completion.Status.PENDING:
        messages.info(
            request,
            _(
                "Your check-in is recorded. You are not registered in the commune "
                "that holds this class, so the officer will confirm it before it "
                "counts."
            ),
        )
    elif created:
        messages.success(request, _("You are checked in. Your completion is recorded."))
    else:
        messages.info(request, _("You were already checked in; nothing more to do."))
    return redirect("learning:my_learning")


urlpatterns = [
    path("learning/sessions/", session_list, name="sessions"),
    path("learning/sessions/new/", session_new, name="session_new"),
    path("learning/sessions/<int:pk>/", session_detail, name="session"),
    path(
        "learning/sessions/<int:pk>/projector/",
        session_projector,
        name="session_projector",
    ),
    path("learning/sessions/<int:pk>/checkin-code/", session_code, name="session_code"),
    path(
        "learning/sessions/<int:pk>/checkins/<int:completion_pk>/",
        checkin_decide,
        name="checkin_decide",
    ),
    path("learning/checkin/<str:token>/", checkin, name="checkin"),
    path("learning/checkin/<str:token>/<str:code>/", checkin_scan, name="checkin_scan"),
]
