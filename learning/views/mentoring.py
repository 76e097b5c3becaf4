"""Pages: the mentor's page, invites by link, QR code or code, and the reviewer's
list of mentoring patterns to check."""

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
from units.permissions import Action, can_somewhere, units_where
from units.replay import sent_once

from .. import mentoring
from ..models import MentorInvite
from ..services import LearningError
from ..sessions import qr_svg


def _person(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404("person")
    return person


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def mentor_page(request):
    person = _person(request)
    now = timezone.now()
    if request.method == "POST":
        try:
            mentoring.create_invite(mentor=person, at=now)
        except LearningError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Invite created: share the link, the QR code or the code.")
            )
        return redirect("learning:mentoring")
    progress = mentoring.mentor_progress(mentor=person, at=now)
    invites = []
    for invite in progress.open_invites[:5]:
        url = request.build_absolute_uri(
            reverse("learning:invite", args=[invite.token])
        )
        invites.append((invite, url, qr_svg(url, label=_("QR code of the invite"))))
    return render(
        request,
        "learning/mentoring.html",
        {
            "progress": progress,
            "invites": invites,
            "more_invites": len(progress.open_invites) - len(invites),
        },
    )


def _confirm(request, invite):
    try:
        mentoring.confirm_invite(
            invite=invite,
            user=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )
    except mentoring.InviteGone as error:
        return render(
            request,
            "learning/invite.html",
            {"invite": invite, "error": error.message},
            status=410,
        )
    except mentoring.InviteConflict as error:
        return render(
            request,
            "learning/invite.html",
            {"invite": invite, "error": error.message},
            status=409,
        )
    except LearningError as error:
        return render(
            request,
            "learning/invite.html",
            {"invite": invite, "error": error.message},
            status=400,
        )
    messages.success(request, _guided_by(invite.mentor))
    return redirect("learning:my_learning")


def _guided_by(mentor) -> str:
    return _(
        "You are now guided by %(name)s. Complete a training and you both earn points."
    ) % {"name": mentor.display_name}


@require_http_methods(["GET", "POST"])
@sent_once
def invite(request, token):
    try:
        found = MentorInvite.objects.select_related("mentor").get(token=str(token)[:32])
    except MentorInvite.DoesNotExist:
        raise Http404("invite") from None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        return _confirm(request, found)
    expired = timezone.now() > found.expires_at and found.used_at is None
    return render(
        request,
        "learning/invite.html",
        {"invite": found, "expired": expired},
        status=410 if expired else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def invite_code(request):
    if request.method == "GET":
        return render(request, "learning/invite_code.html", {})
    typed = request.POST.get("code", "")[:40]
    try:
        mentorship = mentoring.confirm_by_code(
            code=typed,
            user=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )
    except mentoring.TooManyWrongCodes as error:
        status, message = 429, error.message
    except LearningError as error:
        status, message = 400, error.message
    else:
        messages.success(request, _guided_by(mentorship.mentor))
        return redirect("learning:my_learning")
    # Only what was typed and one message: nothing about any invite.
    return render(
        request,
        "learning/invite_code.html",
        {"error": message, "typed": typed},
        status=status,
    )


@login_required
@require_safe
def patterns(request):
    if not can_somewhere(request.user, Action.REVIEW_COMPLETION):
        raise Http404("patterns")
    flags = mentoring.suspicious_mentors(
        units=units_where(request.user, Action.REVIEW_COMPLETION), at=timezone.now()
    )
    page = Paginator(flags, 30).get_page(request.GET.get("page"))
    return render(request, "learning/mentoring_patterns.html", {"page": page})


urlpatterns = [
    path("learning/mentoring/", mentor_page, name="mentoring"),
    path("learning/mentoring/patterns/", patterns, name="mentoring_patterns"),
    path("learning/invite/", invite_code, name="invite_code"),
    path("learning/invite/<str:token>/", invite, name="invite"),
]
