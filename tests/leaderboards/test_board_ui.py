"""The board page as people see it: podium, change arrows, progress, "you are here",
sharing and the poster; complete without JavaScript, whatever is typed."""

import re

import pytest
from django.utils import timezone

from leaderboards import projector, selectors, snapshots
from leaderboards.boards import Board, Increment
from tests.competitions.conftest import a_credit, credit_one
from units.services import create_unit


@pytest.fixture(autouse=True)
def _fresh():
    selectors.forget_cached()
    snapshots.forget()
    yield
    selectors.forget_cached()
    snapshots.forget()


@pytest.fixture
def scored(sql_store, tree, officer, citizen, outsider, competition, community_class):
    now = timezone.now()
    for n, (person, unit, points) in enumerate(
        [
            (officer.person, tree["ho_lien"], 70),
            (citizen.person, tree["ho_lien"], 40),
            (outsider.person, tree["cay"], 40),
        ]
    ):
        credit_one(
            a_credit(
                competition,
                community_class,
                unit,
                person=person,
                points=points,
                key=f"ui:{n}",
                occurred_at=now,
            )
        )
    projector.catch_up()
    return competition


def page(client, board, **params):
    return client.get(f"/leaderboards/{board.name}/", params)


def people(competition, tree, **kwargs):
    return Board(competition.pk, tree["province"].pk, "people", **kwargs)


def villages(competition, tree, **kwargs):
    return Board(competition.pk, tree["province"].pk, "village", **kwargs)


class TestPodium:
    def test_the_top_three_stand_on_a_podium_in_rank_order(self, client, scored, tree):
        html = page(client, people(scored, tree)).content.decode()

        podium = html[html.index('<ol class="podium"') : html.index("</ol>")]
        names = re.findall(r'<span class="podium-name">([^<]+)</span>', podium)
        assert names == ["Vũ Thị Lan", "Nguyễn Văn An", "Outsider"]
        assert 'class="place-1"' in podium and "70" in podium

    def test_an_empty_board_has_no_podium_and_says_what_will_come(
        self, client, sql_store, tree, competition
    ):
        html = page(client, people(competition, tree)).content.decode()

        assert 'class="podium"' not in html
        assert "Thành tích đầu tiên được duyệt sẽ hiện ở đây" in html


class TestChangeSinceYesterday:
    def test_rows_show_places_moved_once_ranks_were_kept(
        self, client, sql_store, scored, tree
    ):
        board = villages(scored, tree)
        snapshots.take_if_due()
        sql_store.apply(
            [Increment(board.storage_key(timezone.localdate()), tree["cay"].pk, 100)]
        )
        selectors.forget_cached()

        html = page(client, board).content.decode()

        assert "Lên 1 bậc so với hôm qua" in html
        assert "Xuống 1 bậc so với hôm qua" in html
        assert "no-change" not in html

    def test_without_kept_ranks_there_is_no_change_column(self, client, scored, tree):
        html = page(client, villages(scored, tree)).content.decode()

        assert 'class="ranking no-change"' in html
        assert (
            "so với hôm qua"
            not in html.split('id="live-board"')[1].split("</table>")[0]
        )


class TestTargetReached:
    def test_each_row_has_a_bar_and_its_percentage_in_words(self, client, scored, tree):
        html = page(client, villages(scored, tree, measure="kpi")).content.decode()

        assert '<progress class="row-progress" max="100"' in html
        assert re.search(r'<span class="value">[\d.,]+(\s|&nbsp;)?%</span>', html)


class TestYouAreHere:
    def test_a_signed_in_person_is_pinned_with_their_rank(
        self, client, scored, tree, citizen
    ):
        client.force_login(citizen)

        response = page(client, people(scored, tree))

        html = response.content.decode()
        assert response.context["mine_row"].rank == 2
        pinned = html[html.index('id="you-are-here"') :]
        assert 'class="you-rank">2<' in pinned and 'href="#around-me"' in pinned

    def test_a_visitor_has_no_pin(self, client, scored, tree):
        assert (
            'id="you-are-here"'
            not in page(client, people(scored, tree)).content.decode()
        )


class TestShareAndPoster:
    def test_share_buttons_wait_for_the_script_and_the_poster_works_without(
        self, client, scored, tree
    ):
        board = people(scored, tree)

        html = page(client, board).content.decode()

        assert 'id="share-native" hidden' in html and 'id="share-copy" hidden' in html
        assert f'href="/leaderboards/{board.name}/poster/"' in html
        assert f'value="http://testserver/leaderboards/{board.name}/"' in html

    def test_the_poster_has_the_top_ten_and_a_qr_code_of_the_board(
        self, client, scored, tree
    ):
        board = people(scored, tree)

        response = client.get(f"/leaderboards/{board.name}/poster/")

        html = response.content.decode()
        assert response.status_code == 200
        assert "<svg" in html and 'class="segno"' in html
        assert f"http://testserver/leaderboards/{board.name}/" in html
        assert "Vũ Thị Lan" in html
        assert "public" in response["Cache-Control"]

    def test_the_poster_of_an_unknown_board_is_404(self, client, sql_store, tree):
        assert (
            client.get("/leaderboards/9-9-people-week-points/poster/").status_code
            == 404
        )


class TestWithoutJavaScript:
    def test_the_live_line_is_hidden_until_the_socket_says_it_is_live(
        self, client, scored, tree
    ):
        html = page(client, people(scored, tree)).content.decode()

        assert re.search(
            r'<p class="live-status" id="live-status" role="status" hidden>', html
        )
        assert "Đang cập nhật trực tiếp" not in html.split("<script")[0]

    def test_the_search_opens_without_a_script(self, client, scored, tree):
        html = page(client, people(scored, tree), q="Văn An").content.decode()

        assert '<details class="tool" open>' in html
        assert "Nguyễn Văn An" in html


class TestBadInput:
    @pytest.mark.parametrize(
        "query", ["   ", "🏆", "x" * 10_000, "Văn\x00An", "%", "_", "<b>"]
    )
    def test_any_search_answers_a_page(self, client, scored, tree, query):
        response = page(client, people(scored, tree), q=query)

        assert response.status_code == 200
        assert "<b>" not in response.content.decode().split("<main")[1]

    def test_a_search_that_finds_nothing_says_what_to_do(self, client, scored, tree):
        html = page(client, people(scored, tree), q="Không Ai Tên Này").content.decode()

        assert "Hãy kiểm tra chính tả" in html

    def test_a_sixty_character_village_name_is_shown_whole_for_screen_readers(
        self, client, sql_store, tree, competition, community_class
    ):
        long_name = "Thôn " + "Đông Hưng Thịnh Vượng " * 3
        long_name = long_name[:60].strip()
        village = create_unit(parent=tree["ke_sat"], kind="village", name=long_name)
        credit_one(a_credit(competition, community_class, village, points=5))
        projector.catch_up()

        html = page(client, villages(competition, tree)).content.decode()

        assert long_name in html

    @pytest.mark.parametrize("limit", ["-5", "0", "abc", "100000"])
    def test_odd_limits_answer_a_page(self, client, scored, tree, limit):
        assert page(client, people(scored, tree), limit=limit).status_code == 200
