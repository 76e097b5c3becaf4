from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from . import selectors
from .boards import MEASURES, PERIODS, Board, UnknownBoard
from .stores import StoreUnavailable


def _shared_cache(request, response, *, max_age: int):
    """Anonymous pages are the same for everyone: let a proxy absorb the crowd.
    A signed-in visitor's page carries their menu: PrivateWhenSignedInMiddleware
    makes it private."""
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_safe
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


@require_safe
def board_detail(request, board):
    try:
        board = Board.parse(board)
        competition, scope = selectors.resolve(board)
    except UnknownBoard:
        raise Http404("board") from None
    limit = _int(
        request.GET.get("limit"), selectors.DEFAULT_LIMIT, 1, selectors.MAX_LIMIT
    )
    # PostgreSQL refuses NUL in text; nobody types one.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:60]
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
        "today": timezone.localdate(),
    }
    try:
        context["rows"], context["count"] = selectors.board_rows(board, limit=limit)
        if query:
            context["found"] = selectors.search(board, query)
        mine = selectors.member_for_user(board, request.user)
        if mine is not None:
            context["mine"] = selectors.around(board, mine, radius=2)
            context["mine_member"] = mine
    except StoreUnavailable:
        context["unavailable"] = True
        return render(request, "leaderboards/board.html", context, status=503)
    response = render(request, "leaderboards/board.html", context)
    return _shared_cache(request, response, max_age=5)
