from django.conf import settings
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the visitor chose another language with the switcher.

    Django would follow the browser's Accept-Language, but many phones in Vietnam
    run with an English interface; the movement's pages must still open in
    Vietnamese. The footer's switcher sets the language cookie, which wins.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # The language comes from the cookie, never from Accept-Language: a shared
        # cache must tell pages apart by the cookie, and need not split them by
        # every browser's language list.
        response.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Cookie",))
        return response


API_PREFIX = "/api/"


class ApiErrorsAsJson:
    """Under /api/, a 404 or 405 Django made itself is JSON in the API's format.

    An unknown address (a malformed overview name, say) or a method a view does
    not take would otherwise answer with an HTML page, which no integration can
    read and which breaks the OpenAPI document's promise of `{"error", "message"}`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code not in (
            404,
            405,
        ):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            body = {
                "error": "not_found",
                "message": _(
                    "Nothing is at this address; check it against the API document."
                ),
            }
        else:
            body = {
                "error": "method_not_allowed",
                "message": _("This address does not take %(method)s; use %(allowed)s.")
                % {"method": request.method, "allowed": response.get("Allow", "GET")},
            }
        replacement = JsonResponse(body, status=response.status_code)
        if "Allow" in response:
            replacement["Allow"] = response["Allow"]
        return replacement
