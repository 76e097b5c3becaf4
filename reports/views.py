"""Pages of the targets and reports: thin, over reports' services and selectors."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from badges import images
from units.audit import Origin
from units.models import TargetGroup, Unit
from units.permissions import Action, can, get_unit_for, units_where
from units.replay import sent_once

from . import charts, documents, generation, periods
from . import dashboard as board
from . import targets as target_data
from .errors import ReportError
from .models import Report, Target

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _refused(request, error: ReportError, *, back: str = ""):
    response = render(
        request,
        "errors/form_refused.html",
        {"message": error.message, "back": back or request.get_full_path()},
        status=error.status,
    )
    if error.status == 429:
        response["Retry-After"] = "60"
    return response


def _day(raw: str, today: date) -> date:
    raw = (raw or "").strip()
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ReportError(_("Write the date as dd/mm/yyyy.")) from None
    if day > today:
        raise ReportError(
            _("That date is in the future: choose a day up to today (%(today)s).")
            % {"today": today.strftime("%d/%m/%Y")}
        )
    return day


def _year(raw: str, default: int) -> int:
    raw = (raw or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise ReportError(_("Choose the year of the targets."))
    year = int(raw)
    if not target_data.FIRST_YEAR <= year <= target_data.LAST_YEAR:
        raise ReportError(
            _("Targets are set for the years %(first)s to %(last)s.")
            % {"first": target_data.FIRST_YEAR, "last": target_data.LAST_YEAR}
        )
    return year


def _context(request, unit: Unit, *, public: bool):
    today = timezone.localdate()
    as_of = _day(request.GET.get("as_of", ""), today)
    year = _year(request.GET.get("year", ""), as_of.year)
    kind = request.GET.get("kind", "")[:32]
    data = board.dashboard(unit, as_of=as_of, year=year, today=today, kind=kind)
    return {
        "unit": unit,
        "d": data,
        "public": public,
        "years": list(
            range(target_data.FIRST_YEAR, min(today.year, target_data.LAST_YEAR) + 1)
        ),
        "bars": charts.target_bars(data.groups, label=_("Reached against the target")),
        "trend_label": _("People reached per month in %(year)s") % {"year": year},
        "has_trend": any(v for _m, v in data.trend),
        "today": today,
        "min_group": board.min_group(),
    }


@login_required
@require_safe
def index(request):
    scope = list(units_where(request.user, Action.VIEW_REPORTS).order_by("path"))
    roots = []
    for unit in scope:
        if not any(unit.path.startswith(r.path) for r in roots):
            roots.append(unit)
    if not roots:
        raise Http404("no reports")
    # The newest reports of the whole area, so one made for a village is found
    # from here, not only from that village's dashboard.
    area = Q()
    for root in roots:
        area |= Q(unit__path__startswith=root.path)
    recent = list(
        Report.objects.filter(area).select_related("unit").order_by("-pk")[:20]
    )
    return render(
        request, "reports/index.html", {"roots": roots[:50], "recent": recent}
    )


@login_required
@require_safe
def unit_dashboard(request, pk):
    unit = get_unit_for(request.user, Action.VIEW_REPORTS, pk)
    try:
        context = _context(request, unit, public=False)
    except ReportError as error:
        return _refused(
            request, error, back=reverse("reports:dashboard", args=[unit.pk])
        )
    context["can_set"] = can(request.user, Action.SET_TARGETS, unit)
    context["reports"] = list(Report.objects.filter(unit=unit)[:10])
    return render(request, "reports/dashboard.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@sent_once
def unit_targets(request, pk):
    unit = get_unit_for(request.user, Action.VIEW_REPORTS, pk)
    may_set = can(request.user, Action.SET_TARGETS, unit)
    today = timezone.localdate()
    back = reverse("reports:targets", args=[unit.pk])
    try:
        year = _year(
            request.POST.get("year") or request.GET.get("year", ""), today.year
        )
    except ReportError as error:
        return _refused(request, error, back=back)
    if request.method == "POST":
        if not may_set:
            raise Http404("unit")
        try:
            target_data.set_target(
                unit=unit,
                year=year,
                group=request.POST.get("target_group", ""),
                percent=request.POST.get("percent", ""),
                by=request.user,
                at=timezone.now(),
                origin=Origin.from_request(request),
            )
        except ReportError as error:
            return _refused(request, error, back=f"{back}?year={year}")
        messages.success(request, _("The target is saved."))
        return redirect(f"{back}?year={year}")
    own = {t.target_group: t for t in Target.objects.filter(unit=unit, year=year)}
    effective = target_data.effective([unit], year)[unit.pk]
    rows = []
    for value, label in TargetGroup.choices:
        least, owner = target_data.floor(unit, year, value)
        rows.append(
            {
                "group": value,
                "label": label,
                "own": own.get(value),
                "effective": effective.get(value),
                "floor": least,
                "floor_unit": owner,
            }
        )
    return render(
        request,
        "reports/targets.html",
        {
            "unit": unit,
            "year": year,
            "rows": rows,
            "can_set": may_set,
            "years": list(range(target_data.FIRST_YEAR, target_data.LAST_YEAR + 1)),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@sent_once
def report_new(request, pk):
    unit = get_unit_for(request.user, Action.VIEW_REPORTS, pk)
    today = timezone.localdate()
    if request.method == "POST":
        back = reverse("reports:report_new", args=[unit.pk])
        try:
            generation.take_allowance(request.user, at=timezone.now())
            kind = request.POST.get("kind", "")
            start, end = periods.period(
                kind,
                year=request.POST.get("year"),
                number=request.POST.get("number"),
                start=request.POST.get("start"),
                end=request.POST.get("end"),
                today=today,
            )
            year = _year(request.POST.get("target_year", ""), min(end, today).year)
        except ReportError as error:
            return _refused(request, error, back=back)
        report = generation.request_report(
            unit=unit,
            kind=kind,
            start=start,
            end=end,
            year=year,
            by=request.user,
            at=timezone.now(),
        )
        return redirect("reports:report", pk=report.pk)
    quarter = (today.month - 1) // 3 + 1
    return render(
        request,
        "reports/report_new.html",
        {
            "unit": unit,
            "kinds": Report.Kind.choices,
            "year": today.year,
            "quarter": quarter,
            "month": today.month,
            "today": today,
            "years": list(range(target_data.FIRST_YEAR, today.year + 1)),
        },
    )


def _report_or_404(user, pk) -> Report:
    report = get_object_or_404(Report.objects.select_related("unit"), pk=pk)
    if not can(user, Action.VIEW_REPORTS, report.unit):
        raise Http404("report")
    return report


@login_required
@require_safe
def report_detail(request, pk):
    report = _report_or_404(request.user, pk)
    sections = (
        report.data.get("sections", []) if report.status == Report.Status.DONE else []
    )
    return render(
        request,
        "reports/report.html",
        {
            "report": report,
            "unit": report.unit,
            "working": report.status in (Report.Status.PENDING, Report.Status.RUNNING),
            "sections": [
                {
                    **s,
                    "rows": [
                        list(zip(s["header"], row, strict=False)) for row in s["rows"]
                    ],
                }
                for s in sections
                if s["key"] != "units"
            ],
            "units_count": next(
                (len(s["rows"]) for s in sections if s["key"] == "units"), 0
            ),
        },
    )


def _file_name(report: Report, extension: str) -> str:
    return f"bao-cao-{report.unit_id}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.{extension}"


def _download(report: Report, data: bytes, content_type: str, extension: str):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{_file_name(report, extension)}"'
    )
    return response


def _done_or_404(request, pk) -> Report:
    report = _report_or_404(request.user, pk)
    if report.status != Report.Status.DONE:
        raise Http404("report not ready")
    return report


@login_required
@require_safe
def report_xlsx(request, pk):
    report = _done_or_404(request, pk)
    return _download(report, documents.xlsx(report.data), XLSX, "xlsx")


@login_required
@require_safe
def report_csv(request, pk):
    report = _done_or_404(request, pk)
    return _download(
        report, documents.csv_bytes(report.data), "text/csv; charset=utf-8", "csv"
    )


@login_required
@require_safe
def report_docx(request, pk):
    report = _done_or_404(request, pk)
    return _download(
        report, documents.docx(report.data, report.unit, kind=report.kind), DOCX, "docx"
    )


# -- public ------------------------------------------------------------------------


def _public_cache(request, response, max_age: int) -> None:
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ["Cookie"])


def _province(pk) -> Unit:
    return get_object_or_404(Unit, pk=pk, kind=Unit.Kind.PROVINCE, is_active=True)


@require_safe
def progress_index(request):
    province = (
        Unit.objects.filter(kind=Unit.Kind.PROVINCE, is_active=True)
        .order_by("path")
        .first()
    )
    if province is None:
        raise Http404("no province")
    query = request.GET.urlencode()
    target = reverse("reports:progress", args=[province.pk])
    return redirect(f"{target}?{query}" if query else target)


@require_safe
def progress(request, pk):
    province = _province(pk)
    try:
        context = _context(request, province, public=True)
    except ReportError as error:
        return _refused(request, error, back=reverse("reports:progress", args=[pk]))
    query = request.GET.urlencode()
    context["link_preview"] = {
        "title": _("%(unit)s: progress toward the digital skills targets")
        % {"unit": province.name},
        "description": _(
            "%(reached)s people reached of %(headcount)s in the target groups."
        )
        % {"reached": context["d"].reached, "headcount": context["d"].headcount},
        "image": request.build_absolute_uri(
            reverse("reports:progress_preview", args=[pk])
            + (f"?{query}" if query else "")
        ),
        "url": request.build_absolute_uri(request.get_full_path()),
    }
    response = render(request, "reports/progress.html", context)
    _public_cache(request, response, 60)
    return response


@require_safe
def progress_preview(request, pk):
    province = _province(pk)
    today = timezone.localdate()
    try:
        year = _year(request.GET.get("year", ""), today.year)
    except ReportError:
        year = today.year
    data = board.dashboard(province, year=year, today=today)
    lines = [
        f"{row.label}: {board.percent(row.reached, row.headcount) or 0} %"
        + (f" / {row.target:g} %" if row.target is not None else "")
        for row in data.groups
    ]
    title = f"{province.name} · {year}"
    tag = images.fingerprint("progress", province.pk, year, *lines)
    etag = f'"{tag}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(
            images.cached(
                tag,
                lambda: images.preview(
                    title=title,
                    subtitle="Tiến độ thực hiện chỉ tiêu kỹ năng số",
                    lines=lines,
                    colour="#1d4ed8",
                    emblem="star",
                ),
            ),
            content_type="image/png",
        )
    response["ETag"] = etag
    _public_cache(request, response, 300)
    return response
