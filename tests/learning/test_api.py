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

    def test_a_nul_byte_in_a_field_is_a_row_error_not_a_500(
        self, client, token, tree, course, learning_competition
    ):
        response = _push(
            client,
            token,
            [_item(unit_code="109\x0072", full_name="Nguyễn\x00 Văn Bình")],
        )

        assert response.status_code == 200
        assert response.json()["results"][0]["status"] in ("recorded", "error")

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
        }

        for template in document["paths"]:
            path = template
            for name, value in examples.items():
                path = path.replace(name, value)
            try:
                resolve(path)
            except Resolver404:
                pytest.fail(f"{template} does not resolve")
