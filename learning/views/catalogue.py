"""Pages: the public catalogue of trainings and the skills frameworks."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from units.models import TargetGroup

from .. import selectors
from ..models import SkillArea, Training
from .hub import tools_for

# The national MOOC platform (Open edX): a course key opens its page there.
MOOC_COURSE_URL = "https://binhdanhocvuso.gov.vn/courses/{key}/about"


def _area(value: str) -> SkillArea | None:
    try:
        return SkillArea.objects.get(pk=int(value)) if value else None
    except (SkillArea.DoesNotExist, ValueError):
        # A stale or forged filter shows everything rather than an error page.
        return None


@require_safe
def training_list(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in Training.Kind.values else ""
    group = request.GET.get("group", "")
    group = group if group in TargetGroup.values else ""
    area = _area(request.GET.get("area", ""))
    query = request.GET.get("q", "").strip()[:100]
    found = selectors.trainings(kind=kind, target_group=group, area=area, query=query)
    page = Paginator(found, 30).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        "learning/training_list.html",
        {
            "page": page,
            "page_query": kept.urlencode(),
            "filters": {"kind": kind, "group": group, "area": area, "query": query},
            "kinds": Training.Kind.choices,
            "groups": TargetGroup.choices,
            "areas": selectors.areas_for_filter(),
            "tools": tools_for(request.user),
        },
    )


@require_safe
def training_detail(request, pk: int):
    try:
        training = selectors.training_detail(pk)
    except Training.DoesNotExist:
        raise Http404("training") from None
    return render(
        request,
        "learning/training_detail.html",
        {
            "training": training,
            "mooc_url": (
                MOOC_COURSE_URL.format(key=training.external_key)
                if training.external_key
                else ""
            ),
            "sessions": selectors.upcoming_sessions(
                training, today=timezone.localdate()
            ),
        },
    )


@require_safe
def framework_list(request):
    return render(
        request,
        "learning/framework_list.html",
        {"frameworks": selectors.frameworks()},
    )


urlpatterns = [
    path("learning/", training_list, name="trainings"),
    path("learning/trainings/<int:pk>/", training_detail, name="training"),
    path("learning/frameworks/", framework_list, name="frameworks"),
]
