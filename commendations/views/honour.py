"""The public honour board (Bảng vinh danh), each award's and decision's record,
certificates and link previews. Anyone may open them: a decision is a public act."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from badges import images
from learning.sessions import qr_svg
from units.models import Unit

from .. import certificates, documents, selectors
from ..models import Award, AwardDecision
from .common import XLSX, download, public_cache

HONOUR_COLOUR = "#a3161a"


def _recipient_name(award: Award) -> str:
    """A person who chose to appear anonymously stays so on public pages."""
    if award.person_id and award.person.appears_anonymously:
        return str(award.person.public_name)
    return award.recipient_name


def _filters(request) -> tuple[Unit | None, int | None]:
    unit = None
    raw = request.GET.get("unit", "")
    if raw.isascii() and raw.isdigit():
        unit = Unit.objects.filter(pk=int(raw), is_active=True).first()
    year = None
    raw = request.GET.get("year", "")
    if raw.isascii() and raw.isdigit() and len(raw) == 4:
        year = int(raw)
    return unit, year


@require_safe
def board(request):
    unit, year = _filters(request)
    years = selectors.honour_years()
    if year is None and years:
        year = years[0]
    awards = list(selectors.honour_roll(unit=unit, year=year)[:300])
    units = list(
        Unit.objects.filter(
            pk__in=Award.objects.filter(revocation__isnull=True).values(
                "decision__issuing_unit"
            )
        ).order_by("path")
    )
    rows = [{"award": a, "name": _recipient_name(a)} for a in awards]
    query = f"?unit={unit.pk if unit else ''}&year={year or ''}"
    title = (
        "Bảng vinh danh"
        + (f" · {unit.name}" if unit else "")
        + (f" · {year}" if year else "")
    )
    response = render(
        request,
        "commendations/honour.html",
        {
            "rows": rows,
            "unit": unit,
            "year": year,
            "years": years,
            "units": units,
            "link_preview": {
                "title": title,
                "description": f"{len(awards)} tập thể, cá nhân được khen thưởng trong phong trào “Bình dân học vụ số”.",
                "image": request.build_absolute_uri(
                    reverse("commendations:honour_preview") + query
                ),
                "url": request.build_absolute_uri(request.get_full_path()),
            },
        },
    )
    public_cache(request, response, 60)
    return response


def _png(request, tag: str, render_png) -> HttpResponse:
    etag = f'"{tag}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(
            images.cached(tag, render_png), content_type="image/png"
        )
    response["ETag"] = etag
    public_cache(request, response, 300)
    return response


@require_safe
def board_preview(request):
    unit, year = _filters(request)
    awards = list(selectors.honour_roll(unit=unit, year=year)[:4])
    total = selectors.honour_roll(unit=unit, year=year).count()
    lines = [f"{_recipient_name(a)}: {a.award_type.name}" for a in awards]
    title = "Bảng vinh danh" + (f" {year}" if year else "")
    subtitle = unit.name if unit else "Phong trào “Bình dân học vụ số”"
    tag = images.fingerprint("honour", unit.pk if unit else "", year, total, *lines)
    return _png(
        request,
        tag,
        lambda: images.preview(
            title=title,
            subtitle=f"{subtitle} · {total} khen thưởng",
            lines=lines,
            colour=HONOUR_COLOUR,
            emblem="star",
        ),
    )


def _award_or_404(uid) -> Award:
    return get_object_or_404(
        Award.objects.select_related(
            "decision__issuing_unit",
            "award_type",
            "recipient_unit",
            "person",
            "nomination",
            "unit",
        ),
        uid=uid,
    )


@require_safe
def award(request, uid):
    item = _award_or_404(uid)
    revocation = getattr(item, "revocation", None)
    record = request.build_absolute_uri(reverse("commendations:award", args=[item.uid]))
    name = _recipient_name(item)
    response = render(
        request,
        "commendations/award.html",
        {
            "award": item,
            "name": name,
            "revocation": revocation,
            "qr": qr_svg(record, label=_("QR code of this record")),
            "record": record,
            "link_preview": {
                "title": f"{name}: {item.award_type.name}",
                "description": item.citation,
                "image": request.build_absolute_uri(
                    reverse("commendations:award_preview", args=[item.uid])
                ),
                "url": record,
            },
        },
        status=410 if revocation else 200,
    )
    public_cache(request, response, 60)
    return response


@require_safe
def award_preview(request, uid):
    item = _award_or_404(uid)
    name = _recipient_name(item)
    revoked = hasattr(item, "revocation")
    tag = images.fingerprint("award", item.uid, name, revoked)
    decision = item.decision
    return _png(
        request,
        tag,
        lambda: images.preview(
            title=name,
            subtitle=item.award_type.name,
            lines=[
                f"Quyết định {decision.number}",
                f"ngày {decision.signed_on:%d/%m/%Y}",
                decision.issuing_unit.name,
                "ĐÃ THU HỒI" if revoked else "",
            ],
            colour=HONOUR_COLOUR,
            emblem="flag",
        ),
    )


def _certificate(request, uid, kind: str):
    item = _award_or_404(uid)
    if hasattr(item, "revocation"):
        raise Http404("revoked")
    record = request.build_absolute_uri(reverse("commendations:award", args=[item.uid]))
    data = certificates.render(item, kind=kind, record_url=record)
    response = HttpResponse(
        data, content_type="application/pdf" if kind == "pdf" else "image/png"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="giay-chung-nhan-{item.uid}.{kind}"'
    )
    public_cache(request, response, 300)
    return response


@require_safe
def certificate_png(request, uid):
    return _certificate(request, uid, "png")


@require_safe
def certificate_pdf(request, uid):
    return _certificate(request, uid, "pdf")


def _decision_or_404(uid) -> AwardDecision:
    return get_object_or_404(
        AwardDecision.objects.select_related("issuing_unit", "session"), uid=uid
    )


@require_safe
def decision(request, uid):
    item = _decision_or_404(uid)
    awards = list(
        item.awards.select_related(
            "award_type", "recipient_unit", "person", "revocation"
        )
    )
    rows = [{"award": a, "name": _recipient_name(a)} for a in awards]
    response = render(
        request,
        "commendations/decision.html",
        {"decision": item, "rows": rows, "today": timezone.localdate()},
    )
    public_cache(request, response, 60)
    return response


@require_safe
def decision_annex(request, uid):
    item = _decision_or_404(uid)
    awards = list(item.awards.select_related("award_type", "recipient_unit"))
    return download(
        documents.decision_annex_xlsx(item, awards),
        content_type=XLSX,
        filename=f"phu-luc-{item.number.replace('/', '-')}.xlsx",
    )
