"""The badge endpoints in the OpenAPI document (/api/v1/openapi.json).

learning/openapi.py writes the document; this app adds its paths there when it
starts (apps.py), since learning sits below badges and cannot import it.
"""

_HTML_404 = {
    "description": "No such badge: the API's error, or a page for a browser",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
        "text/html": {"schema": {"type": "string"}},
    },
}
_LINKED_DATA = {
    "type": "object",
    "required": ["@context", "id", "type"],
    "properties": {
        "@context": {},
        "id": {"type": "string", "format": "uri"},
        "type": {},
    },
}


def _ld(description: str, schema: dict | None = None) -> dict:
    return {
        "description": description,
        "content": {"application/ld+json": {"schema": schema or _LINKED_DATA}},
    }


def _path_param(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema,
        "description": description,
    }


_UID = _path_param("uid", {"type": "string", "format": "uuid"}, "The award's id")


def document_part() -> dict:
    return {
        "paths": {
            "/api/v1/badges/recent/": {
                "get": {
                    "summary": "The latest badges awarded, with their verifiable ids",
                    "operationId": "recentBadges",
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 100,
                                "default": 20,
                            },
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "Newest first; revoked ones left out",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["assertions"],
                                        "properties": {
                                            "assertions": {
                                                "type": "array",
                                                "items": {
                                                    "$ref": "#/components/schemas/RecentBadge"
                                                },
                                            }
                                        },
                                    }
                                }
                            },
                        },
                        "400": {
                            "description": "limit is not 1-100",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                    },
                }
            },
            "/badges/assertions/{uid}/": {
                "get": {
                    "summary": "An award as an Open Badges 2.0 hosted Assertion",
                    "description": "JSON-LD unless the client asks for text/html "
                    "(a browser gets the page of the same address).",
                    "operationId": "badgeAssertion",
                    "parameters": [_UID],
                    "responses": {
                        "200": _ld("The Assertion"),
                        "410": _ld(
                            "Revoked: revoked true, with the reason",
                            {
                                "type": "object",
                                "required": ["revoked"],
                                "properties": {
                                    "revoked": {"const": True},
                                    "revocationReason": {"type": "string"},
                                },
                            },
                        ),
                        "404": _HTML_404,
                    },
                }
            },
            "/badges/assertions/{uid}/credential.jwt": {
                "get": {
                    "summary": "The same award as an Open Badges 3.0 credential (VC-JWT, RS256)",
                    "operationId": "badgeCredential",
                    "parameters": [_UID],
                    "responses": {
                        "200": {
                            "description": "A compact JWS; its kid is the URL of the "
                            "issuer's public JWK",
                            "content": {
                                "application/jwt": {"schema": {"type": "string"}}
                            },
                        },
                        "410": _ld("Revoked"),
                        "404": _HTML_404,
                    },
                }
            },
            "/badges/classes/{pk}/": {
                "get": {
                    "summary": "A badge as an Open Badges 2.0 BadgeClass",
                    "operationId": "badgeClass",
                    "parameters": [
                        _path_param("pk", {"type": "integer"}, "The badge's id")
                    ],
                    "responses": {"200": _ld("The BadgeClass"), "404": _HTML_404},
                }
            },
            "/badges/keys/{thumbprint}/": {
                "get": {
                    "summary": "The issuer's public key (JWK) a credential's kid names",
                    "operationId": "badgeKey",
                    "parameters": [
                        _path_param(
                            "thumbprint",
                            {"type": "string", "pattern": "^[A-Za-z0-9_-]{43}$"},
                            "RFC 7638 thumbprint of the key",
                        )
                    ],
                    "responses": {
                        "200": {
                            "description": "The public JWK",
                            "content": {
                                "application/jwk+json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["kty"],
                                        "properties": {"kty": {"type": "string"}},
                                    }
                                }
                            },
                        },
                        "404": _HTML_404,
                    },
                }
            },
        },
        "schemas": {
            "RecentBadge": {
                "type": "object",
                "required": ["id", "badge", "recipient", "issuedOn"],
                "properties": {
                    "id": {"type": "string", "format": "uri"},
                    "badge": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string"},
                            "code": {"type": "string"},
                            "name": {"type": "string"},
                        },
                    },
                    "level": {"type": ["string", "null"]},
                    "recipient": {
                        "type": "object",
                        "properties": {
                            "kind": {"enum": ["person", "unit"]},
                            "name": {"type": "string"},
                            "wall": {"type": "string"},
                        },
                    },
                    "issuedOn": {"type": "string"},
                    "image": {"type": "string"},
                    "credential": {"type": "string"},
                },
            }
        },
    }
