"""Numbers, percentages, dates and people as a Vietnamese reader expects them."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.utils import translation

from tests.conftest import make_user


def render(text: str, **context) -> str:
    return Template(text).render(Context(context))


class TestNumbers:
    def test_a_count_is_grouped_with_a_dot_in_vietnamese(self):
        with translation.override("vi"):
            assert render("{{ n }}", n=46630) == "46.630"

    def test_a_decimal_has_a_comma_in_vietnamese(self):
        with translation.override("vi"):
            assert render("{{ n|floatformat:2 }}", n=1.9712) == "1,97"

    def test_a_percentage_has_a_comma_and_a_spaced_sign_in_vietnamese(self):
        with translation.override("vi"):
            assert render("{{ n|percent:2 }}", n=1.9712) == "1,97\u00a0%"

    def test_english_keeps_its_own_marks(self):
        with translation.override("en"):
            assert render("{{ n }} · {{ p|percent:2 }}", n=46630, p=1.9712) == (
                "46,630 · 1.97%"
            )

    def test_an_id_in_an_address_is_not_grouped(self):
        with translation.override("vi"):
            assert render("/x/{{ n|unlocalize }}/", n=100017) == "/x/100017/"

    @pytest.mark.parametrize("value", [None, "", "abc"])
    def test_a_missing_percentage_shows_nothing(self, value):
        assert render("{{ n|percent }}", n=value) == ""


class TestDates:
    def test_a_date_is_day_month_year_with_slashes(self):
        with translation.override("vi"):
            assert render("{{ d }}", d=date(2026, 10, 10)) == "10/10/2026"
            assert render("{{ d|date:'SHORT_DATE_FORMAT' }}", d=date(2026, 3, 5)) == (
                "05/03/2026"
            )


@pytest.mark.django_db
class TestNames:
    def test_a_user_with_a_person_is_shown_by_name(self, tree):
        user = make_user("canbo2", unit=tree["ho_lien"], person_name="Vũ Thị Lan")

        assert render("{{ u|name_of }}", u=user) == "Vũ Thị Lan"

    def test_a_user_without_a_person_is_shown_by_full_name_then_username(self):
        user = get_user_model().objects.create_user("kythuat", first_name="")

        assert render("{{ u|name_of }}", u=user) == "kythuat"
        user.first_name, user.last_name = "Minh", "Trần"
        assert render("{{ u|name_of }}", u=user) == "Minh Trần"

    def test_nobody_is_a_dash(self):
        assert render("{{ u|name_of }}", u=None) == "—"


class TestBoardValues:
    @pytest.mark.parametrize(
        ("value", "measure", "shown"),
        [
            (46630, "points", "46.630"),
            (1.9712, "kpi", "1,97\u00a0%"),
            (50.0, "kpi", "50\u00a0%"),
            (3.14159, "per_member", "3,14"),
        ],
    )
    def test_a_board_writes_its_values_in_vietnamese(self, value, measure, shown):
        from leaderboards.templatetags.lb import measure_value

        with translation.override("vi"):
            assert measure_value(value, measure) == shown
