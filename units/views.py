from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import DisallowedHost
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from . import not_found, selectors, services
from .audit import Origin
from .forms import HeadcountForm, MoveUnitForm, ProfileForm
from .health import check_health
from .middleware import API_PREFIX, api_error
from .models import Person, Unit
from .panels import unit_panels
from .permissions import Action, can, get_unit_for, units_where
from .replay import sent_once
from .search import read_search


@require_safe
@never_cache
def healthz(request):
    report, healthy = check_health()
    return JsonResponse(report, status=200 if healthy else 503)


def _public_unit(pk) -> Unit:
    try:
        return Unit.objects.get(pk=int(pk), is_active=True)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404("unit") from None


@require_safe
def directory(request):
    search = read_search(request.GET.get("q"))
    units = (
        selectors.search_units(search.text) if search.text else selectors.root_units()
    )
    return render(
        request,
        "units/directory.html",
        {"units": units, "query": search.text, "search_note": search.note},
    )


@require_safe
def unit_detail(request, pk):
    unit = _public_unit(pk)
    context = {
        "unit": unit,
        "ancestors": selectors.ancestors_of(unit),
        "children": selectors.children_of(unit),
        "member_count": selectors.member_count(unit),
        "totals": selectors.headcount_totals(unit),
        "can_view_members": can(request.user, Action.VIEW_MEMBERS, unit),
        "can_edit_headcounts": can(request.user, Action.EDIT_HEADCOUNTS, unit),
        "can_manage_structure": can(request.user, Action.MANAGE_STRUCTURE, unit),
        "panels": unit_panels(request, unit),
    }
    return render(request, "units/detail.html", context)


@login_required
@require_safe
def unit_members(request, pk):
    unit = get_unit_for(request.user, Action.VIEW_MEMBERS, pk)
    subtree = request.GET.get("subtree") == "1"
    page = Paginator(selectors.members_of(unit, subtree=subtree), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "units/members.html",
        {"unit": unit, "page": page, "subtree": subtree},
    )


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def edit_headcounts(request, pk):
    unit = get_unit_for(request.user, Action.EDIT_HEADCOUNTS, pk)
    form = HeadcountForm(request.POST or None, unit=unit)
    if request.method == "POST":
        if form.is_valid():
            services.update_headcounts(
                unit=unit,
                counts=form.cleaned_data,
                by=request.user,
                at=timezone.now(),
                origin=Origin.from_request(request),
            )
            messages.success(request, _("Headcounts saved."))
            return redirect("units:detail", pk=unit.pk)
        return render(
            request, "units/headcounts.html", {"unit": unit, "form": form}, status=400
        )
    return render(request, "units/headcounts.html", {"unit": unit, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def move(request, pk):
    unit = get_unit_for(request.user, Action.MANAGE_STRUCTURE, pk)
    # Any unit the user administers may be the new parent; the service refuses cycles
    # so that a forged id of a sub-unit is caught at the one place that knows the tree.
    choices = units_where(request.user, Action.MANAGE_STRUCTURE).filter(is_active=True)
    form = MoveUnitForm(request.POST or None, choices=choices)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.move_unit(
                    unit=unit,
                    new_parent=form.cleaned_data["new_parent"],
                    by=request.user,
                    at=timezone.now(),
                    origin=Origin.from_request(request),
                )
            except services.UnitCycleError as error:
                form.add_error("new_parent", str(error))
            else:
                messages.success(request, _("The unit was moved."))
                return redirect("units:detail", pk=unit.pk)
        return render(
            request, "units/move.html", {"unit": unit, "form": form}, status=400
        )
    return render(request, "units/move.html", {"unit": unit, "form": form})


@login_required
@require_safe
def mine(request):
    return render(
        request,
        "units/mine.html",
        {
            "roles": selectors.roles_for_user(request.user),
            "person": Person.objects.filter(user=request.user).first(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def profile(request):
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        messages.info(
            request,
            _("Your account is not linked to a person yet; ask your unit officer."),
        )
        return redirect("units:mine")
    form = ProfileForm(request.POST or None, instance=person)
    if request.method == "POST":
        if form.is_valid():
            services.update_profile(
                person=person,
                display_name=form.cleaned_data["display_name"],
                appears_anonymously=form.cleaned_data["appears_anonymously"],
            )
            messages.success(request, _("Your profile was saved."))
            return redirect("units:mine")
        return render(request, "units/profile.html", {"form": form}, status=400)
    return render(request, "units/profile.html", {"form": form})


# Error pages: rendered by our templates so that every message is in the user's
# language and says what to do next.
def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    if request.path.startswith(API_PREFIX):
        # An integration reads JSON: answered here, the HTML page (a template and
        # the menu's queries) is not built only to be thrown away by ApiErrorsAsJson.
        return api_error(request, 404)
    if isinstance(exception, Resolver404):
        # An address no view serves, under a prefix an app answers for programs
        # (a badge verifier asks for JSON-LD). A view's own 404 says what it is.
        answered = not_found.answer(request)
        if answered is not None:
            return answered
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)


def csrf_failure(request, reason=""):
    """A form refused by the CSRF check: the page was open too long, or cookies are
    blocked. Said in the user's language with the way back to the form."""
    back = request.META.get("HTTP_REFERER", "")
    try:
        same_site = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    except DisallowedHost:
        same_site = False
    return render(
        request,
        "errors/csrf.html",
        {"back": back if same_site and back else request.path},
        status=403,
    )


@require_safe
def choose_language(request, code):
    """Switch the interface language with a plain link, then go back.

    Django's own switcher is a POST form, which puts a CSRF cookie on every public
    page and so keeps shared caches from serving them. Choosing a language changes
    nothing but this visitor's cookie, so a GET is safe.
    """
    if code not in {language for language, _name in settings.LANGUAGES}:
        raise Http404("language")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response
