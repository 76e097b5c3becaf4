import segno
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from units.replicas import public_read

from . import selectors, snapshots
from .boards import MEASURES, PERIODS, Board, UnknownBoard
from .stores import StoreUnavailable


def _shared_cache(request, response, *, max_age: int):
    """Anonymous pages are the same for everyone: let a proxy absorb the crowd.
    A signed-in visitor's page carries their menu: PrivateWhenSignedInMiddleware
    makes it private."""
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_safe
@public_read
def board_list(request):
    response = render(
        request, "leaderboards/index.html", {"directory": selectors.board_directory()}
    )
    return _shared_cache(request, response, max_age=30)


def _int(value, default, low, high):
    try:
        return min(high, max(low, int(value)))
    except (TypeError, ValueError):
        return default


def _board_or_404(name: str):
    try:
        board = Board.parse(name)
        competition, scope = selectors.resolve(board)
    except UnknownBoard:
        raise Http404("board") from None
    return board, competition, scope


@require_safe
@public_read
def board_detail(request, board):
    board, competition, scope = _board_or_404(board)
    limit = _int(
        request.GET.get("limit"), selectors.DEFAULT_LIMIT, 1, selectors.MAX_LIMIT
    )
    # PostgreSQL refuses NUL in text; nobody types one.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:60]
    today = timezone.localdate()
    context = {
        "board": board,
        "competition": competition,
        "scope": scope,
        "query": query,
        "entity_label": selectors.entity_label(board.entity),
        "periods": [(p, board.with_(period=p)) for p in PERIODS],
        "measures": [(m, board.with_(measure=m)) for m in MEASURES]
        if not board.is_people
        else [],
        "today": today,
    }
    try:
        context["rows"], context["count"] = selectors.board_rows(board, limit=limit)
        if query:
            context["found"] = selectors.search(board, query)
        mine = selectors.member_for_user(board, request.user)
        if mine is not None:
            context["mine"] = selectors.around(board, mine, radius=2)
            context["mine_member"] = mine
            context["mine_row"] = next(
                (row for row in context["mine"] if row.member == mine), None
            )
    except StoreUnavailable:
        context["unavailable"] = True
        return render(request, "leaderboards/board.html", context, status=503)
    if any(row.compared for row in context["rows"]):
        since = snapshots.taken_at(today)
        context["compared_since"] = since
        # Taken by the first check after midnight: "since yesterday" is then true.
        context["compared_since_midnight"] = since is not None and since.hour == 0
    response = render(request, "leaderboards/board.html", context)
    return _shared_cache(request, response, max_age=5)


POSTER_ROWS = 10


@require_safe
@public_read
def board_poster(request, board):
    """A printable page: the board's top ten and a QR code to the live board."""
    board, competition, scope = _board_or_404(board)
    address = request.build_absolute_uri(
        reverse("leaderboards:board", args=[board.name])
    )
    context = {
        "board": board,
        "competition": competition,
        "scope": scope,
        "entity_label": selectors.entity_label(board.entity),
        "address": address,
        # segno writes a plain <svg> with no style attribute: the policy allows it.
        "qr": mark_safe(
            segno.make(address, error="m").svg_inline(
                scale=1, border=2, omitsize=True, title=address
            )
        ),
        "printed": timezone.localtime(),
    }
    try:
        context["rows"], context["count"] = selectors.board_rows(
            board, limit=POSTER_ROWS
        )
    except StoreUnavailable:
        context["unavailable"] = True
        return render(request, "leaderboards/poster.html", context, status=503)
    response = render(request, "leaderboards/poster.html", context)
    return _shared_cache(request, response, max_age=60)
