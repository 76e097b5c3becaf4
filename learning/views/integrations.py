"""Pages and API: integrations' tokens, the completion push, the OpenAPI document."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from units.audit import Origin
from units.body_limits import body_limit
from units.permissions import Action, can, units_where
from units.replay import sent_once

from .. import integrations, openapi
from ..models import Integration


class IntegrationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the platform"), max_length=120)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("May record completions in"),
        queryset=None,
        empty_label=gettext_lazy("Choose a unit"),
        error_messages={
            "invalid_choice": gettext_lazy("Choose one of your units from the list.")
        },
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def integration_list(request):
    units = units_where(request.user, Action.MANAGE_INTEGRATIONS)
    if not units.exists():
        raise Http404("integrations")
    form = IntegrationForm(request.POST or None, units=units.filter(is_active=True))
    token = None
    if request.method == "POST" and form.is_valid():
        _integration, token = integrations.create_integration(
            name=form.cleaned_data["name"],
            unit=form.cleaned_data["unit"],
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )
        form = IntegrationForm(units=units.filter(is_active=True))
    found = Integration.objects.filter(unit__in=units).select_related("unit")
    page = Paginator(found, 30).get_page(request.GET.get("page"))
    response = render(
        request,
        "learning/integration_list.html",
        {"form": form, "page": page, "token": token},
        status=400 if request.method == "POST" and token is None else 200,
    )
    # The token is on this page once: never keep it in a cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@sent_once
def integration_revoke(request, pk):
    try:
        integration = Integration.objects.select_related("unit").get(pk=int(pk))
    except (Integration.DoesNotExist, ValueError):
        raise Http404("integration") from None
    if not can(request.user, Action.MANAGE_INTEGRATIONS, integration.unit):
        raise Http404("integration")
    integrations.revoke_integration(
        integration=integration,
        by=request.user,
        at=timezone.now(),
        origin=Origin.from_request(request),
    )
    messages.success(request, _("Revoked: the token no longer works."))
    return redirect("learning:integrations")


def _error(status: int, code: str, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"error": code, "message": message}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@csrf_exempt  # a token authenticates the caller; there is no session to forge
@body_limit(integrations.MAX_BODY_BYTES)
def api_completions(request):
    if request.method != "POST":
        return _error(405, "method_not_allowed", _("Use POST."), Allow="POST")
    now = timezone.now()
    address = Origin.from_request(request).ip_address
    wait = integrations.take_token_attempt(address, at=now)
    if wait:
        return _error(
            429,
            "too_many_failed_tokens",
            _(
                "Too many wrong tokens from your address; wait %(minutes)d minutes, then send the right token."
            )
            % {"minutes": -(-wait // 60)},
            Retry_After=str(wait),
        )
    integration = integrations.authenticate(request.META.get("HTTP_AUTHORIZATION", ""))
    if integration is None:
        return _error(
            401,
            "unauthorized",
            _("Missing, unknown or revoked token."),
            WWW_Authenticate="Bearer",
        )
    integrations.give_back_token_attempt(address, at=now)
    if integrations.over_rate_limit(integration, at=now):
        return _error(
            429,
            "rate_limited",
            _("Too many requests; wait a minute."),
            Retry_After="60",
        )
    # Read one byte past the limit whatever Content-Length says: a chunked body
    # has none, and under ASGI nothing else bounds what request.body would read.
    raw = request.read(integrations.MAX_BODY_BYTES + 1)
    if len(raw) > integrations.MAX_BODY_BYTES:
        return _error(
            413, "too_large", _("The body is larger than 1 MB; send fewer items.")
        )
    try:
        result = integrations.push_completions(
            integration=integration,
            items=integrations.parse_body(raw).get("completions"),
            today=timezone.localdate(),
            at=now,
        )
    except integrations.BadPush as error:
        return _error(400, error.code, error.message)
    return JsonResponse(
        {
            "recorded": result.recorded,
            "already_recorded": result.already_recorded,
            "errors": result.errors,
            "results": result.items,
        }
    )


@require_safe
@cache_control(public=True, max_age=300)
def openapi_document(request):
    return JsonResponse(openapi.document(), json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("learning/integrations/", integration_list, name="integrations"),
    path(
        "learning/integrations/<int:pk>/revoke/",
        integration_revoke,
        name="integration_revoke",
    ),
    path("api/v1/completions/", api_completions, name="api_completions"),
    path("api/v1/openapi.json", openapi_document, name="openapi"),
]
