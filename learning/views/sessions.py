"""Pages: class sessions, their attendance, and the learners' QR check-in."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from units.audit import Origin
from units.forms import posted_form_token
from units.permissions import Action, can, units_where
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
    checkin_url = request.build_absolute_uri(
        reverse("learning:checkin", args=[session.checkin_token])
    )
    attendees = (
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
            "attendees": attendees,
            "checkin_url": checkin_url,
            "qr": sessions.qr_svg(checkin_url, label=_("QR code to check in")),
            "checkin_open": timezone.now() <= session.checkin_until,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@sent_once
def checkin(request, token):
    try:
        session = ClassSession.objects.select_related("training", "unit").get(
            checkin_token=str(token)[:32]
        )
    except ClassSession.DoesNotExist:
        raise Http404("session") from None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    now = timezone.now()
    context = {"session": session, "open": now <= session.checkin_until}
    if request.method == "GET":
        return render(
            request,
            "learning/checkin.html",
            context,
            status=200 if context["open"] else 410,
        )
    try:
        _completion, created = sessions.check_in(
            session=session,
            user=request.user,
            at=now,
            origin=Origin.from_request(request),
        )
    except sessions.CheckInClosed as error:
        return render(
            request,
            "learning/checkin.html",
            {**context, "error": error.message},
            status=410,
        )
    except services.LearningError as error:
        return render(
            request,
            "learning/checkin.html",
            {**context, "error": error.message},
            status=400,
        )
    if created:
        messages.success(request, _("You are checked in. Your completion is recorded."))
    else:
        messages.info(request, _("You were already checked in; nothing more to do."))
    return redirect("learning:my_learning")


urlpatterns = [
    path("learning/sessions/", session_list, name="sessions"),
    path("learning/sessions/new/", session_new, name="session_new"),
    path("learning/sessions/<int:pk>/", session_detail, name="session"),
    path("learning/checkin/<str:token>/", checkin, name="checkin"),
]
