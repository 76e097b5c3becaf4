"""What the commendation views share: refusals in plain words, downloads."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def refused(request, error, *, back: str = ""):
    """The step was refused: say why, with the error's status (nothing changed)."""
    return render(
        request,
        "errors/form_refused.html",
        {"message": error.message, "back": back or request.get_full_path()},
        status=error.status,
    )


def download(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def public_cache(request, response, max_age: int) -> None:
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ["Cookie"])
