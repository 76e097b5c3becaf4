"""Who answers a missing address, when an HTML page is the wrong answer.

The platform's 404 is an HTML page in the visitor's language (units.views). Some
addresses are read by programs: an app registers its prefix and a responder that
returns, for an address under it that no view serves, the answer a program can
read (the badges' verifiers ask for JSON-LD), or None to leave the HTML page.
"""

from collections.abc import Callable

from django.http import HttpResponse

_responders: dict[str, Callable] = {}


def register(prefix: str, responder: Callable) -> None:
    _responders[prefix] = responder


def answer(request) -> HttpResponse | None:
    for prefix, responder in _responders.items():
        if request.path_info.startswith(prefix):
            return responder(request)
    return None
