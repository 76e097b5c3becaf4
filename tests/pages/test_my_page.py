"""Trang của tôi: a learner signs in and finds their own points and what to do next."""

from django.utils import timezone

from learning.models import Completion, Training
from tests.badges.conftest import pair
from tests.conftest import PASSWORD, make_user
from units.models import Person
from units.services import add_member


class TestSignInLandsThere:
    def test_a_learner_without_a_role_lands_on_their_own_page(self, client, citizen):
        response = client.post(
            "/accounts/login/", {"login": "citizen", "password": PASSWORD}
        )

        assert response.status_code == 302
        assert response["Location"] == "/me/"

    def test_the_header_links_to_it(self, client, citizen):
        client.force_login(citizen)

        html = client.get("/").content.decode()

        assert 'href="/me/"' in html and "Trang của tôi" in html


class TestMyPage:
    def test_shows_rank_and_points_on_every_board_with_this_weeks_gain(
        self, client, scored, citizen, tree
    ):
        client.force_login(citizen)

        response = client.get("/me/")

        context = response.context
        assert response.status_code == 200
        assert context["week_points"] == 40
        [table] = context["board_tables"]
        boards = [
            (row["scope"].name, row["is_people"], row["week"].rank, row["all"].points)
            for row in table["rows"]
        ]
        assert boards == [
            ("Thôn Hồ Liễn", True, 2, 40),
            ("Xã Kê Sặt", True, 2, 40),
            ("Tỉnh Thử Nghiệm", True, 2, 40),
            ("Xã Kê Sặt", False, 1, 110),
            ("Tỉnh Thử Nghiệm", False, 1, 110),
        ]
        html = response.content.decode()
        assert f'href="/people/{citizen.person.pk}/points/"' in html
        assert "private" in response["Cache-Control"]

    def test_points_of_the_last_two_weeks_as_a_sparkline(self, client, scored, citizen):
        client.force_login(citizen)

        response = client.get("/me/")

        assert response.context["daily"][-1] == 40
        assert len(response.context["daily"]) == 14
        assert 'class="sparkline"' in response.content.decode()

    def test_first_step_of_a_newcomer_is_a_training(self, client, scored, citizen):
        client.force_login(citizen)

        step = client.get("/me/").context["next_step"]

        assert step["url"] == "/learning/"

    def test_a_learner_who_completed_is_asked_to_guide_others(
        self, client, scored, citizen, tree
    ):
        Completion.objects.create(
            person=citizen.person,
            training=Training.objects.create(title="Kỹ năng số", kind="online"),
            unit=tree["ho_lien"],
            completed_on=timezone.localdate(),
            source="import",
            status=Completion.Status.CONFIRMED,
            recorded_at=timezone.now(),
        )
        client.force_login(citizen)

        response = client.get("/me/")

        assert response.context["next_step"]["url"] == "/learning/mentoring/"
        assert "Hướng dẫn thêm 5 người nữa" in response.content.decode()

    def test_shows_mentoring_progress(self, client, scored, citizen, tree):
        for n in range(3):
            mentee = Person.objects.create(display_name=f"Học viên {n}")
            add_member(person=mentee, unit=tree["ho_lien"])
            pair(citizen.person, mentee)
        client.force_login(citizen)

        response = client.get("/me/")

        assert len(response.context["mentor"].mentees) == 3
        assert "3 / 5" in response.content.decode()

    def test_an_account_with_no_person_is_told_what_to_do(self, client, db):
        user = make_user("lonely")
        client.force_login(user)

        response = client.get("/me/")

        assert response.status_code == 200
        assert "chưa gắn với hồ sơ cá nhân; hãy liên hệ cán bộ đơn vị" in (
            response.content.decode()
        )

    def test_a_visitor_is_sent_to_sign_in(self, client, db):
        response = client.get("/me/")

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_costs_the_same_queries_with_more_history(
        self, client, scored, citizen, tree, competition, community_class
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from leaderboards import projector
        from tests.pages.conftest import a_credit, credit_one

        client.force_login(citizen)
        client.get("/me/")  # the per-process caches of names and kept ranks
        with CaptureQueriesContext(connection) as few:
            client.get("/me/")
        for n in range(20):
            credit_one(
                a_credit(
                    competition,
                    community_class,
                    tree["ho_lien"],
                    person=citizen.person,
                    points=1,
                    key=f"history:{n}",
                    occurred_at=timezone.now() - timezone.timedelta(days=n % 10),
                )
            )
        projector.catch_up()

        with CaptureQueriesContext(connection) as many:
            client.get("/me/")

        assert len(many) == len(few)
