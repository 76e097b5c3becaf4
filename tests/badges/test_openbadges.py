"""Open Badges 3.0 checked with tools we did not write the signing with: joserfc
(the signing code uses PyJWT) fetching the key by its kid, and jsonschema against
1EdTech's schema. Tampered, foreign-key, expired and revoked badges are invalid."""

import io
import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone
from joserfc import jwt as jose_jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError
from joserfc.jwk import RSAKey
from PIL import Image, PngImagePlugin

from badges import openbadges, services
from badges.models import Assertion
from tests.badges.conftest import complete
from tests.competitions.conftest import TEST_ORIGIN

pytestmark = pytest.mark.django_db
SCHEMA = json.loads(
    (
        Path(openbadges.__file__).parent / "schemas/achievementcredential.schema.json"
    ).read_text()
)
JWT_CLAIMS = {"iss", "jti", "sub", "nbf", "exp", "iat"}


@pytest.fixture
def awarded(mentor, mentees, course):
    for mentee in mentees[:5]:
        complete(mentee, course)
    return Assertion.objects.get(badge_slug="dai-su-so")


def fetch_key(client, kid: str) -> RSAKey:
    """Dereference the kid URL as any verifier would."""
    path = kid.removeprefix("http://testserver")
    response = client.get(path)
    assert response.status_code == 200, kid
    jwk = response.json()
    assert "d" not in jwk  # never the private part
    return RSAKey.import_key(jwk)


def verify_with_joserfc(client, token: str):
    header = json.loads(
        __import__("base64").urlsafe_b64decode(token.split(".")[0] + "==").decode()
    )
    key = fetch_key(client, header["kid"])
    decoded = jose_jwt.decode(token, key, algorithms=["RS256"])
    jose_jwt.JWTClaimsRegistry(exp={"essential": False}).validate(decoded.claims)
    return decoded


def revoked_ids(client, credential: dict) -> set[str]:
    status = credential["credentialStatus"]
    assert status["type"] == "1EdTechRevocationList"
    listing = client.get(status["id"].removeprefix("http://testserver")).json()
    return {entry["id"] for entry in listing["revokedCredentials"]}


class TestSignedCredential:
    def test_a_jose_library_verifies_it_with_the_key_named_by_its_kid(
        self, client, awarded
    ):
        token = client.get(
            f"/badges/assertions/{awarded.uid}/credential.jwt"
        ).content.decode()

        decoded = verify_with_joserfc(client, token)

        assert decoded.header == {
            "alg": "RS256",
            "typ": "JWT",
            "kid": decoded.header["kid"],
        }
        assert decoded.header["kid"].startswith("http://testserver/badges/keys/")
        claims = decoded.claims
        assert claims["iss"] == claims["issuer"]["id"]
        assert (
            claims["jti"]
            == claims["id"]
            == f"http://testserver/badges/assertions/{awarded.uid}/"
        )
        assert claims["nbf"] == int(awarded.issued_at.timestamp())
        assert claims["id"] not in revoked_ids(client, claims)

    def test_the_credential_validates_against_the_1edtech_schema(self, client, awarded):
        token = client.get(
            f"/badges/assertions/{awarded.uid}/credential.jwt"
        ).content.decode()
        claims = verify_with_joserfc(client, token).claims

        credential = {k: v for k, v in claims.items() if k not in JWT_CLAIMS}
        jsonschema.Draft201909Validator(SCHEMA).validate(credential)
        assert "OpenBadgeCredential" in credential["type"]

    def test_the_baked_png_carries_the_same_credential(self, client, awarded):
        response = client.get(f"/badges/assertions/{awarded.uid}/credential.png")

        token = Image.open(io.BytesIO(response.content)).text["openbadgecredential"]
        assert (
            verify_with_joserfc(client, token).claims["id"].endswith(f"{awarded.uid}/")
        )

    def test_a_credential_signed_by_another_key_fails(self, client, awarded):
        import jwt as pyjwt

        token = client.get(
            f"/badges/assertions/{awarded.uid}/credential.jwt"
        ).content.decode()
        header = pyjwt.get_unverified_header(token)
        claims = pyjwt.decode(token, options={"verify_signature": False})
        forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = pyjwt.encode(
            claims, forger, algorithm="RS256", headers={"kid": header["kid"]}
        )

        with pytest.raises(BadSignatureError):
            verify_with_joserfc(client, forged)
        response = client.post("/badges/verify/", {"credential": forged})
        assert response.status_code == 422
        assert "Chữ ký không khớp" in response.content.decode()

    def test_an_expired_credential_fails(self, client, awarded):
        Assertion.objects.filter(pk=awarded.pk).update(
            issued_at=timezone.now() - timedelta(days=40),
            expires_at=timezone.now() - timedelta(days=10),
        )

        token = client.get(
            f"/badges/assertions/{awarded.uid}/credential.jwt"
        ).content.decode()

        with pytest.raises(ExpiredTokenError):
            verify_with_joserfc(client, token)
        response = client.post("/badges/verify/", {"credential": token})
        assert "Huy hiệu này đã hết hạn" in response.content.decode()

    def test_a_revoked_credential_is_on_the_revocation_list_it_names(
        self, client, awarded, administrator
    ):
        token = client.get(
            f"/badges/assertions/{awarded.uid}/credential.jwt"
        ).content.decode()
        services.revoke_assertion(
            assertion=awarded,
            reason="Khai man",
            by=administrator,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )

        claims = verify_with_joserfc(client, token).claims  # the signature still holds

        assert claims["id"] in revoked_ids(client, claims)
        response = client.post("/badges/verify/", {"credential": token})
        assert response.status_code == 422
        assert "đã bị thu hồi: Khai man" in response.content.decode()

    def test_an_unknown_key_id_is_a_404(self, client, db):
        assert client.get(f"/badges/keys/{'A' * 43}/").status_code == 404


class TestBakedImagesOnTheVerifyPage:
    def test_a_genuine_image_is_valid(self, client, awarded):
        png = client.get(f"/badges/assertions/{awarded.uid}/image.png").content

        response = client.post("/badges/verify/", {"image": _upload(png)})

        assert response.status_code == 200
        assert "Huy hiệu thật" in response.content.decode()

    def test_a_tampered_image_is_reported_altered(self, client, awarded, tree):
        png = client.get(f"/badges/assertions/{awarded.uid}/image.png").content
        image = Image.open(io.BytesIO(png))
        document = json.loads(image.text["openbadges"])
        document["issuedOn"] = "2020-01-01T00:00:00Z"
        info = PngImagePlugin.PngInfo()
        info.add_itxt("openbadges", json.dumps(document))
        output = io.BytesIO()
        image.save(output, format="PNG", pnginfo=info)

        response = client.post("/badges/verify/", {"image": _upload(output.getvalue())})

        assert response.status_code == 422
        assert "Ảnh đã bị sửa" in response.content.decode()

    def test_a_damaged_chunk_and_a_file_that_is_no_png_are_refused_in_vietnamese(
        self, client, awarded
    ):
        image = Image.new("RGB", (50, 50))
        info = PngImagePlugin.PngInfo()
        info.add_itxt("openbadges", "{không phải json")
        output = io.BytesIO()
        image.save(output, format="PNG", pnginfo=info)

        damaged = client.post("/badges/verify/", {"image": _upload(output.getvalue())})
        not_png = client.post(
            "/badges/verify/", {"image": _upload(b"GIF89a" + b"0" * 50)}
        )

        assert damaged.status_code == 422
        assert "đã bị hỏng" in damaged.content.decode()
        assert not_png.status_code == 400
        assert "không phải ảnh PNG" in not_png.content.decode()

    def test_the_baked_png_of_a_revoked_badge_is_invalid(
        self, client, awarded, administrator
    ):
        png = client.get(f"/badges/assertions/{awarded.uid}/image.png").content
        services.revoke_assertion(
            assertion=awarded,
            reason="Khai man",
            by=administrator,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )

        response = client.post("/badges/verify/", {"image": _upload(png)})

        assert response.status_code == 422
        assert "đã bị thu hồi" in response.content.decode()


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("huy-hieu.png", data, content_type="image/png")
