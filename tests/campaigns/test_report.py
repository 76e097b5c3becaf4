"""A unit's periodic report carries the campaigns its subtree took part in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.report import campaigns_section
from reports import compose
from tests.campaigns.conftest import check_in
from tests.campaigns.test_services import approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(campaign, member, organiser, union):
    """One check-in of Chi đoàn Hồ Liễn, approved (20 + 12 points), two days ago."""
    day = timezone.localdate() - timedelta(days=2)
    approve(campaign, organiser, check_in(campaign, member, union["ho_lien"], day=day))
    return day


def test_counts_branches_check_ins_and_points_of_the_subtree(campaign, verified, union):
    section = campaigns_section(
        union["youth"], campaign.starts_on, timezone.localdate()
    )

    assert section["rows"][0][0] == campaign.name
    assert section["rows"][0][1] == union["youth"].name
    assert section["rows"][0][3:] == [2, 1, 32]  # both branches, one check-in
    assert section["rows"][-1][3:] == [2, 1, 32]  # the total
    # One branch's union sees its own share.
    branch = campaigns_section(
        union["quan_goi"], campaign.starts_on, timezone.localdate()
    )
    assert branch["rows"][0][3:] == [1, 0, 0]


def test_a_period_before_the_check_in_gives_the_same_numbers_later(
    campaign, verified, union, member, organiser
):
    before = verified - timedelta(days=1)
    first = campaigns_section(union["youth"], campaign.starts_on, before)
    # Credited afterwards, dated today: not in the closed period.
    approve(
        campaign, organiser, check_in(campaign, member, union["ho_lien"], pattern=5)
    )

    # The branches were enrolled today: after that period too.
    assert first["rows"][0][3:] == [0, 0, 0]
    assert campaigns_section(union["youth"], campaign.starts_on, before) == first


def test_a_unit_that_took_no_part_gets_no_section(campaign, verified, tree):
    assert (
        campaigns_section(tree["binh_giang"], campaign.starts_on, timezone.localdate())
        is None
    )
    # Nor does a period when no campaign ran.
    long_ago = campaign.starts_on - timedelta(days=400)
    assert campaigns_section(tree["province"], long_ago, long_ago) is None


def test_the_report_has_it_as_a_sheet(campaign, verified, tree):
    today = timezone.localdate()
    data = compose.compose(
        tree["province"], campaign.starts_on, today, year=today.year, today=today
    )

    section = next(s for s in data["sections"] if s["key"] == "campaigns")
    assert section["title"] == "Chiến dịch"
    assert section["rows"][-1][3:] == [2, 1, 32]
