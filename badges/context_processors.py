"""The link preview of a leaderboard page, which the leaderboards app cannot draw
(its images are drawn here, above it): the board's Open Graph tags point to the
preview image this app renders."""

from django.urls import reverse


def link_preview(request):
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name != "leaderboards:board":
        return {}
    board = match.kwargs.get("board", "")
    try:
        image = reverse("badges:board_preview", args=[board])
    except Exception:  # a board name the preview route refuses: no preview
        return {}
    return {
        "link_preview": {
            "title": "Bảng xếp hạng · Thi Đua Số",
            "description": "Bảng xếp hạng trực tiếp của phong trào “Bình dân học vụ số”.",
            "image": request.build_absolute_uri(image),
            "url": request.build_absolute_uri(request.path),
        }
    }
