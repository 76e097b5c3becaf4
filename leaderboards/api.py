"""The public JSON API of the boards: /api/v1/leaderboards/ (see README.md)."""

import hashlib
import json

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from . import selectors
from .boards import MEASURES, PERIODS, Board, UnknownBoard
from .stores import StoreUnavailable


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


def _cached_json(request, payload: dict, *, max_age: int) -> HttpResponse:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


@require_GET
def board_list(request):
    boards = []
    for entry in selectors.board_directory():
        for board in entry["boards"]:
            boards.append(
                {
                    "board": board.name,
                    "competition": entry["competition"].name,
                    "scope": entry["scope"].name,
                    "entity": board.entity,
                    "periods": list(PERIODS),
                    "measures": ["points"] if board.is_people else list(MEASURES),
                    "url": f"/api/v1/leaderboards/{board.name}/",
                    "live": f"/ws/leaderboards/{board.name}/",
                }
            )
    return _cached_json(request, {"boards": boards}, max_age=60)


def _bounded(request, name, default, low, high):
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(
            f"{name} must be a whole number between {low} and {high}"
        ) from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}")
    return value


@require_GET
def board_detail(request, board):
    try:
        board = Board.parse(board)
        selectors.resolve(board)
    except UnknownBoard:
        return _error(404, "unknown_board", "No such board.")
    try:
        limit = _bounded(
            request, "limit", selectors.DEFAULT_LIMIT, 1, selectors.MAX_LIMIT
        )
        offset = _bounded(request, "offset", 0, 0, 10_000_000)
    except ValueError as error:
        return _error(400, "bad_parameter", str(error))
    around = request.GET.get("around")
    try:
        if around is not None:
            if not (
                around[:1] in ("p", "u") and around[1:].isdigit() and len(around) < 20
            ):
                return _error(
                    400,
                    "bad_parameter",
                    "around must be an entity key such as u12 or p345",
                )
            if (around[0] == "p") != board.is_people:
                return _error(
                    400,
                    "bad_parameter",
                    "around names an entity of another kind than the board's",
                )
            rows = selectors.around(board, int(around[1:]), radius=min(limit // 2, 25))
            total = None
        else:
            rows, total = selectors.board_rows(board, offset=offset, limit=limit)
    except StoreUnavailable:
        return _error(
            503, "store_unavailable", "The boards are catching up; try again shortly."
        )
    payload = {
        "board": board.name,
        "period": board.period,
        "measure": board.measure,
        "offset": offset,
        "limit": limit,
        "rows": [row.as_dict() for row in rows],
    }
    if total is not None:
        payload["count"] = total
        if offset + limit < total:
            payload["next"] = (
                f"/api/v1/leaderboards/{board.name}/?limit={limit}&offset={offset + limit}"
            )
    return _cached_json(request, payload, max_age=2)
