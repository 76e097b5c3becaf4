"""Criteria an administrator cannot get wrong silently: each mistake says what to fix."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from badges import criteria, services
from badges.models import BadgeClass, PublishedClassEdited
from tests.badges.conftest import make_class
from tests.competitions.conftest import TEST_ORIGIN

pytestmark = pytest.mark.django_db


def problems(tree, *, recipient="person", levels=(), slug="moi"):
    with translation.override("vi"):
        try:
            criteria.validate(tree, recipient=recipient, levels=list(levels), slug=slug)
        except criteria.CriteriaError as error:
            return error.messages
    return []


class TestValidation:
    def test_the_seeded_classes_are_valid(self):
        for badge_class in BadgeClass.objects.published():
            services.check_class(badge_class)

    @pytest.mark.parametrize(
        "tree, expected",
        [
            ({"fact": "so_like", "min": 1}, "không có"),
            ({"fact": "points", "min": 0}, "từ 1 trở lên"),
            ({"fact": "points", "min": -5}, "từ 1 trở lên"),
            ({"fact": "points", "min": 2.5}, "số nguyên"),
            ({"fact": "points"}, "ngưỡng"),
            ({"fact": "points", "min": 5, "colour": "red"}, "không dùng được"),
            ({"fact": "points", "min": 5, "activity": "bay-luon"}, "bay-luon"),
            ({"fact": "points", "min": 5, "competition": 999999}, "999999"),
            (
                {"fact": "household_digital", "min": 1, "framework": "x"},
                "không dùng được",
            ),
            (
                {"fact": "framework_areas", "framework": "qd-757-2025", "min": 9},
                "chỉ có 2",
            ),
            ({"fact": "framework_areas", "min": 1}, "framework"),
            ({"fact": "badges_held", "badges": ["khong-co"], "min": 1}, "khong-co"),
            ({"fact": "badges_held", "badges": ["moi"], "min": 1}, "chính nó"),
            ({"fact": "board_rank", "competition": 1, "min": 3}, "top"),
            ({"all": []}, "danh sách"),
            ({"all": [{"fact": "points", "min": 1}], "any": []}, "đúng một"),
            ({"fact": "digital_household_share", "min": 80}, "cá nhân"),
        ],
    )
    def test_refuses_with_a_message_saying_what_to_fix(self, tree, expected):
        found = problems(tree)

        assert found, tree
        assert any(expected in message for message in found), found

    def test_a_share_above_a_hundred_percent_cannot_be_met(self):
        found = problems(
            {"fact": "digital_household_share", "min": 120}, recipient="unit"
        )

        assert any("100%" in message for message in found)

    def test_thresholds_must_rise_with_the_levels(self):
        levels = ["bronze", "silver", "gold"]

        assert problems({"fact": "mentees_completed", "min": [5, 3, 20]}, levels=levels)
        assert problems({"fact": "mentees_completed", "min": [5, 10]}, levels=levels)
        assert not problems(
            {"fact": "mentees_completed", "min": [5, 10, 20]}, levels=levels
        )

    def test_ranks_must_improve_with_the_levels(self, learning_competition):
        tree = {
            "fact": "board_rank",
            "competition": learning_competition.pk,
            "top": [1, 2, 3],
        }

        assert problems(tree, levels=["bronze", "silver", "gold"])


class TestEditingInPlace:
    def test_a_published_class_refuses_a_change_of_criteria(self):
        badge_class = BadgeClass.objects.get(slug="dai-su-so", status="published")
        badge_class.criteria = {"fact": "mentees_completed", "min": [1, 2, 3]}

        with pytest.raises(ValidationError) as error, translation.override("vi"):
            badge_class.full_clean()
        with pytest.raises(PublishedClassEdited):
            badge_class.save()

        assert "phiên bản mới" in str(error.value)
        badge_class.refresh_from_db()
        assert badge_class.criteria["min"] == [5, 10, 20]

    def test_a_draft_may_be_edited_and_publishing_it_checks_it(self, administrator):
        draft = make_class("thu", {"fact": "points", "min": 0}, status="draft")
        draft.name = "Thử nghiệm"
        draft.save()

        with pytest.raises(criteria.CriteriaError):
            services.publish_class(
                draft, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
            )

        draft.refresh_from_db()
        assert draft.status == BadgeClass.Status.DRAFT
