"""The home page: the movement's pulse, the same for every visitor, and fast."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from badges.models import BadgeClass
from badges.services import award_badge
from learning.models import Completion, Household, Training, VneidHelp
from pages.selectors import countdown
from tests.badges.conftest import pair
from tests.pages.conftest import a_credit, credit_one
from units.audit import Origin
from units.models import Person
from units.services import add_member, create_unit


def _person(unit, name):
    person = Person.objects.create(display_name=name, target_group="citizen")
    add_member(person=person, unit=unit)
    return person


def _grow(tree, competition, community_class, administrator, *, n):
    """More of everything the home page counts: people with points, completions,
    mentorships, digital households, VNeID help and badges."""
    now = timezone.now()
    training = Training.objects.create(title="Kỹ năng số cơ bản", kind="online")
    badge = BadgeClass.objects.published().filter(recipient="person").first()
    for i in range(n):
        person = _person(tree["quan_goi"], f"Người thứ {i}")
        credit_one(
            a_credit(
                competition,
                community_class,
                tree["quan_goi"],
                person=person,
                points=5 + i,
                key=f"grow:{person.pk}",
            )
        )
        Completion.objects.create(
            person=person,
            training=training,
            unit=tree["quan_goi"],
            completed_on=timezone.localdate(),
            source="import",
            status=Completion.Status.CONFIRMED,
            recorded_at=now,
        )
        pair(person, _person(tree["quan_goi"], f"Người được hướng dẫn {i}"))
        Household.objects.create(
            unit=tree["quan_goi"],
            name=f"Hộ {i}",
            digital_since=timezone.localdate(),
            created_at=now,
        )
        VneidHelp.objects.create(
            unit=tree["quan_goi"],
            helper=person,
            helped_on=timezone.localdate(),
            citizens=3,
            recorded_by=administrator,
            recorded_at=now,
        )
        award_badge(
            badge_class=badge,
            person=person,
            reason="Tích cực",
            by=administrator,
            at=now,
            origin=Origin(),
        )
    from leaderboards import projector

    projector.catch_up()


class TestTheHomePage:
    def test_shows_this_weeks_top_villages_and_people_with_their_points(
        self, client, scored, tree
    ):
        response = client.get("/")

        html = response.content.decode()
        top = response.context["top"]
        assert [(row.name, row.value) for row in top["units"]] == [
            ("Thôn Hồ Liễn", 110),
            ("Thôn Cậy", 40),
        ]
        assert [row.name for row in top["people"]][:1] == ["Vũ Thị Lan"]
        assert "Top thôn tuần này" in html and "Vũ Thị Lan" in html
        assert f'href="/leaderboards/{top["units_board"].name}/"' in html
        assert top["units_board"].period == "week"

    def test_finds_your_village_with_the_unit_search(self, client, scored):
        html = client.get("/").content.decode()

        assert 'action="/units/"' in html and 'name="q"' in html

    def test_counts_down_to_the_next_10_october(self, client, scored):
        response = client.get("/")

        days = response.context["countdown"].days
        assert 0 <= days <= 365
        assert "ngày nữa đến Ngày hội toàn dân học tập số" in response.content.decode()

    def test_is_public_and_sets_no_cookie_for_a_visitor(self, client, scored):
        response = client.get("/")

        assert "public" in response["Cache-Control"]
        assert "max-age=30" in response["Cache-Control"]
        assert response.cookies == {}

    def test_a_signed_in_person_sees_their_own_week_privately(
        self, client, scored, citizen
    ):
        client.force_login(citizen)

        response = client.get("/")

        mine = response.context["mine"]
        assert [(s.scope.name, s.points, s.rank) for s in mine["people"]] == [
            ("Thôn Hồ Liễn", 40, 2),
            ("Xã Kê Sặt", 40, 2),
            ("Tỉnh Thử Nghiệm", 40, 2),
        ]
        assert "private" in response["Cache-Control"]

    def test_an_empty_province_says_what_will_come(self, client, sql_store, tree):
        html = client.get("/").content.decode()

        assert "Chưa có huy hiệu nào được trao." in html


class TestItsCost:
    def test_costs_the_same_queries_whatever_the_provinces_size(
        self, client, scored, tree, competition, community_class, administrator
    ):
        _grow(tree, competition, community_class, administrator, n=2)
        with CaptureQueriesContext(connection) as small:
            client.get("/")
        _grow(tree, competition, community_class, administrator, n=30)
        from django.core.cache import cache

        from leaderboards import selectors

        cache.clear()
        selectors.forget_cached()

        with CaptureQueriesContext(connection) as large:
            response = client.get("/")

        assert len(large) == len(small)
        assert response.context["numbers"]["trained_this_week"] == 32
        assert len(response.context["numbers"]["recent_badges"]) == 5

    def test_a_second_visit_within_the_minute_reads_only_the_boards(
        self, client, scored, django_assert_num_queries
    ):
        client.get("/")

        # The SQL store's two boards (rows and size each); Redis answers them with
        # no SQL at all. Aggregates, badges and names come from the caches.
        with django_assert_num_queries(4):
            client.get("/")


class TestCountdown:
    @pytest.mark.parametrize(
        "today, days",
        [
            (date(2026, 10, 9), 1),
            (date(2026, 10, 10), 0),
            (date(2026, 10, 11), 364),
            (date(2026, 1, 1), 282),
        ],
    )
    def test_days_to_the_next_digital_learning_day(self, today, days):
        assert countdown(today).days == days
        assert countdown(today).day - today == timedelta(days=days)


class TestFindYourVillageWithBadInput:
    @pytest.mark.parametrize(
        "query",
        ["   ", "🏡", "x" * 10_000, "Hồ Liễn\x00", "<script>alert(1)</script>"],
    )
    def test_never_fails_and_says_what_to_do(self, client, tree, query):
        response = client.get("/units/", {"q": query})

        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()

    @pytest.mark.parametrize("typed", ["Hồ Liễn", "ho lien", "HO LIEN", "  hồ   liễn "])
    def test_finds_the_village_typed_with_or_without_diacritics(
        self, client, tree, typed
    ):
        response = client.get("/units/", {"q": typed})

        assert [unit.name for unit in response.context["units"]] == ["Thôn Hồ Liễn"]

    def test_a_village_created_a_moment_ago_is_found(self, client, tree):
        client.get("/units/", {"q": "dong"})
        create_unit(parent=tree["ke_sat"], kind="village", name="Thôn Đông")

        response = client.get("/units/", {"q": "dong"})

        assert [unit.name for unit in response.context["units"]] == ["Thôn Đông"]
