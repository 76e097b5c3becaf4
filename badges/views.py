"""Badge pages, the Open Badges documents at their ids, images, and the API.

An assertion's, a badge class's and an issuer's URL is its Open Badges `id`: a
browser (Accept: text/html) gets the page, anything else the JSON-LD. Images and
documents are rendered once per change (images.py) and carry an ETag.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from learning.sessions import qr_svg
from units.audit import Origin
from units.models import Person, Unit
from units.permissions import Action, can_somewhere, units_where
from units.replay import sent_once

from . import criteria, images, openbadges, selectors, services
from .models import LEVEL_COLOURS, Assertion, BadgeClass, Level

JSON_LD = "application/ld+json"


def wants_json(request) -> bool:
    """JSON-LD unless the client asks for HTML (browsers do; verifiers do not)."""
    if request.GET.get("format") == "json":
        return True
    accept = request.headers.get("Accept", "")
    return "text/html" not in accept


def _json(
    document: dict, *, status: int = 200, content_type: str = JSON_LD
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        status=status,
        content_type=f"{content_type}; charset=utf-8",
    )
    response["Access-Control-Allow-Origin"] = "*"  # verifiers run in other sites' pages
    patch_vary_headers(response, ["Accept"])
    patch_cache_control(response, public=True, max_age=60)
    return response


def _json_error(status: int, error: str, message: str) -> JsonResponse:
    response = JsonResponse(
        {"error": error, "message": message},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    patch_vary_headers(response, ["Accept"])
    return response


def _png(request, tag: str, render_png, *, filename: str = "") -> HttpResponse:
    """An image by fingerprint: 304 when the client has it, else from the cache."""
    etag = f'"{tag}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(
            images.cached(tag, render_png), content_type="image/png"
        )
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=300)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _public_name(person: Person) -> str:
    return str(person.public_name)


def _recipient_name(assertion: Assertion) -> str:
    if assertion.person_id:
        return _public_name(assertion.person)
    return assertion.unit.name


def _level_label(level: str) -> str:
    return services.level_label(level)


def _assertion_or_404(uid) -> Assertion:
    return get_object_or_404(
        Assertion.objects.select_related(
            "badge_class", "person", "unit", "badge_class__issuer_unit"
        ),
        uid=uid,
    )


def _link_preview(request, *, title: str, description: str, image: str) -> dict:
    return {
        "title": title,
        "description": description,
        "image": request.build_absolute_uri(image),
        "url": request.build_absolute_uri(request.path),
    }


# --- catalogue and class ---------------------------------------------------------


def _criteria_items(badge_class: BadgeClass) -> list[dict]:
    """Each level with its conditions in plain words."""
    items = []
    leaves = criteria.leaves(badge_class.criteria)
    mode = "any" if "any" in (badge_class.criteria or {}) else "all"
    for index, level in enumerate(badge_class.level_names):
        items.append(
            {
                "level": level,
                "label": _level_label(level),
                "mode": mode,
                "conditions": [criteria.describe(leaf, index) for leaf in leaves],
            }
        )
    return items


def _progress(badge_class: BadgeClass, person: Person, held: set) -> dict | None:
    return selectors.progress_toward_next(badge_class, person, held)


@require_safe
def catalogue(request):
    classes = list(
        BadgeClass.objects.published()
        .select_related("competition")
        .order_by("recipient", "pk")
    )
    # Person and unit awards apart: each is counted on its own unique index.
    holders = dict(
        Assertion.objects.valid()
        .filter(
            Q(person__isnull=False, badge_slug__in=_slugs(classes, "person"))
            | Q(unit__isnull=False, badge_slug__in=_slugs(classes, "unit"))
        )
        .values_list("badge_slug")
        .annotate(n=Count("pk"))
    )
    person = (
        getattr(request.user, "person", None) if request.user.is_authenticated else None
    )
    mine: dict[str, set] = {}
    if person is not None:
        for slug, level in (
            Assertion.objects.valid()
            .filter(person=person)
            .values_list("badge_slug", "level")
        ):
            mine.setdefault(slug, set()).add(level)
    rows = []
    for badge_class in classes:
        rows.append(
            {
                "badge": badge_class,
                "criteria": _criteria_items(badge_class),
                "holders": holders.get(badge_class.slug, 0),
                "mine": sorted(mine.get(badge_class.slug, set()), key=_level_order),
                "progress": _progress(
                    badge_class, person, mine.get(badge_class.slug, set())
                )
                if person is not None
                else None,
            }
        )
    response = render(
        request, "badges/catalogue.html", {"rows": rows, "person": person}
    )
    _cache(request, response, 60)
    return response


def _slugs(classes, recipient: str) -> list[str]:
    return [c.slug for c in classes if c.recipient == recipient]


def _level_order(level: str) -> int:
    return ["", "bronze", "silver", "gold"].index(level)


def _cache(request, response, max_age: int) -> None:
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ["Accept", "Cookie"])


@require_safe
def class_detail(request, pk):
    badge_class = get_object_or_404(
        BadgeClass.objects.select_related("issuer_unit", "competition").exclude(
            status=BadgeClass.Status.DRAFT
        ),
        pk=pk,
    )
    if wants_json(request):
        return _json(
            openbadges.badge_class_document(badge_class, openbadges.base_url(request))
        )
    recent = (
        Assertion.objects.valid()
        .filter(
            badge_slug=badge_class.slug, **{f"{badge_class.recipient}__isnull": False}
        )
        .select_related("person", "unit")
        .order_by("-issued_at", "-pk")[:20]
    )
    latest = BadgeClass.objects.published().filter(slug=badge_class.slug).first()
    response = render(
        request,
        "badges/class_detail.html",
        {
            "badge": badge_class,
            "latest": latest,
            "criteria": _criteria_items(badge_class),
            "recent": [(a, _recipient_name(a)) for a in recent],
            "link_preview": _link_preview(
                request,
                title=badge_class.name,
                description=badge_class.description,
                image=reverse("badges:class_image", args=[badge_class.pk]),
            ),
        },
    )
    _cache(request, response, 60)
    return response


@require_safe
def class_image(request, pk):
    badge_class = get_object_or_404(BadgeClass, pk=pk)
    tag = images.fingerprint(
        "class", badge_class.pk, badge_class.name, badge_class.emblem
    )
    return _png(
        request,
        tag,
        lambda: images.badge_art(
            name=badge_class.name, emblem=badge_class.emblem, level=""
        ),
    )


# --- issuer, keys, revocation list -------------------------------------------------


def _issuer_or_404(pk) -> Unit | None:
    if int(pk) == 0:
        return Unit.objects.filter(depth=1).order_by("path").first()
    return get_object_or_404(Unit, pk=pk)


@require_safe
def issuer(request, pk):
    unit = _issuer_or_404(pk)
    if not wants_json(request) and unit is not None:
        return redirect("badges:unit_wall", unit.pk)
    return _json(openbadges.issuer_document(unit, openbadges.base_url(request)))


@require_safe
def revocations(request, pk):
    unit = _issuer_or_404(pk)
    response = _json(
        openbadges.revocation_list(unit, openbadges.base_url(request)),
        content_type="application/json",
    )
    patch_cache_control(response, max_age=30)
    return response


@require_safe
def key(request, thumbprint):
    try:
        jwk = openbadges.public_jwk(thumbprint)
    except openbadges.SigningUnavailable:
        return _json_error(
            503, "no_key", _("Signed badges are not set up on this server yet.")
        )
    if jwk is None:
        return _json_error(404, "unknown_key", _("No key of this issuer has this id."))
    response = _json(jwk, content_type="application/jwk+json")
    patch_cache_control(response, max_age=3600)
    return response


# --- assertion ------------------------------------------------------------------------


def unknown_address(request) -> HttpResponse | None:
    """A verifier asking for an unknown assertion, or an address under /badges/
    that is not even one (`/badges/assertions/%00/`), reads JSON, not the HTML 404
    page; a browser gets that page (None). Registered with units.not_found, which
    calls it for addresses no view serves."""
    if not wants_json(request):
        return None
    return _json_error(
        404,
        "unknown_assertion",
        _("No badge has this address. Check the link or the QR code."),
    )


@require_safe
def assertion(request, uid):
    try:
        found = _assertion_or_404(uid)
    except Http404:
        answered = unknown_address(request)
        if answered is not None:
            return answered
        raise
    base = openbadges.base_url(request)
    status = 410 if found.is_revoked else 200
    if wants_json(request):
        return _json(openbadges.assertion_document(found, base), status=status)
    page_url = request.build_absolute_uri(request.path)
    badge_class = found.badge_class
    level_index = max(badge_class.level_names.index(found.level), 0)
    evidence = []
    if not found.awarded_by_id:
        for index, leaf in enumerate(criteria.leaves(badge_class.criteria)):
            value = found.evidence.get(f"l{index}")
            evidence.append(
                {
                    "text": criteria.describe(leaf, level_index),
                    "value": "—" if value is None else f"{float(value):g}",
                }
            )
    manage = request.user.is_authenticated and can_somewhere(
        request.user, Action.REVOKE_BADGE
    )
    response = render(
        request,
        "badges/assertion.html",
        {
            "assertion": found,
            "badge": badge_class,
            "level_label": _level_label(found.level),
            "recipient_name": _recipient_name(found),
            "issuer_name": openbadges.issuer_name(openbadges.issuer_unit(badge_class)),
            "issuer_id": openbadges.issuer_id(
                openbadges.issuer_unit(badge_class), base
            ),
            "evidence": evidence,
            "expired": bool(found.expires_at and found.expires_at < timezone.now()),
            "qr": qr_svg(page_url, label=_("QR code of this badge's page")),
            "page_url": page_url,
            "json_url": f"{request.path}?format=json",
            "can_revoke": manage and not found.is_revoked,
            "link_preview": _link_preview(
                request,
                title=_("%(name)s earned the badge “%(badge)s”")
                % {"name": _recipient_name(found), "badge": badge_class.name},
                description=badge_class.description,
                image=reverse("badges:assertion_preview", args=[found.uid]),
            ),
        },
        status=status,
    )
    _cache(request, response, 60)
    return response


def _gone(found: Assertion) -> HttpResponse:
    return HttpResponse(
        _("This badge was revoked: %(reason)s") % {"reason": found.revocation_reason},
        status=410,
        content_type="text/plain; charset=utf-8",
    )


@require_safe
def assertion_image(request, uid):
    """The badge art baked with the 2.0 assertion (iTXt `openbadges`)."""
    found = _assertion_or_404(uid)
    if found.is_revoked:
        return _gone(found)
    base = openbadges.base_url(request)
    document = openbadges.assertion_document(found, base)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    tag = images.fingerprint("ob2", found.uid, text)
    return _png(
        request,
        tag,
        lambda: openbadges.bake(_art(found), "openbadges", text),
        filename=f"huy-hieu-{found.badge_slug}.png"
        if request.GET.get("download")
        else "",
    )


def _art(found: Assertion) -> bytes:
    badge_class = found.badge_class
    tag = images.fingerprint(
        "art", badge_class.pk, found.level, badge_class.name, badge_class.emblem
    )
    return images.cached(
        tag,
        lambda: images.badge_art(
            name=badge_class.name,
            emblem=badge_class.emblem,
            level=found.level,
            level_label=_level_label(found.level),
        ),
    )


def _signed(request, found: Assertion) -> str | HttpResponse:
    try:
        return openbadges.sign(found, openbadges.base_url(request))
    except openbadges.SigningUnavailable:
        return HttpResponse(
            _("Signed badges are not set up on this server yet."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )


@require_safe
def assertion_jwt(request, uid):
    """The Open Badges 3.0 credential, a VC-JWT, as a file."""
    found = _assertion_or_404(uid)
    if found.is_revoked:
        return _gone(found)
    token = _signed(request, found)
    if isinstance(token, HttpResponse):
        return token
    response = HttpResponse(token, content_type="application/jwt")
    response["Content-Disposition"] = f'attachment; filename="huy-hieu-{found.uid}.jwt"'
    patch_cache_control(response, private=True, max_age=0)
    return response


@require_safe
def assertion_credential_png(request, uid):
    """The badge art baked with the 3.0 credential (iTXt `openbadgecredential`)."""
    found = _assertion_or_404(uid)
    if found.is_revoked:
        return _gone(found)
    token = _signed(request, found)
    if isinstance(token, HttpResponse):
        return token
    tag = images.fingerprint(
        "ob3", found.uid, openbadges.base_url(request), found.expires_at
    )
    return _png(
        request,
        tag,
        lambda: openbadges.bake(_art(found), "openbadgecredential", token),
        filename=f"huy-hieu-{found.badge_slug}-ob3.png",
    )


@require_safe
def assertion_preview(request, uid):
    found = _assertion_or_404(uid)
    name = _recipient_name(found)
    level = _level_label(found.level)
    revoked = found.is_revoked
    tag = images.fingerprint("preview", found.uid, name, level, revoked)
    subtitle = (
        _("Revoked")
        if revoked
        else (_("Level: %(level)s") % {"level": level} if level else "")
    )
    return _png(
        request,
        tag,
        lambda: images.preview(
            title=found.badge_class.name,
            subtitle=subtitle or _("Badge of the “Bình dân học vụ số” movement"),
            lines=[name, timezone.localtime(found.issued_at).strftime("%d/%m/%Y")],
            colour=found.colour,
            emblem=found.badge_class.emblem,
        ),
    )


# --- walls -------------------------------------------------------------------------------


def _wall_rows(assertions) -> list:
    return list(
        assertions.valid().select_related("badge_class").order_by("-issued_at", "-pk")
    )


@require_safe
def person_wall(request, pk):
    person = get_object_or_404(Person, pk=pk, is_active=True)
    rows = _wall_rows(person.badge_assertions)
    name = _public_name(person)
    response = render(
        request,
        "badges/wall.html",
        {
            "name": name,
            "kind": "person",
            "rows": [(a, _level_label(a.level)) for a in rows],
            "is_me": request.user.is_authenticated
            and getattr(request.user, "person", None) == person,
            "link_preview": _link_preview(
                request,
                title=_("Badges of %(name)s") % {"name": name},
                description=_("%(count)d badges of the “Bình dân học vụ số” movement")
                % {"count": len(rows)},
                image=reverse("badges:person_wall_preview", args=[person.pk]),
            ),
        },
    )
    _cache(request, response, 30)
    return response


@require_safe
def unit_wall(request, pk):
    unit = get_object_or_404(Unit, pk=pk, is_active=True)
    rows = _wall_rows(unit.badge_assertions)
    below = (
        Assertion.objects.valid()
        .filter(Q(unit__path__startswith=unit.path) & ~Q(unit=unit))
        .count()
    )
    people = (
        Assertion.objects.valid()
        .filter(
            person__memberships__unit__path__startswith=unit.path,
            person__memberships__is_primary=True,
        )
        .count()
    )
    response = render(
        request,
        "badges/wall.html",
        {
            "name": unit.name,
            "unit": unit,
            "kind": "unit",
            "rows": [(a, _level_label(a.level)) for a in rows],
            "below": below,
            "people": people,
            "link_preview": _link_preview(
                request,
                title=_("Badges of %(name)s") % {"name": unit.name},
                description=_("%(count)d badges of the “Bình dân học vụ số” movement")
                % {"count": len(rows)},
                image=reverse("badges:unit_wall_preview", args=[unit.pk]),
            ),
        },
    )
    _cache(request, response, 30)
    return response


def _wall_preview(request, *, name: str, assertions):
    stats = assertions.valid().aggregate(n=Count("pk"), last=Max("pk"))
    names = list(
        assertions.valid()
        .order_by("-issued_at", "-pk")
        .values_list("badge_class__name", flat=True)[:4]
    )
    tag = images.fingerprint("wall", name, stats["n"], stats["last"])
    return _png(
        request,
        tag,
        lambda: images.preview(
            title=_("Badges of %(name)s") % {"name": name},
            subtitle=_("%(count)d badges") % {"count": stats["n"]},
            lines=names,
            colour=LEVEL_COLOURS["gold"] if stats["n"] else LEVEL_COLOURS[""],
            emblem="star",
        ),
    )


@require_safe
def person_wall_preview(request, pk):
    person = get_object_or_404(Person, pk=pk, is_active=True)
    return _wall_preview(
        request, name=_public_name(person), assertions=person.badge_assertions
    )


@require_safe
def unit_wall_preview(request, pk):
    unit = get_object_or_404(Unit, pk=pk, is_active=True)
    return _wall_preview(request, name=unit.name, assertions=unit.badge_assertions)


@require_safe
def board_preview(request, board):
    """The link preview of a leaderboard: its leaders, read from the ranking store."""
    from leaderboards import selectors as boards
    from leaderboards.boards import Board, UnknownBoard
    from leaderboards.stores import StoreUnavailable

    try:
        parsed = Board.parse(board)
        competition, scope = boards.resolve(parsed)
        rows, _count = boards.board_rows(parsed, limit=3)
    except (UnknownBoard, StoreUnavailable, ValueError):
        raise Http404("board") from None
    lines = [f"{row.rank}. {row.name} — {row.value:g}" for row in rows]
    tag = images.fingerprint("board", parsed.name, competition.name, scope.name, *lines)
    return _png(
        request,
        tag,
        lambda: images.preview(
            title=f"{scope.name}",
            subtitle=competition.name,
            lines=lines or [_("No points yet")],
            colour=LEVEL_COLOURS["gold"],
            emblem="star",
        ),
    )


# --- verify -------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    """Anyone checks a badge: upload its PNG, or paste its .jwt credential."""
    verdict = None
    error = ""
    status = 200
    if request.method == "POST":
        base = openbadges.base_url(request)
        upload = request.FILES.get("image")
        token = (request.POST.get("credential") or "").strip()
        if upload is not None:
            if upload.size > openbadges.MAX_BAKED_BYTES:
                error = _("The image is too large: a badge image is under 2 MB.")
            else:
                try:
                    chunks = openbadges.unbake(upload.read())
                except openbadges.BakedImageError:
                    error = _(
                        "This file is not a PNG image we can read. Upload the badge's PNG file."
                    )
                else:
                    if "openbadgecredential" in chunks:
                        verdict = openbadges.verify_credential(
                            chunks["openbadgecredential"], base
                        )
                    elif "openbadges" in chunks:
                        verdict = openbadges.verify_assertion_json(
                            chunks["openbadges"], base
                        )
                    else:
                        error = _(
                            "This image holds no badge. Download the badge image from its page."
                        )
        elif token:
            verdict = openbadges.verify_credential(token[:20000], base)
        else:
            error = _("Choose a badge image (PNG) or paste a credential (.jwt).")
        if error or (verdict is not None and not verdict.valid):
            status = 422 if verdict is not None else 400
    response = render(
        request,
        "badges/verify.html",
        {"verdict": verdict, "error": error},
        status=status,
    )
    patch_cache_control(response, private=True, max_age=0)
    return response


# --- by hand ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@sent_once
def award(request):
    """A council member awards a badge by hand, with a written reason."""
    if not can_somewhere(request.user, Action.AWARD_BADGE):
        raise Http404("award")
    classes = list(
        BadgeClass.objects.published().filter(allow_manual=True).order_by("name")
    )
    units = units_where(request.user, Action.AWARD_BADGE).filter(is_active=True)
    form = {
        "badge": request.POST.get("badge", ""),
        "recipient": request.POST.get("recipient", ""),
        "level": request.POST.get("level", ""),
        "reason": request.POST.get("reason", ""),
    }
    error = ""
    status = 200
    if request.method == "POST":
        try:
            badge_class = next(c for c in classes if str(c.pk) == form["badge"])
        except StopIteration:
            badge_class = None
        person = unit = None
        kind, _sep, pk = form["recipient"].partition("-")
        if badge_class is None:
            error = _("Choose a badge.")
        elif kind == "p" and pk.isdigit():
            # Only people of the awarder's own units are looked up: someone
            # elsewhere is answered like an id that does not exist.
            person = (
                Person.objects.filter(
                    pk=int(pk), is_active=True, memberships__unit__in=units
                )
                .distinct()
                .first()
            )
        elif kind == "u" and pk.isdigit():
            unit = units.filter(pk=int(pk)).first()
        if not error and person is None and unit is None:
            error = _(
                "Choose who receives the badge: a person or a unit of your units."
            )
        if not error:
            try:
                made = services.award_badge(
                    badge_class=badge_class,
                    person=person,
                    unit=unit,
                    level=form["level"],
                    reason=form["reason"],
                    by=request.user,
                    at=timezone.now(),
                    origin=Origin.from_request(request),
                )
            except services.NotAllowed:
                error = _("You may award badges only inside the units you serve.")
                status = 403
            except services.BadgeError as refusal:
                error = refusal.message
            else:
                messages.success(request, _("The badge was awarded."))
                return redirect("badges:assertion", made.uid)
        status = status if status != 200 else 400
    people = (
        Person.objects.filter(
            is_active=True,
            memberships__is_primary=True,
            memberships__unit__in=units[:500],
        ).order_by("display_name", "pk")[:300]
        if units.exists()
        else []
    )
    response = render(
        request,
        "badges/award.html",
        {
            "classes": classes,
            "units": units.order_by("path")[:300],
            "people": people,
            "levels": Level.choices,
            "form": form,
            "error": error,
        },
        status=status,
    )
    patch_cache_control(response, private=True, max_age=0)
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@sent_once
def revoke(request, uid):
    found = _assertion_or_404(uid)
    home = services.recipient_unit(person=found.person, unit=found.unit)
    from units.permissions import can

    if home is None or not can(request.user, Action.REVOKE_BADGE, home):
        raise Http404("assertion")
    error = ""
    status = 200
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        try:
            services.revoke_assertion(
                assertion=found,
                reason=reason,
                by=request.user,
                at=timezone.now(),
                origin=Origin.from_request(request),
            )
        except services.BadgeError as refusal:
            error, status = refusal.message, 400
        else:
            messages.success(request, _("The badge was revoked."))
            return redirect("badges:assertion", found.uid)
    response = render(
        request,
        "badges/revoke.html",
        {
            "assertion": found,
            "recipient_name": _recipient_name(found),
            "reason": reason,
            "error": error,
        },
        status=status,
    )
    patch_cache_control(response, private=True, max_age=0)
    return response


# --- API ---------------------------------------------------------------------------------------


@require_safe
def api_recent(request):
    """GET /api/v1/badges/recent/?limit=20: the latest public awards with their ids."""
    try:
        limit = int(request.GET.get("limit", "20"))
        if not 1 <= limit <= 100:
            raise ValueError
    except ValueError:
        return _json_error(
            400, "bad_parameter", _("limit is a whole number from 1 to 100.")
        )
    base = openbadges.base_url(request)
    rows = (
        Assertion.objects.valid()
        .select_related("badge_class", "person", "unit")
        .order_by("-issued_at", "-pk")[:limit]
    )
    items = [
        {
            "id": openbadges.url(base, "badges:assertion", a.uid),
            "badge": {
                "id": openbadges.url(base, "badges:class", a.badge_class_id),
                "code": a.badge_slug,
                "name": a.badge_class.name,
            },
            "level": a.level or None,
            "recipient": {
                "kind": "person" if a.person_id else "unit",
                "name": _recipient_name(a),
                "wall": openbadges.recipient_identity(a, base),
            },
            "issuedOn": openbadges._iso(a.issued_at),
            "image": openbadges.url(base, "badges:assertion_image", a.uid),
            "credential": openbadges.url(base, "badges:assertion_jwt", a.uid),
        }
        for a in rows
    ]
    body = json.dumps({"assertions": items}, ensure_ascii=False)
    import hashlib

    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=30)
    return response
