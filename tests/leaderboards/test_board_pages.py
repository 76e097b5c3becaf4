"""Public board pages and the JSON API, read without signing in."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from competitions import ledger
from competitions.models import ActivityType
from leaderboards import projector
from leaderboards.boards import Board
from tests.competitions.conftest import a_credit, credit_one
from units.models import Person, Unit
from units.services import add_member

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scored(sql_store, tree, officer, citizen, outsider, competition, community_class):
    """Ledger entries straight in (as an approval writes them), then projected."""
    now = timezone.now()
    rows = [
        (officer.person, tree["ho_lien"], 70),
        (citizen.person, tree["ho_lien"], 40),
        (outsider.person, tree["cay"], 40),
    ]
    for n, (person, unit, points) in enumerate(rows):
        credit_one(
            a_credit(
                competition,
                community_class,
                unit,
                person=person,
                points=points,
                key=f"test:{n}",
                occurred_at=now,
            )
        )
    projector.catch_up()
    return competition


def _member(unit, name):
    person = Person.objects.create(display_name=name, target_group="citizen")
    add_member(person=person, unit=unit)
    return person


def board(competition, tree, entity="people", scope="province", **kwargs):
    return Board(competition.pk, tree[scope].pk, entity, **kwargs)


class TestBoardPage:
    def test_the_board_list_links_the_running_competitions_boards(
        self, client, scored, tree
    ):
        html = client.get("/leaderboards/").content.decode()

        assert board(scored, tree).name in html
        assert board(scored, tree, "village").name in html

    def test_shows_ranked_rows_without_javascript(self, client, scored, tree):
        response = client.get(f"/leaderboards/{board(scored, tree).name}/")

        html = response.content.decode()
        assert response.status_code == 200
        assert html.index("Vũ Thị Lan") < html.index("Nguyễn Văn An")
        ranks = [row.rank for row in response.context["rows"]]
        assert ranks == [1, 2, 2]  # a tie shares its rank

    def test_anonymous_people_appear_as_an_dan_h(self, client, scored, tree, citizen):
        Person.objects.filter(pk=citizen.person.pk).update(appears_anonymously=True)

        html = client.get(f"/leaderboards/{board(scored, tree).name}/").content.decode()

        assert "Ẩn danh" in html and "Nguyễn Văn An" not in html

    def test_anonymous_people_are_anonymous_in_the_api_and_search_too(
        self, client, scored, tree, citizen
    ):
        Person.objects.filter(pk=citizen.person.pk).update(appears_anonymously=True)
        name = board(scored, tree).name

        api = client.get(f"/api/v1/leaderboards/{name}/").content.decode()
        found = client.get(f"/leaderboards/{name}/", {"q": "Văn An"}).context["found"]

        assert "Ẩn danh" in api and "Nguyễn Văn An" not in api
        assert found == []

    def test_search_finds_a_name(self, client, scored, tree):
        response = client.get(
            f"/leaderboards/{board(scored, tree).name}/", {"q": "Văn An"}
        )

        assert [row.name for row in response.context["found"]] == ["Nguyễn Văn An"]

    def test_link_previews_may_ask_with_head(self, client, scored, tree):
        assert (
            client.head(f"/leaderboards/{board(scored, tree).name}/").status_code == 200
        )
        assert client.head("/leaderboards/").status_code == 200

    def test_a_nul_in_the_search_is_ignored(self, client, scored, tree):
        response = client.get(
            f"/leaderboards/{board(scored, tree).name}/", {"q": "Văn\x00 An"}
        )

        assert response.status_code == 200

    @pytest.mark.parametrize("path", ["/leaderboards/", "board"])
    def test_anonymous_pages_may_be_cached_by_a_proxy(self, client, scored, tree, path):
        url = f"/leaderboards/{board(scored, tree).name}/" if path == "board" else path

        response = client.get(url)

        assert "public" in response["Cache-Control"]
        # Nothing personal: no cookie set, and the language cookie tells pages apart.
        assert not response.cookies
        assert "Cookie" in response["Vary"]
        assert "Accept-Language" not in response["Vary"]

    @pytest.mark.parametrize("path", ["/leaderboards/", "board"])
    def test_a_signed_in_visitors_page_is_for_their_browser_only(
        self, client, scored, tree, citizen, path
    ):
        client.force_login(citizen)
        url = f"/leaderboards/{board(scored, tree).name}/" if path == "board" else path

        response = client.get(url)

        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]

    def test_a_signed_in_person_sees_around_them(self, client, scored, tree, citizen):
        client.force_login(citizen)

        response = client.get(f"/leaderboards/{board(scored, tree).name}/")

        assert citizen.person.pk in [row.member for row in response.context["mine"]]

    def test_someone_far_below_the_top_finds_their_rank_on_the_page(
        self, client, scored, tree, citizen, community_class
    ):
        now = timezone.now()
        with transaction.atomic():
            ledger.credit_many(
                credits=[
                    a_credit(
                        scored,
                        community_class,
                        tree["cay"],
                        person=_member(tree["cay"], f"Người Dẫn Đầu {n}"),
                        points=100 + n,
                        key=f"ahead:{n}",
                        occurred_at=now,
                    )
                    for n in range(60)
                ],
                by=None,
                at=now,
            )
        projector.catch_up()
        client.force_login(citizen)

        html = client.get(f"/leaderboards/{board(scored, tree).name}/").content.decode()

        top, _sep, mine = html.partition("Vị trí của tôi")
        assert citizen.person.display_name not in top
        assert citizen.person.display_name in mine
        assert ">62<" in mine  # 60 ahead, then the officer, then the citizen

    def test_a_signed_in_person_sees_their_village_on_a_village_board(
        self, client, scored, tree, citizen
    ):
        client.force_login(citizen)

        response = client.get(f"/leaderboards/{board(scored, tree, 'village').name}/")

        assert [row.member for row in response.context["mine"]][0] == tree["ho_lien"].pk

    @pytest.mark.parametrize("measure", ["per_member", "kpi"])
    def test_unit_boards_offer_fair_measures(self, client, scored, tree, measure):
        response = client.get(
            f"/leaderboards/{board(scored, tree, 'village', measure=measure).name}/"
        )

        assert response.status_code == 200
        assert {row.member for row in response.context["rows"]} >= {
            tree["ho_lien"].pk,
            tree["cay"].pk,
        }

    @pytest.mark.parametrize("measure", ["per_member", "kpi"])
    def test_fair_measures_leave_out_villages_of_a_deactivated_commune(
        self, client, scored, tree, measure
    ):
        Unit.objects.filter(pk=tree["ke_sat"].pk).update(is_active=False)

        response = client.get(
            f"/leaderboards/{board(scored, tree, 'village', measure=measure).name}/"
        )

        assert {row.member for row in response.context["rows"]} == {tree["cay"].pk}

    def test_the_board_of_a_village_under_a_deactivated_commune_is_unknown(
        self, client, scored, tree
    ):
        Unit.objects.filter(pk=tree["ke_sat"].pk).update(is_active=False)

        response = client.get(
            f"/leaderboards/{board(scored, tree, scope='ho_lien').name}/"
        )

        assert response.status_code == 404

    def test_points_per_member_divides_by_the_members(self, client, scored, tree):
        response = client.get(
            f"/leaderboards/{board(scored, tree, 'village', measure='per_member').name}/"
        )

        values = {row.member: row.value for row in response.context["rows"]}
        assert values[tree["ho_lien"].pk] == 55.0  # 110 points, 2 members
        assert values[tree["cay"].pk] == 40.0

    def test_target_reached_counts_people_trained_in_the_period(
        self, client, scored, tree, officer, citizen, outsider
    ):
        Unit.objects.filter(pk__in=[tree["ho_lien"].pk, tree["cay"].pk]).update(
            adult_residents=10, students=0, public_servants=0, enterprise_workers=0
        )
        trained = ActivityType.objects.get(code="training-completed")
        now = timezone.now()
        dropped = _member(tree["ho_lien"], "Người Bị Thu Hồi")

        def complete(person, unit, *, points=10, days_ago=0, capped=False):
            return credit_one(
                a_credit(
                    scored,
                    trained,
                    unit,
                    person=person,
                    points=points,
                    key=f"kpi:{person.pk}",
                    occurred_at=now - timedelta(days=days_ago),
                    capped=capped,
                )
            )

        complete(citizen.person, tree["ho_lien"])
        # Credited at zero because a cap was reached: still a person trained.
        complete(officer.person, tree["ho_lien"], points=0, capped=True)
        with transaction.atomic():
            ledger.reverse(
                entry=complete(dropped, tree["ho_lien"]), reason="sai", by=None, at=now
            )
        complete(outsider.person, tree["cay"], days_ago=40)
        projector.catch_up()

        def kpi(period):
            name = board(scored, tree, "village", period=period, measure="kpi").name
            rows = client.get(f"/leaderboards/{name}/").context["rows"]
            return {row.member: row.value for row in rows}

        assert kpi("week")[tree["ho_lien"].pk] == 20.0  # 2 of 10 adults
        assert kpi("week")[tree["cay"].pk] == 0
        assert kpi("all")[tree["cay"].pk] == 10.0

    @pytest.mark.parametrize(
        "name",
        [
            "1-2-3",
            "x-1-people-week-points",
            "1-1-planet-week-points",
            "1-1-people-year-points",
            "1-1-people-week-kpi",
            "999-1-people-week-points",
            "²-1-people-week-points",
            "1-١-people-week-points",
        ],
    )
    def test_unknown_boards_are_404(self, client, scored, name):
        assert client.get(f"/leaderboards/{name}/").status_code == 404
        assert client.get(f"/api/v1/leaderboards/{name}/").status_code == 404

    def test_a_board_page_weighs_under_100_kb(self, client, scored, tree):
        html = client.get(f"/leaderboards/{board(scored, tree).name}/").content
        assets = sum(
            (ROOT / "static" / path).stat().st_size
            for path in ("css/site.css", "js/board.js")
        )

        assert len(html) + assets < 100 * 1024

    def test_the_page_costs_a_fixed_number_of_queries(
        self, client, scored, tree, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(8):
            client.get(f"/leaderboards/{board(scored, tree).name}/")


class TestApi:
    def test_lists_the_boards(self, client, scored, tree):
        body = client.get("/api/v1/leaderboards/").json()

        assert any(item["board"] == board(scored, tree).name for item in body["boards"])

    def test_returns_ranked_rows_with_paging(self, client, scored, tree):
        body = client.get(
            f"/api/v1/leaderboards/{board(scored, tree).name}/", {"limit": 2}
        ).json()

        assert [row["rank"] for row in body["rows"]] == [1, 2]
        assert body["count"] == 3 and body["next"].endswith("limit=2&offset=2")
        assert set(body["rows"][0]) == {"rank", "key", "name", "unit", "value"}

    def test_around_an_entity(self, client, scored, tree, outsider):
        body = client.get(
            f"/api/v1/leaderboards/{board(scored, tree).name}/",
            {"around": f"p{outsider.person.pk}"},
        ).json()

        assert f"p{outsider.person.pk}" in [row["key"] for row in body["rows"]]

    def test_answers_304_to_a_matching_etag(self, client, scored, tree):
        url = f"/api/v1/leaderboards/{board(scored, tree).name}/"
        first = client.get(url)

        second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

        assert "max-age" in first["Cache-Control"]
        assert second.status_code == 304

    @pytest.mark.parametrize(
        "params",
        [
            {"limit": "0"},
            {"limit": "201"},
            {"limit": "abc"},
            {"offset": "-1"},
            {"around": "x1"},
            {"around": "p"},
            {"around": "u12"},
            {"around": "p" + "9" * 30},
            {"around": "p²"},
            {"around": "p-1"},
        ],
    )
    def test_bad_parameters_are_400_with_a_reason(self, client, scored, tree, params):
        response = client.get(
            f"/api/v1/leaderboards/{board(scored, tree).name}/", params
        )

        assert response.status_code == 400
        assert response.json()["error"] == "bad_parameter"
        assert response.json()["message"]

    def test_an_unknown_board_is_404_json(self, client, scored):
        response = client.get("/api/v1/leaderboards/1-1-nothing-week-points/")

        assert (
            response.status_code == 404 and response.json()["error"] == "unknown_board"
        )
        assert response.json()["message"] == "Không có bảng xếp hạng này."

    def test_rows_carry_no_private_data(self, client, scored, tree):
        text = client.get(
            f"/api/v1/leaderboards/{board(scored, tree).name}/"
        ).content.decode()

        for private in (
            "has_disability",
            "is_ethnic_minority",
            "birth_year",
            "email",
            "@example.vn",
        ):
            assert private not in text


class TestOverviewApi:
    def test_gives_top_people_top_units_and_my_standing_at_once(
        self, client, scored, tree, outsider
    ):
        body = client.get(
            f"/api/v1/overview/{scored.pk}-{tree['province'].pk}/",
            {"units": "village", "me": f"p{outsider.person.pk}", "limit": 5},
        ).json()

        assert [row["rank"] for row in body["people"]] == [1, 2, 2]
        assert body["units"][0]["key"] == f"u{tree['ho_lien'].pk}"
        assert body["me"] == {"points": 40, "rank": 2}

    @pytest.mark.parametrize(
        "params,status",
        [
            ({"me": "u1"}, 400),
            ({"me": "p"}, 400),
            ({"limit": "0"}, 400),
            ({"units": "planet"}, 404),
        ],
    )
    def test_bad_parameters(self, client, scored, tree, params, status):
        response = client.get(
            f"/api/v1/overview/{scored.pk}-{tree['province'].pk}/", params
        )

        assert response.status_code == status
