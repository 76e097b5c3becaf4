"""Pages: the learner's record, self-reports with a certificate, and their review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from competitions.evidence import MAX_PHOTO_BYTES
from competitions.models import PointEntry
from units.audit import Origin
from units.body_limits import FORM_OVERHEAD, body_limit
from units.media import open_stored
from units.permissions import Action, can, can_somewhere, units_where
from units.replay import sent_once

from .. import crediting, services, sessions
from ..forms import ReasonForm, SelfReportForm
from ..models import Completion


def _completion_for(user, pk, *, review: bool = False) -> Completion:
    """The completion if it is the user's own (not for review) or in their review scope."""
    try:
        completion = Completion.objects.select_related(
            "person", "training", "unit", "reviewed_by"
        ).get(pk=int(pk))
    except (Completion.DoesNotExist, TypeError, ValueError):
        raise Http404("completion") from None
    own = completion.person.user_id is not None and completion.person.user_id == user.pk
    if can(user, Action.REVIEW_COMPLETION, completion.unit) or (own and not review):
        return completion
    raise Http404("completion")


@login_required
@require_safe
def my_learning(request):
    person = getattr(request.user, "person", None)
    completions = (
        Completion.objects.filter(person=person)
        .select_related("training")
        .order_by("-completed_on", "-pk")
        if person
        else Completion.objects.none()
    )
    points = (
        PointEntry.objects.filter(
            person=person, activity_type__code=crediting.TRAINING_COMPLETED
        ).aggregate(total=Sum("points"))["total"]
        if person
        else 0
    )
    return render(
        request,
        "learning/my_learning.html",
        {"completions": completions, "points": points or 0, "person": person},
    )


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
@body_limit(MAX_PHOTO_BYTES + FORM_OVERHEAD)
def completion_new(request):
    if request.method == "POST":
        form = SelfReportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["certificate"]
            try:
                completion = sessions.report_completion(
                    user=request.user,
                    training=form.cleaned_data["training"],
                    completed_on=form.cleaned_data["completed_on"],
                    certificate_number=form.cleaned_data["certificate_number"],
                    # Never read a huge file into memory just to refuse it.
                    photo=upload.read(MAX_PHOTO_BYTES + 1),
                    photo_name=upload.name[:120],
                    today=timezone.localdate(),
                    at=timezone.now(),
                    origin=Origin.from_request(request),
                )
            except services.AlreadyCompleted as error:
                form.add_error(None, error.message)
                return render(
                    request, "learning/completion_form.html", {"form": form}, status=409
                )
            except services.LearningError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("Sent for review; you will be told the decision.")
                )
                return redirect("learning:completion", pk=completion.pk)
        return render(
            request, "learning/completion_form.html", {"form": form}, status=400
        )
    form = SelfReportForm(initial={"training": request.GET.get("training", "")[:10]})
    return render(request, "learning/completion_form.html", {"form": form})


@login_required
@require_safe
def completion_detail(request, pk):
    completion = _completion_for(request.user, pk)
    can_review = (
        completion.status == Completion.Status.PENDING
        and completion.source != Completion.Source.CHECKIN
        and can(request.user, Action.REVIEW_COMPLETION, completion.unit)
        and completion.person.user_id != request.user.pk
    )
    return render(
        request,
        "learning/completion_detail.html",
        {"completion": completion, "can_review": can_review, "form": ReasonForm()},
    )


@login_required
@require_safe
def certificate(request, pk):
    """The certificate photo, only to the learner and reviewers above them."""
    completion = _completion_for(request.user, pk)
    if not completion.certificate:
        raise Http404("certificate")
    response = FileResponse(
        open_stored(completion.certificate), content_type="image/jpeg"
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_safe
def completion_review(request):
    if not can_somewhere(request.user, Action.REVIEW_COMPLETION):
        raise Http404("review")
    pending = (
        Completion.objects.filter(
            status=Completion.Status.PENDING,
            unit__in=units_where(request.user, Action.REVIEW_COMPLETION),
        )
        .exclude(person__user=request.user)
        # Check-ins from outside a class's commune are the session officer's.
        .exclude(source=Completion.Source.CHECKIN)
        .select_related("person", "training", "unit")
        .order_by("recorded_at", "pk")
    )
    page = Paginator(pending, 30).get_page(request.GET.get("page"))
    return render(request, "learning/completion_review.html", {"page": page})


@login_required
@require_POST
@sent_once
def completion_decide(request, pk):
    completion = _completion_for(request.user, pk, review=True)
    form = ReasonForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if not form.is_valid():
        return render(
            request,
            "learning/completion_detail.html",
            {"completion": completion, "can_review": True, "form": form},
            status=400,
        )
    try:
        services.review_completion(
            completion=completion,
            reviewer=request.user,
            approve=approve,
            reason=form.cleaned_data["reason"],
            at=timezone.now(),
            origin=Origin.from_request(request),
        )
    except services.LearningError as error:
        messages.error(request, error.message)
        return render(
            request,
            "learning/completion_detail.html",
            {"completion": completion, "can_review": False, "form": form},
            status=400,
        )
    messages.success(request, _("Confirmed.") if approve else _("Rejected."))
    return redirect("learning:completion_review")


urlpatterns = [
    path("learning/mine/", my_learning, name="my_learning"),
    path("learning/completions/new/", completion_new, name="completion_new"),
    path("learning/completions/review/", completion_review, name="completion_review"),
    path("learning/completions/<int:pk>/", completion_detail, name="completion"),
    path("learning/completions/<int:pk>/certificate/", certificate, name="certificate"),
    path(
        "learning/completions/<int:pk>/decide/",
        completion_decide,
        name="completion_decide",
    ),
]
