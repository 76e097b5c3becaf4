"""`seed_demo` leaves boards that are alive on the first `make run`."""

import pytest

from competitions.models import Competition
from leaderboards import selectors
from leaderboards.boards import Board
from units.models import Unit


@pytest.fixture
def seeded(demo_province, db, settings):
    settings.MEDIA_ROOT = demo_province
    # The movement's competition (campaigns run competitions of their own).
    return (
        Competition.objects.filter(
            status=Competition.Status.RUNNING, kind=Competition.Kind.REGULAR
        )
        .order_by("pk")
        .first()
    )


def _count(board: Board) -> int:
    _rows, count = selectors.board_rows(board, limit=1)
    return count


def test_boards_have_weeks_of_history_and_villages_racing_this_week(seeded):
    province = seeded.scope_unit
    people = {
        period: _count(Board(seeded.pk, province.pk, "people", period))
        for period in ("week", "month", "all")
    }

    assert people["week"] >= 10
    assert people["month"] >= 1
    # A week can reach into last month, so only all time bounds both; weeks of
    # history, not one burst.
    assert people["all"] > max(people["week"], people["month"])

    # The villages of Kê Sặt compete this week.
    ke_sat = Unit.objects.get(name="Xã Kê Sặt")
    rows, count = selectors.board_rows(Board(seeded.pk, ke_sat.pk, "village", "week"))

    assert count >= 5
    assert rows[0].value > rows[-1].value  # a race, not a tie
