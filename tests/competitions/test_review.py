"""Reviewing achievements: decisions, their guards, caps and plausibility flags."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from competitions import selectors, services
from competitions.models import Notification, PointEntry, Submission
from tests.competitions.conftest import (
    TEST_ORIGIN,
    make_submission,
    monday,
    noisy_photo,
)
from tests.conftest import make_user
from units.models import AuditEvent, Person, Unit

Status = Submission.Status


@pytest.fixture
def submission(tree, officer, competition, community_class):
    return make_submission(
        officer=officer,
        unit=tree["ho_lien"],
        competition=competition,
        activity_type=community_class,
        quantity=25,
        person=officer.person,
    )


def approve(submission, reviewer):
    return services.approve_submission(
        submission=submission, reviewer=reviewer, at=timezone.now(), origin=TEST_ORIGIN
    )


class TestApprove:
    def test_credits_the_rule_points_to_person_and_unit(self, submission, reviewer):
        [entry] = approve(submission, reviewer)

        assert entry.points == 20 + 2 * 25
        assert (entry.person, entry.unit) == (submission.person, submission.unit)
        assert entry.rule.version == 1 and entry.created_by == reviewer

    def test_credits_points_once_when_approved_twice(self, submission, reviewer):
        approve(submission, reviewer)

        with pytest.raises(services.SubmissionAlreadyDecided):
            approve(submission, reviewer)

        assert PointEntry.objects.count() == 1

    def test_a_reviewer_never_decides_their_own_submission(
        self, tree, competition, community_class, reviewer
    ):
        own = make_submission(
            officer=reviewer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
        )

        with pytest.raises(services.CannotReviewOwnSubmission):
            approve(own, reviewer)

        assert Submission.objects.get(pk=own.pk).status == Status.SUBMITTED

    def test_points_roll_up_to_the_village_commune_and_province(
        self, tree, submission, reviewer, competition
    ):
        approve(submission, reviewer)

        for unit in ("ho_lien", "ke_sat", "province"):
            assert selectors.unit_total(tree[unit], competition) == 70
        assert selectors.unit_total(tree["binh_giang"], competition) == 0
        assert selectors.person_total(submission.person, competition) == 70

    def test_records_the_transition_and_notifies_the_sender(
        self, submission, reviewer, officer
    ):
        approve(submission, reviewer)

        event = AuditEvent.objects.filter(
            object_id=submission.pk, action="submission.approved"
        ).get()
        assert (event.actor, event.from_state, event.ip_address) == (
            reviewer,
            "submitted",
            "203.0.113.7",
        )
        assert Notification.objects.filter(
            user=officer, link=f"/submissions/{submission.pk}/"
        ).exists()

    def test_a_deactivated_person_stops_earning(self, submission, reviewer):
        Person.objects.filter(pk=submission.person_id).update(is_active=False)

        with pytest.raises(services.RecipientInactive):
            approve(submission, reviewer)

        assert not PointEntry.objects.exists()
        assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED

    def test_a_unit_under_a_deactivated_commune_stops_earning(
        self, tree, submission, reviewer
    ):
        Unit.objects.filter(pk=tree["ke_sat"].pk).update(is_active=False)

        with pytest.raises(services.RecipientInactive):
            approve(submission, reviewer)

    def test_without_a_rule_nothing_is_credited(
        self, tree, officer, competition, reviewer
    ):
        from competitions.models import ActivityType

        bare = ActivityType.objects.create(code="bare", name="Không có quy tắc")
        orphan = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=bare,
        )

        with pytest.raises(services.NoPointRule):
            approve(orphan, reviewer)

        assert not PointEntry.objects.exists()


class TestCaps:
    def test_the_fourth_class_of_a_week_is_approved_at_zero_points(
        self, tree, officer, reviewer, competition, community_class, today
    ):
        day = monday(today) - timedelta(days=7)
        classes = [
            make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=community_class,
                on=day + timedelta(days=n),
                quantity=10,
                photo=noisy_photo(n),
            )
            for n in range(4)
        ]

        entries = [approve(submission, reviewer)[0] for submission in classes]

        assert [entry.points for entry in entries] == [40, 40, 40, 0]
        assert entries[3].capped and "3" in entries[3].explanation

    def test_the_cap_counts_per_week(
        self, tree, officer, reviewer, competition, community_class, today
    ):
        start = monday(today) - timedelta(days=14)
        days = [
            start,
            start + timedelta(days=1),
            start + timedelta(days=2),
            start + timedelta(days=7),
        ]
        entries = [
            approve(
                make_submission(
                    officer=officer,
                    unit=tree["ho_lien"],
                    competition=competition,
                    activity_type=community_class,
                    on=day,
                    photo=noisy_photo(i),
                ),
                reviewer,
            )[0]
            for i, day in enumerate(days)
        ]

        assert all(entry.points > 0 for entry in entries)

    def test_the_quantity_counted_is_capped_per_event(
        self, tree, officer, reviewer, competition, community_class
    ):
        big = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
            quantity=500,
        )

        [entry] = approve(big, reviewer)

        assert entry.points == 20 + 2 * 60


class TestRejectReturnAppeal:
    def test_reject_needs_a_reason(self, submission, reviewer):
        with pytest.raises(services.SubmissionError):
            services.reject_submission(
                submission=submission,
                reviewer=reviewer,
                reason="  ",
                at=timezone.now(),
                origin=TEST_ORIGIN,
            )

        assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED

    def test_returned_submissions_can_be_completed_and_sent_again(
        self, submission, reviewer, officer
    ):
        services.return_submission(
            submission=submission,
            reviewer=reviewer,
            reason="Thiếu ảnh lớp học",
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )

        resent = services.submit_submission(
            submission=submission, by=officer, at=timezone.now(), origin=TEST_ORIGIN
        )

        assert resent.status == Status.SUBMITTED

    def test_an_appeal_is_decided_by_another_reviewer(
        self, tree, submission, reviewer, officer, administrator, competition
    ):
        services.reject_submission(
            submission=submission,
            reviewer=reviewer,
            reason="Ảnh không rõ",
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )
        services.appeal_submission(
            submission=submission,
            by=officer,
            reason="Đã bổ sung biên bản",
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )

        with pytest.raises(services.CannotReviewOwnSubmission):
            services.decide_appeal(
                submission=submission,
                reviewer=reviewer,
                uphold_rejection=False,
                reason="",
                at=timezone.now(),
                origin=TEST_ORIGIN,
            )
        entries = services.decide_appeal(
            submission=submission,
            reviewer=administrator,
            uphold_rejection=False,
            reason="Hợp lệ",
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )

        assert len(entries) == 1
        assert Submission.objects.get(pk=submission.pk).status == Status.APPROVED
        assert selectors.unit_total(tree["province"], competition) == 70

    def test_a_submission_is_appealed_only_once(
        self, submission, reviewer, officer, administrator
    ):
        services.reject_submission(
            submission=submission,
            reviewer=reviewer,
            reason="Không hợp lệ",
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )
        services.appeal_submission(
            submission=submission,
            by=officer,
            reason="Xin xem lại",
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )
        services.decide_appeal(
            submission=submission,
            reviewer=administrator,
            uphold_rejection=True,
            reason="Giữ nguyên",
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )

        with pytest.raises(services.SubmissionAlreadyDecided):
            services.appeal_submission(
                submission=submission,
                by=officer,
                reason="Lần nữa",
                at=timezone.now(),
                origin=TEST_ORIGIN,
            )

    def test_revoking_reverses_the_points(
        self, tree, submission, reviewer, administrator, competition
    ):
        approve(submission, reviewer)

        services.revoke_entries(
            submission=submission,
            by=administrator,
            reason="Khai man",
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )
        services.revoke_entries(
            submission=submission,
            by=administrator,
            reason="Lần hai",
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )

        assert selectors.unit_total(tree["province"], competition) == 0
        assert PointEntry.objects.count() == 2


class TestPlausibilityFlags:
    def codes(self, submission):
        return {flag["code"] for flag in Submission.objects.get(pk=submission.pk).flags}

    def test_a_quantity_above_the_units_headcount_is_flagged(
        self, tree, officer, competition, community_class
    ):
        submission = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
            quantity=301,
        )

        assert "quantity_above_headcount" in self.codes(submission)

    def test_the_same_photo_anywhere_in_the_province_is_flagged(
        self, tree, officer, outsider, competition, initiative
    ):
        make_submission(
            officer=outsider,
            unit=tree["cay"],
            competition=competition,
            activity_type=initiative,
            photo=noisy_photo(7),
        )

        again = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=initiative,
            photo=noisy_photo(7),
        )
        other = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=initiative,
            photo=noisy_photo(8),
        )

        assert "duplicate_evidence" in self.codes(again)
        assert "duplicate_evidence" not in self.codes(other)

    def test_a_look_alike_from_outside_the_reviewers_area_is_not_named(
        self, client, tree, officer, outsider, reviewer, competition, initiative
    ):
        """The reviewer of Kê Sặt learns that a match exists elsewhere, never which
        submission of Bình Giang it is; a reviewer of the province sees its number."""
        elsewhere = make_submission(
            officer=outsider,
            unit=tree["cay"],
            competition=competition,
            activity_type=initiative,
            photo=noisy_photo(7),
        )
        again = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=initiative,
            photo=noisy_photo(7),
        )
        above = make_user("province_reviewer", unit=tree["province"], role="reviewer")
        pages = {}
        for user in (reviewer, above):
            client.force_login(user)
            pages[user.username] = (
                client.get(reverse("competitions:submission", args=[again.pk])).text
                + client.get(reverse("competitions:review")).text
            )

        named = f"minh chứng của thành tích số {elsewhere.pk}"
        assert named not in pages["reviewer"]
        assert "ngoài phạm vi của bạn" in pages["reviewer"]
        assert named in pages["province_reviewer"]

    def test_a_burst_of_submissions_is_flagged(
        self, tree, officer, competition, initiative
    ):
        made = [
            make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=initiative,
                photo=noisy_photo(20 + n),
            )
            for n in range(5)
        ]

        assert "burst" not in self.codes(made[3])
        assert "burst" in self.codes(made[4])

    def test_a_date_outside_the_competition_is_flagged(
        self, tree, officer, competition, initiative, today
    ):
        early = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=initiative,
            on=competition.starts_on - timedelta(days=3),
        )

        assert "outside_competition" in self.codes(early)


class TestSubmissionGuards:
    @pytest.mark.parametrize("days_ahead", [1, 365])
    def test_a_future_date_is_refused(
        self, tree, officer, competition, initiative, today, days_ahead
    ):
        with pytest.raises(services.SubmissionError):
            make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=initiative,
                on=today + timedelta(days=days_ahead),
            )

        assert not Submission.objects.exists()

    @pytest.mark.parametrize("local_hour", [0, 6, 23])
    def test_today_is_the_day_in_vietnam_not_in_utc(
        self, tree, officer, competition, initiative, today, local_hour
    ):
        # 06:00 in Hà Nội is 23:00 UTC the day before: an officer sending a class
        # held this morning must not be told that it lies in the future.
        at = timezone.make_aware(datetime.combine(today, time(local_hour))).astimezone(
            UTC
        )

        draft = services.save_draft(
            data=services.SubmissionData(
                competition=competition,
                unit=tree["ho_lien"],
                activity_type=initiative,
                occurred_on=today,
                quantity=1,
                description="",
            ),
            by=officer,
            at=at,
            origin=TEST_ORIGIN,
        )

        assert draft.occurred_on == today

    def test_a_closed_competition_takes_no_submissions(
        self, tree, officer, competition, initiative
    ):
        competition.status = competition.Status.CLOSED
        competition.save()

        with pytest.raises(services.SubmissionError):
            make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=initiative,
            )

    def test_a_person_from_another_unit_is_refused(
        self, tree, officer, outsider, competition, community_class
    ):
        with pytest.raises(services.SubmissionError):
            make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=community_class,
                person=outsider.person,
            )

    def test_evidence_is_required_before_sending(
        self, tree, officer, competition, initiative
    ):
        draft = services.save_draft(
            data=services.SubmissionData(
                competition=competition,
                unit=tree["ho_lien"],
                activity_type=initiative,
                occurred_on=timezone.localdate(),
                quantity=1,
                description="",
            ),
            by=officer,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )

        with pytest.raises(services.SubmissionError):
            services.submit_submission(
                submission=draft, by=officer, at=timezone.now(), origin=TEST_ORIGIN
            )

        assert Submission.objects.get(pk=draft.pk).status == Status.DRAFT

    def test_a_sent_submission_cannot_be_edited(
        self, submission, officer, competition, initiative, tree
    ):
        with pytest.raises(services.SubmissionNotEditable):
            services.save_draft(
                data=services.SubmissionData(
                    competition=competition,
                    unit=tree["ho_lien"],
                    activity_type=initiative,
                    occurred_on=timezone.localdate(),
                    quantity=1,
                    description="sửa",
                ),
                by=officer,
                at=timezone.now(),
                origin=TEST_ORIGIN,
                submission=submission,
            )
