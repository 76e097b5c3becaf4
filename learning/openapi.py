"""The OpenAPI 3.1 description of the public JSON API, served at /api/v1/openapi.json.

Written by hand: five endpoints did not justify a framework, and a test checks that
the document is valid and that every path it names resolves.
"""

from .integrations import MAX_ITEMS, REQUESTS_PER_MINUTE

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}
_ROW = {
    "type": "object",
    "required": ["rank", "key", "name", "value"],
    "properties": {
        "rank": {"type": "integer", "description": "Ties share a rank (1, 2, 2, 4)."},
        "key": {"type": "string", "description": "u<unit id> or p<person id>"},
        "name": {"type": "string", "description": "“Ẩn danh” for people who opted out"},
        "unit": {"type": ["string", "null"]},
        "value": {"type": "number"},
        "previous_rank": {
            "type": ["integer", "null"],
            "description": "The rank at the start of today (null: not ranked then); "
            "absent when the board has nothing to compare with (begun today, or "
            "a derived measure).",
        },
    },
}
# Text as a learning platform sends it: no NUL (PostgreSQL cannot store it). An
# unpaired surrogate (JSON "\ud800" alone) is refused too, but is not UTF-8 text at
# all, so the pattern need not name it (and ECMA regexes differ on surrogates).
# Either makes the whole request a 400.
_CLEAN = "^[^\\x00]*$"


def _text(description: str = "", *, example: str | None = None, null: bool = False):
    schema = {"type": ["string", "null"] if null else "string", "pattern": _CLEAN}
    if description:
        schema["description"] = description
    if example is not None:
        schema["example"] = example
    return schema


_ITEM = {
    "type": "object",
    "required": ["full_name", "course_key", "completed_on"],
    "additionalProperties": False,
    "properties": {
        "external_id": _text("Echoed back in the result.", null=True),
        "full_name": _text(example="Nguyễn Văn Bình"),
        "birth_date": _text(
            "YYYY-MM-DD or dd/mm/yyyy, or a year; birth_date or phone is required",
            example="1984-05-17",
            null=True,
        ),
        "phone": _text("Matched by a keyed hash, never stored.", null=True),
        "unit_code": _text(
            "Official code of a commune or ward inside the integration's unit; "
            "empty means that unit.",
            example="10972",
            null=True,
        ),
        "course_key": _text(
            "The MOOC course key (or the training's exact title).",
            example="course-v1:MOET+KNS-ND+2026-1",
        ),
        "completed_on": _text(example="2026-10-10"),
        "certificate_number": _text(null=True),
    },
}
_RESULT = {
    "type": "object",
    "required": ["index", "status"],
    "properties": {
        "index": {"type": "integer", "description": "1-based position in the request"},
        "external_id": {"type": "string"},
        "status": {
            "type": "string",
            "enum": ["recorded", "already_recorded", "duplicate", "error"],
        },
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


# Apps above learning add their endpoints here (badges: the recent awards and the
# Open Badges documents); learning cannot import them.
_CONTRIBUTIONS: list = []


def contribute(part) -> None:
    """Add a callable returning {"paths": {...}, "schemas": {...}} to the document."""
    if part not in _CONTRIBUTIONS:
        _CONTRIBUTIONS.append(part)


def _json(schema: dict, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _errors(*codes: int) -> dict:
    texts = {
        400: "Malformed request or parameter",
        401: "Missing, unknown or revoked token",
        404: "Unknown board",
        405: "Method not allowed",
        413: "Body over 1 MB",
        429: "Too many requests; see Retry-After",
        503: "The boards are catching up",
    }
    return {
        str(code): _json({"$ref": "#/components/schemas/Error"}, texts[code])
        for code in codes
    }


def _param(name: str, schema: dict, description: str, *, where: str = "query") -> dict:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema,
        "description": description,
    }


def document() -> dict:
    """The whole document: learning's and the leaderboards' paths, then the rest."""
    served = _own_document()
    for part in _CONTRIBUTIONS:
        added = part()
        served["paths"].update(added.get("paths", {}))
        served["components"]["schemas"].update(added.get("schemas", {}))
    return served


def _own_document() -> dict:
    board = _param(
        "board",
        {"type": "string"},
        "Board name: <competition>-<scope>-<entity>-<period>-<measure>",
        where="path",
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Thi Đua Số API",
            "version": "1.0",
            "description": "Public leaderboards of the “Bình dân học vụ số” movement, and the completion push for learning platforms.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/leaderboards/": {
                "get": {
                    "summary": "List the boards",
                    "operationId": "listBoards",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "boards": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                name: {"type": kind}
                                                for name, kind in (
                                                    ("board", "string"),
                                                    ("competition", "string"),
                                                    ("scope", "string"),
                                                    ("entity", "string"),
                                                    ("periods", "array"),
                                                    ("measures", "array"),
                                                    ("url", "string"),
                                                    ("live", "string"),
                                                )
                                            },
                                        },
                                    }
                                },
                            },
                            "The boards; cached 60 s",
                        )
                    },
                }
            },
            "/api/v1/leaderboards/{board}/": {
                "get": {
                    "summary": "Ranked rows of one board",
                    "operationId": "getBoard",
                    "parameters": [
                        board,
                        _param(
                            "limit",
                            {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 200,
                                "default": 50,
                            },
                            "Rows per page",
                        ),
                        _param(
                            "offset",
                            {"type": "integer", "minimum": 0, "default": 0},
                            "Rows to skip",
                        ),
                        _param(
                            "around",
                            {"type": "string", "pattern": "^[up][0-9]+$"},
                            "Rows around a unit (u12) or person (p345)",
                        ),
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "board": {"type": "string"},
                                    "period": {"type": "string"},
                                    "measure": {"type": "string"},
                                    "offset": {"type": "integer"},
                                    "limit": {"type": "integer"},
                                    "count": {"type": "integer"},
                                    "next": {"type": "string"},
                                    "rows": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Row"},
                                    },
                                },
                            },
                            "Ranked rows; ETag and Cache-Control: max-age=2",
                        ),
                        "304": {"description": "Not modified (If-None-Match)"},
                        **_errors(400, 404, 503),
                    },
                }
            },
            "/api/v1/overview/{competition}-{scope}/": {
                "get": {
                    "summary": "All-time top people and units of one scope in one request",
                    "operationId": "getOverview",
                    "parameters": [
                        _param(
                            "competition",
                            {"type": "integer"},
                            "Competition id",
                            where="path",
                        ),
                        _param(
                            "scope", {"type": "integer"}, "Scope unit id", where="path"
                        ),
                        _param(
                            "units",
                            {"type": "string", "default": "village"},
                            "Kind of units ranked",
                        ),
                        _param(
                            "limit",
                            {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 200,
                                "default": 10,
                            },
                            "Rows of each list",
                        ),
                        _param(
                            "me",
                            {"type": "string", "pattern": "^p[0-9]+$"},
                            "A person whose points and rank to add",
                        ),
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "people": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Row"},
                                    },
                                    "people_count": {"type": "integer"},
                                    "units": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Row"},
                                    },
                                    "units_count": {"type": "integer"},
                                    "me": {"type": ["object", "null"]},
                                },
                            },
                            "Top people and units",
                        ),
                        **_errors(400, 404, 503),
                    },
                }
            },
            "/api/v1/completions/": {
                "post": {
                    "summary": "Push completions from a learning platform",
                    "description": (
                        f"Up to {MAX_ITEMS} completions per request, {REQUESTS_PER_MINUTE} requests a minute per integration. "
                        "Rows are checked and learners matched as in the CSV import (name without diacritics plus date of birth or phone); "
                        "a learner nobody matches is added to the unit. The same completion pushed again is reported as already_recorded and adds no points."
                    ),
                    "operationId": "pushCompletions",
                    "security": [{"bearer": []}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["completions"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "completions": {
                                            "type": "array",
                                            "minItems": 1,
                                            "maxItems": MAX_ITEMS,
                                            "items": {
                                                "$ref": "#/components/schemas/CompletionItem"
                                            },
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "recorded": {"type": "integer"},
                                    "already_recorded": {"type": "integer"},
                                    "errors": {"type": "integer"},
                                    "results": {
                                        "type": "array",
                                        "items": {
                                            "$ref": "#/components/schemas/CompletionResult"
                                        },
                                    },
                                },
                            },
                            "One result per item, in order",
                        ),
                        **_errors(400, 401, 405, 413, 429),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token tds_<prefix>_<secret> from the Integrations page; revocable.",
                }
            },
            "schemas": {
                "Error": _ERROR,
                "Row": _ROW,
                "CompletionItem": _ITEM,
                "CompletionResult": _RESULT,
            },
        },
    }
