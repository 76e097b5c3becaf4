"""Pages: importing completion lists exported by the MOOC platform."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from units.audit import Origin
from units.body_limits import FORM_OVERHEAD, body_limit
from units.permissions import Action, can, units_where
from units.replay import sent_once

from .. import imports
from ..import_plan import TEMPLATE_HEADERS, max_bytes
from ..models import ImportBatch
from ..services import LearningError

# Problems shown on the page; the downloadable report has all that were stored.
SHOWN_PROBLEMS = 50
# The unit list of the upload form: a province administrator gets the coded units
# (province, communes, wards), never every village of the province.
MAX_UNIT_CHOICES = 500


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return f"{unit.name} ({unit.code})" if unit.code else unit.name


class ImportForm(forms.Form):
    unit = UnitChoiceField(
        queryset=None,
        label=gettext_lazy("Unit"),
        empty_label=gettext_lazy("Choose a unit"),
        help_text=gettext_lazy(
            "Rows without a unit code are recorded in this unit; rows with a code must be inside it."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("File exported by the MOOC platform (CSV or XLSX)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = units_where(user, Action.RECORD_LEARNING).filter(is_active=True)
        choices = scope.filter(~Q(code="") | Q(roles__user=user)).distinct()
        self.fields["unit"].queryset = scope.filter(
            pk__in=list(choices.values_list("pk", flat=True)[:MAX_UNIT_CHOICES])
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB.")
                % {"size": max_bytes() // 2**20}
            )
        return upload


def _batch_for(user, pk) -> ImportBatch:
    """The batch if the user may record learning in its unit; a forged id is a 404."""
    try:
        batch = ImportBatch.objects.select_related("unit", "uploaded_by__person").get(
            pk=int(pk)
        )
    except (ImportBatch.DoesNotExist, TypeError, ValueError):
        raise Http404("import") from None
    if not can(user, Action.RECORD_LEARNING, batch.unit):
        raise Http404("import")
    return batch


def _officer_units(user):
    units = units_where(user, Action.RECORD_LEARNING)
    if not units.exists():
        raise Http404("not an officer")
    return units


def _csv_download(text: str, filename: str) -> HttpResponse:
    # The BOM makes Excel read the file as UTF-8, so Vietnamese shows right.
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def import_list(request):
    batches = ImportBatch.objects.filter(
        unit__in=_officer_units(request.user)
    ).select_related("unit", "uploaded_by__person")
    page = Paginator(batches, 25).get_page(request.GET.get("page"))
    return render(request, "learning/import_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
@sent_once
@body_limit(lambda: max_bytes() + FORM_OVERHEAD)
def import_new(request):
    _officer_units(request.user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = imports.preview_import(
                    unit=form.cleaned_data["unit"],
                    by=request.user,
                    file_name=upload.name,
                    data=upload.read(),
                    at=timezone.now(),
                )
            except LearningError as error:
                form.add_error("file", error.message)
            else:
                return redirect("learning:import", pk=batch.pk)
        return render(
            request,
            "learning/import_new.html",
            {"form": form, "columns": TEMPLATE_HEADERS},
            status=400,
        )
    form = ImportForm(user=request.user)
    units = form.fields["unit"].queryset
    if len(units) == 1:
        form.initial["unit"] = units[0].pk
    return render(
        request,
        "learning/import_new.html",
        {"form": form, "columns": TEMPLATE_HEADERS},
    )


@login_required
@require_safe
def import_detail(request, pk):
    batch = _batch_for(request.user, pk)
    earlier = (
        ImportBatch.objects.filter(
            unit=batch.unit, sha256=batch.sha256, created_at__lt=batch.created_at
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    return render(
        request,
        "learning/import_detail.html",
        {
            "batch": batch,
            "problems": batch.errors[:SHOWN_PROBLEMS],
            "problems_cut": len(batch.errors) >= imports.STORED_PROBLEMS,
            "to_add": batch.rows_valid - batch.rows_recorded,
            "earlier": earlier,
            "can_apply": batch.status
            in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.FAILED)
            and batch.rows_valid > 0,
        },
    )


@login_required
@require_POST
@sent_once
def import_apply(request, pk):
    batch = _batch_for(request.user, pk)
    try:
        batch = imports.apply_import(
            batch=batch,
            by=request.user,
            at=timezone.now(),
            origin=Origin.from_request(request),
        )
    except LearningError as error:
        messages.info(request, error.message)
    else:
        if batch.status == ImportBatch.Status.APPLIED:
            messages.success(
                request,
                _("Imported: %(added)d completions recorded, %(people)d new learners.")
                % {"added": batch.completions_added, "people": batch.people_added},
            )
        elif batch.status == ImportBatch.Status.FAILED:
            messages.error(request, batch.failure)
        else:
            messages.info(
                request, _("Recording has started; this page shows its progress.")
            )
    return redirect("learning:import", pk=batch.pk)


@login_required
@require_safe
def import_errors(request, pk):
    batch = _batch_for(request.user, pk)
    return _csv_download(imports.error_report(batch), f"loi-nhap-{batch.pk}.csv")


@login_required
@require_safe
def import_template(request):
    _officer_units(request.user)
    return _csv_download(imports.template_csv(), "mau-danh-sach-hoan-thanh.csv")


urlpatterns = [
    path("learning/imports/", import_list, name="imports"),
    path("learning/imports/new/", import_new, name="import_new"),
    path("learning/imports/template.csv", import_template, name="import_template"),
    path("learning/imports/<int:pk>/", import_detail, name="import"),
    path("learning/imports/<int:pk>/apply/", import_apply, name="import_apply"),
    path("learning/imports/<int:pk>/errors.csv", import_errors, name="import_errors"),
]
