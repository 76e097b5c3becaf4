"""Pages: a village's households (Gia đình số) and citizens helped with VNeID."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from units.audit import Origin
from units.forms import PickSelect, posted_form_token
from units.models import Person
from units.permissions import Action, can, get_unit_for, units_where
from units.replay import sent_once
from units.selectors import people_to_choose

from .. import households
from ..forms import DATE_ERRORS, DATE_FORMATS, MAX_PEOPLE_IN_LIST
from ..models import Household, VneidHelp
from ..services import LearningError


def _household_for(user, pk) -> Household:
    try:
        household = Household.objects.select_related("unit").get(pk=int(pk))
    except (Household.DoesNotExist, TypeError, ValueError):
        raise Http404("household") from None
    if not can(user, Action.RECORD_LEARNING, household.unit):
        raise Http404("household")
    return household


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def household_list(request, unit_pk):
    unit = get_unit_for(request.user, Action.RECORD_LEARNING, unit_pk)
    status = 200
    if request.method == "POST":
        try:
            household = households.create_household(
                unit=unit,
                name=request.POST.get("name", "")[:200],
                by=request.user,
                at=timezone.now(),
                origin=Origin.from_request(request),
            )
        except LearningError as error:
            messages.error(request, error.message)
            status = 400
        else:
            return redirect("learning:household", pk=household.pk)
    found = (
        Household.objects.filter(unit__path__startswith=unit.path)
        .annotate(member_count=Count("memberships"))
        .order_by("name", "pk")
    )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/household_list.html",
        {"unit": unit, "page": page, "share": households.household_share(unit)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def household_detail(request, pk):
    household = _household_for(request.user, pk)
    status = 200
    if request.method == "POST":
        # Only the village's own people are looked up: someone of another commune
        # is answered exactly like an id that does not exist (no oracle of who
        # lives where).
        try:
            person = (
                Person.objects.filter(
                    memberships__unit__path__startswith=household.unit.path
                )
                .distinct()
                .get(pk=int(request.POST.get("person", "")))
            )
        except (Person.DoesNotExist, ValueError, OverflowError):
            messages.error(request, _("Choose a person of the village from the list."))
            status = 400
        else:
            verb = (
                households.remove_member
                if request.POST.get("action") == "remove"
                else households.add_member
            )
            try:
                became = verb(
                    household=household,
                    person=person,
                    by=request.user,
                    at=timezone.now(),
                    origin=Origin.from_request(request),
                )
            except LearningError as error:
                messages.error(request, error.message)
                status = 400
            else:
                if became:
                    messages.success(
                        request, _("The household is now a digital household.")
                    )
                return redirect("learning:household", pk=household.pk)
    members = list(household.members.order_by("display_name", "pk"))
    candidates = (
        Person.objects.active()
        .filter(
            memberships__unit__path__startswith=household.unit.path,
            household_membership__isnull=True,
        )
        .order_by("display_name", "pk")
        .distinct()[:MAX_PEOPLE_IN_LIST]
    )
    return render(
        request,
        "learning/household_detail.html",
        {"household": household, "members": members, "candidates": candidates},
        status=status,
    )


class VneidForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=None,
        empty_label=gettext_lazy("Choose a unit"),
        error_messages={
            "invalid_choice": gettext_lazy("Choose one of your units from the list.")
        },
    )
    helped_on = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERRORS,
    )
    citizens = forms.IntegerField(
        label=gettext_lazy("Citizens helped to activate VNeID"),
        min_value=1,
        max_value=households.MAX_CITIZENS_PER_RECORD,
        error_messages={
            "min_value": gettext_lazy("At least 1 citizen."),
            "max_value": gettext_lazy("At most 500 citizens in one record."),
        },
    )
    helper = forms.ModelChoiceField(
        label=gettext_lazy("Helped by (earns the points)"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Nobody named: the unit is credited"),
        widget=PickSelect,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Choose a member of your unit from the list."
            )
        },
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Never write citizen ID numbers here."),
    )

    def __init__(self, *args, units, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["helper"].queryset = people


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
def vneid(request):
    units = units_where(request.user, Action.RECORD_LEARNING)
    if not units.exists():
        raise Http404("units")
    people = people_to_choose(units, limit=MAX_PEOPLE_IN_LIST)
    form = VneidForm(
        request.POST or None, units=units.filter(is_active=True), people=people
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            values = form.cleaned_data
            token = posted_form_token(request)
            try:
                _record, created = households.record_vneid_help(
                    unit=values["unit"],
                    helper=values["helper"],
                    helped_on=values["helped_on"],
                    citizens=values["citizens"],
                    note=values["note"],
                    form_token=token,
                    by=request.user,
                    today=timezone.localdate(),
                    at=timezone.now(),
                    origin=Origin.from_request(request),
                )
            except LearningError as error:
                form.add_error(None, error.message)
            else:
                if created:
                    messages.success(request, _("Recorded."))
                else:
                    messages.info(request, _("This form was already recorded."))
                return redirect("learning:vneid")
    records = VneidHelp.objects.filter(unit__in=units).select_related("unit", "helper")
    months = (
        records.annotate(month=TruncMonth("helped_on"))
        .values("month")
        .annotate(citizens=Sum("citizens"))
        .order_by("-month")[:12]
    )
    page = Paginator(records.order_by("-helped_on", "-pk"), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "learning/vneid.html",
        {"form": form, "page": page, "months": months},
        status=status,
    )


urlpatterns = [
    path("learning/units/<int:unit_pk>/households/", household_list, name="households"),
    path("learning/households/<int:pk>/", household_detail, name="household"),
    path("learning/vneid/", vneid, name="vneid"),
]
