"""What the campaign views share: refusals in plain words, the campaign by id."""

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers

from ..models import Campaign


def refused(request, error, *, back: str = ""):
    """The step was refused: say why, with the error's status (nothing changed)."""
    return render(
        request,
        "errors/form_refused.html",
        {"message": error.message, "back": back or request.get_full_path()},
        status=error.status,
    )


def campaign_or_404(pk) -> Campaign:
    campaign = (
        Campaign.objects.select_related("organiser", "competition")
        .filter(pk=pk)
        .first()
    )
    if campaign is None:
        raise Http404("campaign")
    return campaign


def public_cache(request, response, max_age: int):
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ["Cookie"])
    return response
