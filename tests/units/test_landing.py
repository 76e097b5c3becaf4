"""After signing in, each role lands on the page where its work is."""

import pytest
from django.core.cache import cache

from tests.conftest import PASSWORD, make_user
from units.landing import landing_url
from units.models import Role
from units.services import grant_role


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def signed_in_lands_at(client, username) -> str:
    response = client.post(
        "/accounts/login/", {"login": username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


class TestLanding:
    def test_an_officer_lands_on_their_unit(self, client, tree, officer):
        assert signed_in_lands_at(client, "officer") == f"/units/{tree['ho_lien'].pk}/"

    def test_a_reviewer_lands_on_the_review_queue(self, client, reviewer):
        assert signed_in_lands_at(client, "reviewer") == "/review/"

    def test_a_council_member_lands_on_their_councils_work(self, client, tree):
        make_user("hoidong", unit=tree["province"], role=Role.Kind.COUNCIL_MEMBER)

        assert signed_in_lands_at(client, "hoidong") == "/commendations/"
        # With no council or nomination yet, the page still opens and leads to
        # what their area achieved.
        page = client.get("/commendations/")
        assert page.status_code == 200
        assert "/submissions/?status=approved" in page.content.decode()

    def test_an_organiser_lands_on_the_campaigns(self, client, tree):
        make_user("doan", unit=tree["province"], role=Role.Kind.CAMPAIGN_ORGANISER)

        assert signed_in_lands_at(client, "doan") == "/campaigns/"

    def test_an_administrator_lands_on_the_unit_they_run(
        self, client, tree, commune_admin
    ):
        assert signed_in_lands_at(client, "commune_admin") == (
            f"/units/{tree['ke_sat'].pk}/"
        )

    def test_someone_without_a_role_lands_on_their_own_page(self, client, citizen):
        assert signed_in_lands_at(client, "citizen") == "/me/"

    def test_an_address_asked_for_wins(self, client, officer):
        response = client.post(
            "/accounts/login/?next=/learning/",
            {"login": "officer", "password": PASSWORD, "next": "/learning/"},
        )

        assert response["Location"] == "/learning/"

    def test_the_work_waiting_decides_between_two_roles(self, tree, officer):
        grant_role(user=officer, unit=tree["ke_sat"], kind=Role.Kind.REVIEWER)

        assert landing_url(officer) == "/review/"

    def test_a_role_on_a_deactivated_unit_does_not_count(self, tree, officer):
        tree["ho_lien"].is_active = False
        tree["ho_lien"].save()

        assert landing_url(officer) == "/me/"
