"""Point rules and ledger lines are explained in a sentence, not a formula."""

import pytest
from django.utils import translation

from competitions.models import PointRule
from competitions.presentation import describe_entry, describe_rule
from tests.competitions.conftest import TEST_ORIGIN, make_submission


@pytest.fixture
def vietnamese():
    with translation.override("vi"):
        yield


def rule_of(activity):
    return PointRule.objects.get(activity_type=activity)


class TestRuleSentence:
    def test_a_class_with_attendees_and_a_weekly_cap(self, vietnamese, community_class):
        assert describe_rule(rule_of(community_class)) == (
            "20 điểm mỗi lớp, cộng 2 điểm mỗi học viên (tính tối đa 60 học viên "
            "một lớp); tối đa 3 lớp mỗi tuần cho mỗi đơn vị."
        )

    def test_points_per_event_only_with_a_cap_per_person(
        self, vietnamese, community_class
    ):
        rule = rule_of(community_class)
        rule.points_per_quantity, rule.max_events_per_unit = 0, None
        rule.points_per_event, rule.max_events_per_person = 5, 3

        assert describe_rule(rule) == (
            "5 điểm mỗi lớp; tối đa 3 lớp mỗi tuần cho mỗi người."
        )

    def test_points_per_quantity_only_and_large_numbers_grouped(
        self, vietnamese, community_class
    ):
        rule = rule_of(community_class)
        rule.points_per_event, rule.max_events_per_unit = 0, None
        rule.points_per_quantity, rule.max_quantity = 3, 1000

        assert describe_rule(rule) == (
            "3 điểm mỗi học viên (tính tối đa 1.000 học viên một lớp)."
        )

    def test_in_english_the_sentence_is_english(self, community_class):
        with translation.override("en"):
            text = describe_rule(rule_of(community_class))

        assert text.startswith("20 points per lớp, plus 2 points per học viên")


class TestEntrySentence:
    def test_an_approved_class_says_how_its_points_add_up(
        self, vietnamese, tree, officer, reviewer, competition, community_class
    ):
        from competitions import services

        submission = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
            quantity=12,
        )
        [entry] = services.approve_submission(
            submission=submission,
            reviewer=reviewer,
            at=submission.submitted_at,
            origin=TEST_ORIGIN,
        )

        assert entry.points == 44
        assert describe_entry(entry) == (
            "20 điểm cho lớp, cộng 2 điểm cho mỗi học viên (12 học viên)"
        )
