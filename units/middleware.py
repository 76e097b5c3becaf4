from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.deprecation import MiddlewareMixin
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
        return api_error(request, response.status_code, allow=response.get("Allow"))


def api_error(request, status: int, *, allow: str | None = None) -> JsonResponse:
    """The API's 404 or 405 body, `{"error", "message"}`."""
    if status == 404:
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
            % {"method": request.method, "allowed": allow or "GET"},
        }
    response = JsonResponse(body, status=status)
    if allow:
        response["Allow"] = allow
    return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, with this host's own WebSocket address in connect-src.

    CSP3 browsers let 'self' cover ws: and wss: of the page's host (Chromium 156
    connects with 'self' alone), CSP2 ones do not; naming the address keeps the
    live boards live there too, and allows no other host.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        try:
            host = request.get_host()
        except DisallowedHost:
            return parts
        socket = f"{'wss' if request.is_secure() else 'ws'}://{host}"
        parts.update = {**(parts.update or {})}
        parts.update["connect-src"] = [*parts.update.get("connect-src", ()), socket]
        return parts


class PrivateWhenSignedInMiddleware(MiddlewareMixin):
    """Mark every response built for a signed-in visitor `private`.

    Such a page carries their name, menu and counts; a shared cache (a proxy, a
    carrier's gateway) must never hand it to the next visitor. A response that
    never read the session cannot depend on who asked and keeps its own caching
    (the public JSON API), and one a view already made private or uncacheable
    keeps its own lifetime (evidence files, an hour). MiddlewareMixin, as Django's
    own: it runs in either mode, so the ASGI chain needs no extra thread hop.
    """

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is None or not session.accessed:
            return response
        if not request.user.is_authenticated:
            return response
        control = response.get("Cache-Control", "")
        if "private" in control or "no-store" in control:
            return response
        # max-age=0: the browser asks again rather than showing an old page (a
        # signed-in page may change with every action); public pages' max-age
        # was for the proxy, which no longer keeps this one.
        patch_cache_control(response, private=True, max_age=0)
        return response
