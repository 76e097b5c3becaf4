"""Open Badges 2.0 (hosted) and 3.0 (signed) from the same award.

2.0: the issuer (a unit's steering committee), the badge class and the assertion
are JSON-LD documents at their own `id` URLs; the hosted copy is authoritative,
so a revoked assertion answers 410 with `revoked: true` and its reason. The
recipient is published only as sha256(identity + salt), the identity being the
address of their public badge wall.

3.0: the award as an OpenBadgeCredential, signed as a compact JWS (VC-JWT) with
RS256, the only algorithm every verifier must support; the header's `kid` is a URL
answering the public JWK. Revocation goes through a 1EdTech revocation list the
credential names. PyJWT signs here; the tests verify with joserfc, another
library.

Both bake into a PNG: an `iTXt` chunk keyed `openbadges` (the assertion JSON) or
`openbadgecredential` (the JWS).
"""

import base64
import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image, PngImagePlugin

from units.models import Unit

from .models import Assertion, BadgeClass

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
MAX_BAKED_BYTES = 2 * 1024 * 1024
MAX_BAKED_PIXELS = 4_000_000


class SigningUnavailable(RuntimeError):
    """No signing key is configured (production without BADGES_SIGNING_KEY)."""


def base_url(request=None) -> str:
    """The origin of every id: BADGES_BASE_URL, or the request's own."""
    if settings.BADGES_BASE_URL:
        return settings.BADGES_BASE_URL
    if request is None:
        return "http://localhost"
    return f"{request.scheme}://{request.get_host()}"


def url(base: str, name: str, *args) -> str:
    return base + reverse(name, args=args)


def issuer_unit(badge_class: BadgeClass) -> Unit | None:
    if badge_class.issuer_unit_id:
        return badge_class.issuer_unit
    return Unit.objects.filter(depth=1).order_by("path").first()


def issuer_name(unit: Unit | None) -> str:
    if unit is None:
        return "Ban Chỉ đạo phong trào “Bình dân học vụ số”"
    return f"Ban Chỉ đạo phong trào “Bình dân học vụ số” {unit.name}"


def issuer_id(unit: Unit | None, base: str) -> str:
    return url(base, "badges:issuer", unit.pk if unit else 0)


def recipient_identity(assertion: Assertion, base: str) -> str:
    """The recipient's public badge wall: their identity, published only hashed."""
    if assertion.person_id:
        return url(base, "badges:person_wall", assertion.person_id)
    return url(base, "badges:unit_wall", assertion.unit_id)


def identity_hash(identity: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()


# --- Open Badges 2.0 ------------------------------------------------------------


def issuer_document(unit: Unit | None, base: str) -> dict:
    document = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": issuer_id(unit, base),
        "name": issuer_name(unit),
        "url": url(base, "badges:unit_wall", unit.pk) if unit else base + "/",
        "description": (
            "Ban Chỉ đạo phong trào “Bình dân học vụ số” cấp huy hiệu của nền tảng "
            "Thi Đua Số (huy hiệu của nền tảng, không phải hình thức khen thưởng "
            "của Nhà nước)."
        ),
    }
    if getattr(settings, "BADGES_ISSUER_EMAIL", ""):
        document["email"] = settings.BADGES_ISSUER_EMAIL
    return document


def criteria_narrative(badge_class: BadgeClass) -> str:
    from . import criteria

    if not badge_class.criteria:
        return "Trao thủ công, kèm lý do, bởi Hội đồng Thi đua – Khen thưởng."
    lines = []
    for index, level in enumerate(badge_class.level_names):
        texts = [
            criteria.describe(leaf, index)
            for leaf in criteria.leaves(badge_class.criteria)
        ]
        joiner = " và " if "any" not in badge_class.criteria else " hoặc "
        label = {"bronze": "Đồng", "silver": "Bạc", "gold": "Vàng"}.get(level)
        lines.append((f"{label}: " if label else "") + joiner.join(texts) + ".")
    return " ".join(lines)


def badge_class_document(badge_class: BadgeClass, base: str) -> dict:
    unit = issuer_unit(badge_class)
    page = url(base, "badges:class", badge_class.pk)
    return {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": page,
        "name": badge_class.name,
        "description": badge_class.description or badge_class.name,
        "image": url(base, "badges:class_image", badge_class.pk),
        "criteria": {"id": page, "narrative": criteria_narrative(badge_class)},
        "issuer": issuer_id(unit, base),
        "tags": ["Bình dân học vụ số", "Thi Đua Số"],
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def evidence_narrative(assertion: Assertion) -> str:
    from . import criteria

    if assertion.awarded_by_id:
        return f"Trao thủ công, lý do: {assertion.reason}"
    badge_class = assertion.badge_class
    level_index = max(badge_class.level_names.index(assertion.level), 0)
    parts = []
    for index, leaf in enumerate(criteria.leaves(badge_class.criteria)):
        value = assertion.evidence.get(f"l{index}")
        shown = "—" if value is None else f"{float(value):g}"
        parts.append(f"{criteria.describe(leaf, level_index)}: đạt {shown}")
    return "; ".join(parts) + "."


def assertion_document(assertion: Assertion, base: str) -> dict:
    page = url(base, "badges:assertion", assertion.uid)
    document = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": page,
        "recipient": {
            "type": "url",
            "hashed": True,
            "salt": assertion.salt,
            "identity": identity_hash(
                recipient_identity(assertion, base), assertion.salt
            ),
        },
        "badge": url(base, "badges:class", assertion.badge_class_id),
        "verification": {"type": "hosted"},
        "issuedOn": _iso(assertion.issued_at),
        "image": url(base, "badges:assertion_image", assertion.uid),
        "evidence": [
            {"id": page + "#evidence", "narrative": evidence_narrative(assertion)}
        ],
    }
    if assertion.level:
        label = {"bronze": "Đồng", "silver": "Bạc", "gold": "Vàng"}[assertion.level]
        document["narrative"] = f"Hạng {label}."
    if assertion.expires_at:
        document["expires"] = _iso(assertion.expires_at)
    if assertion.revoked_at:
        document["revoked"] = True
        document["revocationReason"] = assertion.revocation_reason
    return document


# --- baking -------------------------------------------------------------------------


def bake(png: bytes, key: str, text: str) -> bytes:
    """The PNG with one uncompressed iTXt chunk `key` holding `text`."""
    image = Image.open(io.BytesIO(png), formats=["PNG"])
    info = PngImagePlugin.PngInfo()
    info.add_itxt(key, text, zip=False)
    output = io.BytesIO()
    image.save(output, format="PNG", pnginfo=info, optimize=False)
    return output.getvalue()


class BakedImageError(ValueError):
    """Not a PNG we can read, or one without a badge in it."""


def unbake(data: bytes) -> dict[str, str]:
    """The badge chunks of a PNG: {"openbadges": ..., "openbadgecredential": ...}."""
    if len(data) > MAX_BAKED_BYTES:
        raise BakedImageError("too large")
    try:
        image = Image.open(io.BytesIO(data), formats=["PNG"])
        if image.width * image.height > MAX_BAKED_PIXELS:
            raise BakedImageError("too many pixels")
        image.load()
    except BakedImageError:
        raise
    except Exception as error:
        raise BakedImageError("not a PNG") from error
    text = getattr(image, "text", {}) or {}
    return {
        key: str(text[key])
        for key in ("openbadges", "openbadgecredential")
        if key in text
    }


# --- Open Badges 3.0: keys --------------------------------------------------------------


def _load_pem() -> bytes:
    if settings.BADGES_SIGNING_KEY:
        return settings.BADGES_SIGNING_KEY.replace("\\n", "\n").encode()
    if settings.BADGES_SIGNING_KEY_FILE:
        return Path(settings.BADGES_SIGNING_KEY_FILE).read_bytes()
    path = Path(settings.BADGES_DEV_KEY_FILE)
    if path.exists():
        return path.read_bytes()
    if not (settings.DEBUG or settings.DEMO):
        raise SigningUnavailable("BADGES_SIGNING_KEY is not set")
    # A development key, made once and kept out of git (var/ is ignored).
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(pem)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return path.read_bytes()


_keys: dict[bytes, tuple] = {}


def signing_key():
    """(private key, public JWK without kid, thumbprint), read once per process."""
    pem = _load_pem()
    if pem not in _keys:
        private = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(private, rsa.RSAPrivateKey) or private.key_size < 2048:
            raise SigningUnavailable(
                "BADGES_SIGNING_KEY must be an RSA key of 2048 bits or more"
            )
        public = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
        members = {"e": public["e"], "kty": "RSA", "n": public["n"]}
        digest = hashlib.sha256(
            json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
        ).digest()
        thumbprint = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        _keys[pem] = (private, members, thumbprint)
    return _keys[pem]


def key_url(base: str) -> str:
    _private, _jwk, thumbprint = signing_key()
    return url(base, "badges:key", thumbprint)


def public_jwk(thumbprint: str) -> dict | None:
    _private, members, current = signing_key()
    if thumbprint != current:
        return None
    return {**members, "kid": current, "alg": "RS256", "use": "sig"}


# --- Open Badges 3.0: the credential ------------------------------------------------------


def status_list_url(unit: Unit | None, base: str) -> str:
    return url(base, "badges:revocations", unit.pk if unit else 0)


def credential(assertion: Assertion, base: str) -> dict:
    badge_class = assertion.badge_class
    unit = issuer_unit(badge_class)
    page = url(base, "badges:assertion", assertion.uid)
    class_page = url(base, "badges:class", badge_class.pk)
    name = badge_class.name
    if assertion.level:
        name += (
            " — hạng "
            + {"bronze": "Đồng", "silver": "Bạc", "gold": "Vàng"}[assertion.level]
        )
    document = {
        "@context": [VC_CONTEXT, OB3_CONTEXT],
        "id": page,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer_id(unit, base),
            "type": ["Profile"],
            "name": issuer_name(unit),
            "url": url(base, "badges:unit_wall", unit.pk) if unit else base + "/",
        },
        "validFrom": _iso(assertion.issued_at),
        "name": name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(
                        recipient_identity(assertion, base), assertion.salt
                    ),
                    "identityType": "identifier",
                    "hashed": True,
                    "salt": assertion.salt,
                }
            ],
            "achievement": {
                "id": class_page,
                "type": ["Achievement"],
                "name": badge_class.name,
                "description": badge_class.description or badge_class.name,
                "criteria": {
                    "id": class_page,
                    "narrative": criteria_narrative(badge_class),
                },
                "image": {
                    "id": url(base, "badges:class_image", badge_class.pk),
                    "type": "Image",
                },
                "inLanguage": "vi",
            },
        },
        "evidence": [
            {
                "id": page + "#evidence",
                "type": ["Evidence"],
                "narrative": evidence_narrative(assertion),
            }
        ],
        "credentialStatus": {
            "id": status_list_url(unit, base),
            "type": "1EdTechRevocationList",
        },
    }
    if assertion.expires_at:
        document["validUntil"] = _iso(assertion.expires_at)
    return document


def sign(assertion: Assertion, base: str) -> str:
    """The credential as a compact JWS: header alg/kid/typ, the credential and the
    JWT claims iss, jti, nbf (and exp when it expires)."""
    private, _jwk, _thumbprint = signing_key()
    payload = credential(assertion, base)
    payload.update(
        {
            "iss": payload["issuer"]["id"],
            "jti": payload["id"],
            "nbf": int(assertion.issued_at.timestamp()),
        }
    )
    if assertion.expires_at:
        payload["exp"] = int(assertion.expires_at.timestamp())
    return jwt.encode(
        payload,
        private,
        algorithm="RS256",
        headers={"kid": key_url(base), "typ": "JWT"},
    )


def revocation_list(unit: Unit | None, base: str) -> dict:
    """The 1EdTech revocation list of an issuer: every revoked credential's id."""
    classes = BadgeClass.objects.all()
    if unit is not None and unit.depth > 1:
        classes = classes.filter(issuer_unit=unit)
    elif unit is not None:
        classes = classes.filter(issuer_unit__isnull=True) | classes.filter(
            issuer_unit=unit
        )
    revoked = (
        Assertion.objects.filter(badge_class__in=classes, revoked_at__isnull=False)
        .order_by("revoked_at", "pk")
        .values_list("uid", "revocation_reason")
    )
    return {
        "id": status_list_url(unit, base),
        "issuer": issuer_id(unit, base),
        "revokedCredentials": [
            {
                "id": url(base, "badges:assertion", uid),
                "revoked": True,
                "revocationReason": reason,
            }
            for uid, reason in revoked
        ],
    }


# --- our own verifier (the "verify" page) ---------------------------------------------------


@dataclass
class Verdict:
    valid: bool
    assertion: Assertion | None = None
    problems: list[str] = field(default_factory=list)
    version: str = ""


def _assertion_for(identifier: str, base: str) -> Assertion | None:
    prefix = url(base, "badges:assertion", "00000000-0000-0000-0000-000000000000")
    prefix = prefix.removesuffix("00000000-0000-0000-0000-000000000000/")
    if not identifier.startswith(prefix):
        return None
    uid = identifier.removeprefix(prefix).strip("/").split("/")[0]
    try:
        return Assertion.objects.select_related("badge_class").get(uid=uid)
    except (Assertion.DoesNotExist, ValueError, Exception):
        return None


def verify_assertion_json(text: str, base: str) -> Verdict:
    """A 2.0 assertion found in a PNG: genuine only if the hosted copy says the same."""
    from django.utils.translation import gettext as _

    try:
        embedded = json.loads(text)
    except ValueError:
        return Verdict(
            False,
            problems=[_("The badge data in the image is damaged.")],
            version="2.0",
        )
    if isinstance(embedded, str):  # a baked URL rather than the JSON
        embedded = {"id": embedded}
    if not isinstance(embedded, dict):
        return Verdict(
            False,
            problems=[_("The badge data in the image is damaged.")],
            version="2.0",
        )
    assertion = _assertion_for(str(embedded.get("id", "")), base)
    if assertion is None:
        return Verdict(
            False, problems=[_("This badge was not issued here.")], version="2.0"
        )
    hosted = assertion_document(assertion, base)
    verdict = Verdict(True, assertion=assertion, version="2.0")
    if set(embedded) != {"id"} and {
        k: v for k, v in embedded.items() if k not in ("revoked", "revocationReason")
    } != {k: v for k, v in hosted.items() if k not in ("revoked", "revocationReason")}:
        verdict.problems.append(
            _("The image was altered: its badge data differs from the issued badge.")
        )
    _check_state(assertion, verdict)
    verdict.valid = not verdict.problems
    return verdict


def verify_credential(token: str, base: str) -> Verdict:
    """A 3.0 credential: our signature, its dates, and the revocation list."""
    from django.utils.translation import gettext as _

    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return Verdict(
            False, problems=[_("This is not a signed badge credential.")], version="3.0"
        )
    if header.get("alg") != "RS256" or header.get("kid") != key_url(base):
        return Verdict(
            False,
            problems=[_("The credential was not signed with this issuer's key.")],
            version="3.0",
        )
    private, _jwk, _thumbprint = signing_key()
    try:
        payload = jwt.decode(
            token,
            private.public_key(),
            algorithms=["RS256"],
            options={"verify_exp": False},
        )
    except jwt.PyJWTError:
        return Verdict(
            False,
            problems=[
                _(
                    "The signature does not match: the credential was altered or signed by another key."
                )
            ],
            version="3.0",
        )
    assertion = _assertion_for(str(payload.get("id", "")), base)
    if assertion is None:
        return Verdict(
            False, problems=[_("This badge was not issued here.")], version="3.0"
        )
    verdict = Verdict(True, assertion=assertion, version="3.0")
    if payload.get("exp") and payload["exp"] < timezone.now().timestamp():
        verdict.problems.append(_("This badge has expired."))
    _check_state(assertion, verdict, check_expiry=not payload.get("exp"))
    verdict.valid = not verdict.problems
    return verdict


def _check_state(
    assertion: Assertion, verdict: Verdict, check_expiry: bool = True
) -> None:
    from django.utils.translation import gettext as _

    if assertion.revoked_at:
        verdict.problems.append(
            _("This badge was revoked: %(reason)s")
            % {"reason": assertion.revocation_reason}
        )
    if check_expiry and assertion.expires_at and assertion.expires_at < timezone.now():
        verdict.problems.append(_("This badge has expired."))
