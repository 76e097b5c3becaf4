import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from leaderboards import selectors as board_selectors
from leaderboards.boards import Board
from leaderboards.selectors import Row
from leaderboards.stores import StoreUnavailable
from units import selectors as unit_selectors

from . import selectors


def _public(response, *, max_age: int):
    """A visitor's page is the same for everyone (no cookie is set): a proxy may
    serve it to the crowd. A signed-in visitor's is made private by
    units.middleware.PrivateWhenSignedInMiddleware."""
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_safe
def home(request):
    today = timezone.localdate()
    context = selectors.pulse(today=today)
    person = selectors.person_of(request.user)
    if person is not None and context["competition"] is not None:
        context["person"] = person
        context["mine"] = _home_standing(person, context)
    return _public(render(request, "home.html", context), max_age=30)


def _home_standing(person, context) -> dict | None:
    """The signed-in person's place this week on the featured competition's boards."""
    try:
        standings = board_selectors.person_standings(person, periods=("week",))
    except StoreUnavailable:
        return None
    competition = context["competition"]
    mine = [s for s in standings if s.competition.pk == competition.pk]
    return {
        "people": [s for s in mine if s.board.is_people],
        "unit": next((s for s in mine if not s.board.is_people), None),
    }


@login_required
@require_safe
def me(request):
    """Trang của tôi: where a signed-in person stands and what to do next."""
    person = selectors.person_of(request.user)
    context = {"roles": unit_selectors.roles_for_user(request.user)}
    if person is not None:
        context.update(selectors.my_page(person, now=timezone.now()))
    return render(request, "pages/me.html", context)


@require_safe
def design(request):
    """Every component of the design system on one page, for the next pages to
    reuse. Shown only in DEBUG: it is a tool for developers, not a public page."""
    if not settings.DEBUG:
        raise Http404("design")
    return render(request, "pages/design.html", _design_examples())


def _design_examples() -> dict:
    def row(rank, name, unit, value, previous, member):
        return Row(
            rank=rank,
            key=f"p{member}",
            name=name,
            unit=unit,
            value=value,
            member=member,
            compared=True,
            previous_rank=previous,
        )

    rows = [
        row(1, "Nguyễn Thị Hoa", "Thôn Hồ Liễn", 1240, 2, 1),
        row(2, "Trần Văn Bình", "Thôn Cầu Đất", 1180, 1, 2),
        row(3, "Lê Minh Châu", "Thôn Cây", 990, 3, 3),
        row(4, "Phạm Quốc Dũng", "Thôn Kênh Tiêu", 860, None, 4),
        row(5, _("Anonymous"), "Thôn Hồ Liễn", 700, 9, 5),
        row(
            6,
            "Công Tằng Tôn Nữ Thị Phương Thảo Nguyên Khánh Linh",
            "Thôn Trung Tâm Văn Hoá Xã Kê Sặt Mở Rộng Phía Đông Nam",
            12,
            4,
            6,
        ),
    ]
    return {
        "board": Board(1, 1, "people"),
        "kpi_board": Board(1, 1, "village", measure="kpi"),
        "rows": rows,
        "kpi_rows": [
            Row(1, "u1", "Thôn Hồ Liễn", "Xã Kê Sặt", 83.5, 1),
            Row(2, "u2", "Thôn Cầu Đất", "Xã Kê Sặt", 61, 2),
            Row(3, "u3", "Thôn Cây", "Xã Kê Sặt", 7.25, 3),
        ],
        "mine_member": 3,
        "spark": [0, 5, 5, 12, 30, 30, 45, 40, 60, 72, 72, 90, 110, 124],
        "week": [("T2", 12), ("T3", 30), ("T4", 7), ("T5", 0), ("T6", 41)],
        "bars": [
            ("Thôn Hồ Liễn", 1240),
            ("Thôn Cầu Đất", 1180),
            ("Thôn Cây", 330),
        ],
        "units": [
            ("Thôn Hồ Liễn", "village"),
            ("Xã Kê Sặt", "commune"),
            ("Trường THCS Kê Sặt", "school"),
            ("Sở Tài chính", "department"),
            ("Chi đoàn Thôn Cây", "youth_branch"),
            ("Tổ công nghệ số cộng đồng Kê Sặt", "digital_team"),
        ],
    }


@require_safe
def offline(request):
    """What the service worker shows when a page was never seen and the network
    is gone."""
    return _public(render(request, "pages/offline.html"), max_age=3600)


@require_safe
def manifest(request):
    """The web app manifest: the site installs on a phone's home screen."""
    icons = [
        {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": static("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    body = {
        "name": "Thi Đua Số",
        "short_name": "Thi Đua Số",
        "description": _("Live leaderboards of the “Bình dân học vụ số” movement."),
        "lang": "vi",
        "start_url": "/?source=app",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#a3161a",
        "icons": icons,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        content_type="application/manifest+json; charset=utf-8",
    )
    return _public(response, max_age=3600)


@require_safe
def service_worker(request):
    """static/js/sw.js served from the root, so that its scope is the whole site.

    Never cached by the browser's HTTP cache for long: a new release must reach
    phones that keep the old worker (browsers re-check it at most every 24 hours).
    """
    script = (settings.BASE_DIR / "static" / "js" / "sw.js").read_text(encoding="utf-8")
    response = HttpResponse(
        script.replace("__OFFLINE__", reverse("pages:offline")),
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    patch_cache_control(response, public=True, max_age=0, no_cache=True)
    return response
