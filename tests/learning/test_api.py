"""The completion push API, its tokens, and the OpenAPI document."""

import json
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from openapi_spec_validator import validate

from competitions.models import PointEntry
from learning import integrations
from learning.models import Completion, Integration
from tests.asgi import Exchange
from units.audit import COMMAND
from units.models import AuditEvent

from .conftest import make_person

pytestmark = pytest.mark.django_db
URL = "/api/v1/completions/"


@pytest.fixture
def token(tree, administrator):
    _integration, token = integrations.create_integration(
        name="Nền tảng học tập",
        unit=tree["ke_sat"],
        by=administrator,
        at=timezone.now(),
        origin=COMMAND,
    )
    return token


def _item(**fields):
    return {
        "external_id": "r1",
        "full_name": "Nguyễn Văn Bình",
        "birth_date": "1984-05-17",
        "unit_code": "10972",
        "course_key": "course-v1:MOET+KNS-ND+2026-1",
        "completed_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "certificate_number": "BDHVS-1",
        **fields,
    }


def _push(client, token, items, **extra):
    return client.post(
        URL,
        data=json.dumps({"completions": items}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **extra,
    )


class TestPush:
    def test_a_pushed_completion_is_recorded_and_credited_once(
        self, client, token, tree, course, learning_competition
    ):
        learner = make_person(tree["ho_lien"], "Nguyễn Văn Bình")
        learner.birth_date = timezone.datetime(1984, 5, 17).date()
        learner.save()

        first = _push(client, token, [_item(full_name="NGUYEN VAN BINH")])
        again = _push(client, token, [_item()])

        assert first.status_code == 200 and first.json()["recorded"] == 1
        assert again.json()["results"][0]["status"] == "already_recorded"
        assert Completion.objects.get().person == learner
        assert (
            PointEntry.objects.filter(person=learner).aggregate(t=Sum("points"))["t"]
            == 10
        )
        assert Integration.objects.get().last_used_at is not None

    def test_each_bad_item_gets_its_own_error_and_the_good_ones_are_recorded(
        self, client, token, tree, course, learning_competition
    ):
        items = [
            _item(),
            _item(course_key="course-v1:KHONG+CO+2026"),
            _item(unit_code="10951"),  # Bình Giang: outside the integration's commune
            _item(completed_on="2099-01-01"),
            _item(),  # the first one again
        ]

        response = _push(client, token, items)

        statuses = [r["status"] for r in response.json()["results"]]
        assert statuses == ["recorded", "error", "error", "error", "duplicate"]
        fields = [r["errors"][0]["field"] for r in response.json()["results"][1:4]]
        assert fields == ["course_key", "unit_code", "completed_on"]
        assert Completion.objects.count() == 1

    @pytest.mark.parametrize(
        "header",
        [
            "",
            "Bearer ",
            "Basic abc",
            "Bearer tds_nope_nope",
            "Bearer tds_deadbeef_forged",
        ],
    )
    def test_a_missing_or_forged_token_is_401(self, client, token, header, course):
        response = client.post(
            URL,
            data=json.dumps({"completions": [_item()]}),
            content_type="application/json",
            HTTP_AUTHORIZATION=header,
        )

        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Bearer"
        assert not Completion.objects.exists()

    def test_a_token_with_the_right_prefix_and_a_wrong_secret_is_401(
        self, client, token, course
    ):
        forged = token[: token.rindex("_") + 1] + "x" * 43

        assert _push(client, forged, [_item()]).status_code == 401

    def test_a_revoked_token_is_401_and_the_revocation_is_audited(
        self, client, token, administrator, course
    ):
        client.force_login(administrator)
        integration = Integration.objects.get()
        client.post(reverse("learning:integration_revoke", args=[integration.pk]))
        client.logout()

        assert _push(client, token, [_item()]).status_code == 401
        assert AuditEvent.objects.filter(action="integration.revoke").count() == 1

    @pytest.mark.parametrize(
        "body",
        [
            b"{not json",
            b"[]",
            json.dumps({"completions": []}).encode(),
            json.dumps({"completions": ["x"]}).encode(),
            json.dumps({"completions": [{"full_name": {"a": 1}}]}).encode(),
            "\xff".encode("latin-1"),
        ],
    )
    def test_a_malformed_body_is_400(self, client, token, body):
        response = client.post(
            URL,
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

        assert response.status_code == 400
        assert "message" in response.json()

    def test_too_many_items_is_400(self, client, token):
        response = _push(client, token, [_item()] * (integrations.MAX_ITEMS + 1))

        assert response.status_code == 400

    def test_a_body_over_a_megabyte_is_413(self, client, token):
        response = client.post(
            URL,
            data=b"{" + b" " * (1024 * 1024 + 1) + b"}",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

        assert response.status_code == 413

    def test_get_is_405(self, client, token):
        assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 405

    def test_too_many_requests_is_429(self, client, token, settings):
        for _ in range(integrations.REQUESTS_PER_MINUTE):
            _push(client, token, [])

        response = _push(client, token, [])

        assert response.status_code == 429
        assert response["Retry-After"] == "60"


class TestTokens:
    def test_the_token_is_shown_once_and_only_its_hash_is_stored(
        self, client, administrator, tree
    ):
        client.force_login(administrator)

        response = client.post(
            reverse("learning:integrations"),
            {"name": "LMS tỉnh", "unit": tree["ke_sat"].pk},
        )

        token = response.context["token"]
        integration = Integration.objects.get()
        assert token.startswith(f"tds_{integration.token_prefix}_")
        assert token not in integration.token_hash
        assert response["Cache-Control"] == "no-store"
        assert token not in client.get(reverse("learning:integrations")).text

    def test_an_officer_cannot_manage_integrations(self, client, officer):
        client.force_login(officer)

        assert client.get(reverse("learning:integrations")).status_code == 404

    def test_another_subtrees_integration_cannot_be_revoked(
        self, client, commune_admin, administrator, tree
    ):
        other, _token = integrations.create_integration(
            name="Khác",
            unit=tree["binh_giang"],
            by=administrator,
            at=timezone.now(),
            origin=COMMAND,
        )
        client.force_login(commune_admin)

        response = client.post(reverse("learning:integration_revoke", args=[other.pk]))

        assert response.status_code == 404
        other.refresh_from_db()
        assert other.revoked_at is None


class TestErrorsAreJson:
    """Under /api/ a 404 or 405 is the API's JSON, never the HTML error page."""

    @pytest.mark.parametrize(
        "path", ["/api/v1/nothing-here/", "/api/v1/completions/extra/"]
    )
    def test_an_unknown_address_is_a_json_404_built_without_the_page(
        self, client, path
    ):
        response = client.get(path)

        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"] == "not_found"
        # The HTML page (its template and the menu's queries) is not built only
        # to be replaced.
        assert response.templates == []

    def test_a_method_the_address_does_not_take_is_a_json_405(self, client, token):
        response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")

        assert response.status_code == 405
        assert response.json()["error"] == "method_not_allowed"
        assert "POST" in response["Allow"]
        assert "POST" in response.json()["message"]

    def test_outside_the_api_a_404_is_the_page(self, client, db):
        response = client.get("/no-such-page/")

        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")


class TestOpenApi:
    def test_the_document_is_valid_openapi(self, client):
        response = client.get(reverse("learning:openapi"))

        validate(response.json())

    def test_every_documented_path_resolves(self, client):
        document = client.get(reverse("learning:openapi")).json()
        examples = {
            "{board}": "1-1-village-week-points",
            "{competition}": "1",
            "{scope}": "1",
            "{uid}": "0b0f6f5e-2a55-4d3c-9a0e-1f2e3d4c5b6a",
            "{pk}": "1",
            "{thumbprint}": "A" * 43,
        }

        for template in document["paths"]:
            path = template
            for name, value in examples.items():
                path = path.replace(name, value)
            try:
                resolve(path)
            except Resolver404:
                pytest.fail(f"{template} does not resolve")

    def test_the_badge_endpoints_are_described(self, client):
        paths = client.get(reverse("learning:openapi")).json()["paths"]

        assert {
            "/api/v1/badges/recent/",
            "/badges/assertions/{uid}/",
            "/badges/assertions/{uid}/credential.jwt",
            "/badges/classes/{pk}/",
            "/badges/keys/{thumbprint}/",
        } <= set(paths)


class TestHostileBodies:
    """Bodies that were a 500 or skipped the limit: each is a 400 or 413 in the API's format."""

    def test_a_chunked_body_over_a_megabyte_is_413(self, token, tree, course):
        body = json.dumps({"completions": [_item()], "padding": "x" * (2 * 2**20)})
        chunks = [body[i : i + 65536].encode() for i in range(0, len(body), 65536)]

        exchange = Exchange(
            URL,
            chunks=chunks,
            headers=[
                (b"content-type", b"application/json"),
                (b"authorization", f"Bearer {token}".encode()),
            ],
        )

        assert exchange.status == 413
        assert json.loads(exchange.body)["error"] == "too_large"
        assert not Completion.objects.exists()

    def test_a_chunked_body_within_the_limit_is_recorded(
        self, token, tree, course, learning_competition
    ):
        body = json.dumps({"completions": [_item()]}).encode()

        exchange = Exchange(
            URL,
            chunks=[body[:40], body[40:]],
            headers=[
                (b"content-type", b"application/json"),
                (b"authorization", f"Bearer {token}".encode()),
            ],
        )

        assert exchange.status == 200
        assert json.loads(exchange.body)["recorded"] == 1

    @pytest.mark.parametrize("depth", [9, 1000, 100_000])
    def test_json_nested_deeper_than_a_push_is_400(self, client, token, depth):
        body = '{"completions": [' + "[" * depth + "]" * depth + "]}"

        response = client.post(
            URL,
            data=body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

        assert response.status_code == 400
        assert response.json()["error"] == "bad_json"
        assert "8" in response.json()["message"]

    @pytest.mark.parametrize(
        "fields",
        [
            *[{name: "Nguyễn\x00Văn"} for name in integrations.FIELDS],
            {"external_id": "r\x001"},
            {"unknown_field": "\x00"},
            {"\x00key": "x"},
            {"full_name": "\ud800"},
            {"certificate_number": "ok", "note": ["deep", {"er": "\udfff"}]},
        ],
        ids=lambda fields: f"{next(iter(fields))!r}={next(iter(fields.values()))!r}",
    )
    def test_unstorable_text_anywhere_is_400(
        self, client, token, tree, course, learning_competition, fields
    ):
        response = _push(client, token, [_item(), _item(**fields)])

        assert response.status_code == 400
        assert response.json()["error"] == "bad_request"
        assert "NUL" in response.json()["message"]
        assert not Completion.objects.exists()


class TestFailedTokens:
    """Wrong tokens are limited per client address, in the cache every worker shares."""

    def _wrong(self, client, **extra):
        return client.post(
            URL,
            data=json.dumps({"completions": [_item()]}),
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer tds_deadbeef_guessed",
            **extra,
        )

    def test_an_address_is_locked_after_ten_wrong_tokens(self, client, token, course):
        answers = [
            self._wrong(client).status_code
            for _ in range(integrations.FAILED_TOKENS_PER_WINDOW)
        ]

        locked = self._wrong(client)

        assert answers == [401] * integrations.FAILED_TOKENS_PER_WINDOW
        assert locked.status_code == 429
        assert locked.json()["error"] == "too_many_failed_tokens"
        assert "phút" in locked.json()["message"]
        assert (
            0 < int(locked["Retry-After"]) <= integrations.FAILED_TOKEN_WINDOW_SECONDS
        )

    def test_a_locked_address_is_refused_even_with_the_right_token(
        self, client, token, tree, course, learning_competition
    ):
        for _ in range(integrations.FAILED_TOKENS_PER_WINDOW):
            self._wrong(client)

        right = _push(client, token, [_item()])
        elsewhere = _push(client, token, [_item()], REMOTE_ADDR="203.0.113.9")

        # Answering the right token would tell a guesser which guess was right.
        assert right.status_code == 429
        assert elsewhere.status_code == 200
        assert Completion.objects.count() == 1

    def test_the_lock_ends_with_its_window(self, client, token, course, monkeypatch):
        for _ in range(integrations.FAILED_TOKENS_PER_WINDOW):
            self._wrong(client)
        later = timezone.now() + timedelta(
            seconds=integrations.FAILED_TOKEN_WINDOW_SECONDS
        )
        monkeypatch.setattr(timezone, "now", lambda: later)

        assert self._wrong(client).status_code == 401

    def test_behind_a_proxy_each_client_address_counts_alone(
        self, client, token, course, settings
    ):
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
        for _ in range(integrations.FAILED_TOKENS_PER_WINDOW):
            self._wrong(client, HTTP_X_FORWARDED_FOR="198.51.100.7")

        other = self._wrong(client, HTTP_X_FORWARDED_FOR="198.51.100.8")
        same = self._wrong(client, HTTP_X_FORWARDED_FOR="198.51.100.7")

        assert other.status_code == 401
        assert same.status_code == 429
