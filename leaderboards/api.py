"""The public JSON API of the boards: /api/v1/leaderboards/ (see README.md)."""

import hashlib
import json

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from units.replicas import public_read

from . import selectors
from .boards import MEASURES, PERIODS, Board, UnknownBoard
from .stores import StoreUnavailable


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


def _store_unavailable() -> JsonResponse:
    return _error(
        503, "store_unavailable", _("The boards are catching up; try again shortly.")
    )


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


@require_safe
@public_read
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
    message = _("%(name)s must be a whole number from %(low)s to %(high)s.") % {
        "name": name,
        "low": low,
        "high": high,
    }
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(message) from None
    if not low <= value <= high:
        raise ValueError(message)
    return value


def _entity_key(raw: str, *, people: bool) -> int:
    """The id in an entity key such as u12 or p345, checked against the board's kind."""
    digits = raw[1:]
    # isascii: "²".isdigit() is true, and int("²") fails.
    if not (
        raw[:1] in ("p", "u")
        and digits.isascii()
        and digits.isdigit()
        and len(digits) < 19
    ):
        raise ValueError(_("An entity key looks like u12 (a unit) or p345 (a person)."))
    if (raw[0] == "p") != people:
        raise ValueError(_("The entity is of another kind than the board's."))
    return int(digits)


@require_safe
@public_read
def overview(request, competition, scope):
    """A scope at a glance in one request: top people, top units of a kind, and, with
    ?me=p345, that person's rank and points."""
    entity = request.GET.get("units", "village")
    try:
        board = Board(int(competition), int(scope), entity, period="all")
        Board.parse(board.name)
        selectors.resolve(board)
    except (UnknownBoard, ValueError):
        return _error(
            404, "unknown_board", _("No such competition, scope or unit kind.")
        )
    try:
        limit = _bounded(request, "limit", 10, 1, selectors.MAX_LIMIT)
        me = (
            _entity_key(request.GET["me"], people=True) if "me" in request.GET else None
        )
    except ValueError as error:
        return _error(400, "bad_parameter", str(error))
    try:
        data = selectors.overview(
            int(competition), int(scope), unit_entity=entity, person_id=me, limit=limit
        )
    except StoreUnavailable:
        return _store_unavailable()
    payload = {
        "people": [row.as_dict() for row in data["people"]],
        "people_count": data["people_count"],
        "units": [row.as_dict() for row in data["units"]],
        "units_count": data["units_count"],
        "me": data["mine"],
    }
    return _cached_json(request, payload, max_age=2)


@require_safe
@public_read
def board_detail(request, board):
    try:
        board = Board.parse(board)
        selectors.resolve(board)
    except UnknownBoard:
        return _error(404, "unknown_board", _("No such board."))
    try:
        limit = _bounded(
            request, "limit", selectors.DEFAULT_LIMIT, 1, selectors.MAX_LIMIT
        )
        offset = _bounded(request, "offset", 0, 0, 10_000_000)
    except ValueError as error:
        return _error(400, "bad_parameter", str(error))
    try:
        around = request.GET.get("around")
        member = (
            _entity_key(around, people=board.is_people) if around is not None else None
        )
    except ValueError as error:
        return _error(400, "bad_parameter", str(error))
    try:
        if member is not None:
            rows = selectors.around(board, member, radius=min(limit // 2, 25))
            total = None
        else:
            rows, total = selectors.board_rows(board, offset=offset, limit=limit)
    except StoreUnavailable:
        return _store_unavailable()
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
