"""The submission and review pages, as an officer and a reviewer use them."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from competitions.models import Evidence, Notification, PointEntry, Submission
from tests.competitions.conftest import make_submission, noisy_photo, photo_bytes
from tests.test_pages_read_well import read
from units.models import AuditEvent

Status = Submission.Status


def form_data(tree, competition, activity, /, **overrides):
    data = {
        "competition": competition.pk,
        "unit": tree["ho_lien"].pk,
        "activity_type": activity.pk,
        "occurred_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "quantity": "25",
        "description": "Lớp học VNeID tại nhà văn hóa thôn",
        "form_token": str(uuid.uuid4()),
        "action": "submit",
    }
    data.update(overrides)
    return data


def upload(name="lop-hoc.jpg", data=None, content_type="image/jpeg"):
    return SimpleUploadedFile(
        name,
        data if data is not None else photo_bytes(pattern=3),
        content_type=content_type,
    )


class TestOfficerSubmits:
    def test_submits_with_a_photo_and_it_awaits_review(
        self, client, tree, officer, competition, community_class
    ):
        client.force_login(officer)

        response = client.post(
            reverse("competitions:submission_new"),
            {**form_data(tree, competition, community_class), "evidence": [upload()]},
        )

        submission = Submission.objects.get()
        assert response.status_code == 302
        assert submission.status == Status.SUBMITTED
        assert submission.evidence.get().kind == Evidence.Kind.PHOTO

    def test_a_replayed_form_creates_one_submission(
        self, client, tree, officer, competition, community_class
    ):
        client.force_login(officer)
        data = form_data(tree, competition, community_class, action="draft")

        client.post(reverse("competitions:submission_new"), data)
        client.post(reverse("competitions:submission_new"), data)

        assert Submission.objects.count() == 1

    def test_a_draft_is_saved_without_evidence(
        self, client, tree, officer, competition, community_class
    ):
        client.force_login(officer)

        client.post(
            reverse("competitions:submission_new"),
            form_data(tree, competition, community_class, action="draft"),
        )

        assert Submission.objects.get().status == Status.DRAFT

    @pytest.mark.parametrize(
        "field,value,message",
        [
            ("quantity", "0", "ít nhất là 1"),
            ("quantity", "-3", "ít nhất là 1"),
            ("quantity", "10000000", "không hợp lý"),
            ("quantity", "nhiều", "Hãy nhập một số nguyên"),
            ("occurred_on", "31/02/2026", "Hãy nhập ngày"),
            ("unit", "999999", "Hãy chọn một đơn vị của bạn"),
            ("competition", "999999", "Hãy chọn một đợt thi đua"),
        ],
    )
    def test_bad_values_are_refused_and_what_was_typed_is_kept(
        self, client, tree, officer, competition, community_class, field, value, message
    ):
        client.force_login(officer)

        response = client.post(
            reverse("competitions:submission_new"),
            form_data(tree, competition, community_class, **{field: value}),
        )

        html = response.content.decode()
        assert response.status_code == 400
        assert message in html
        assert "Lớp học VNeID tại nhà văn hóa thôn" in html
        assert not Submission.objects.exists()

    def test_another_communes_unit_is_refused(
        self, client, tree, officer, competition, community_class
    ):
        client.force_login(officer)

        response = client.post(
            reverse("competitions:submission_new"),
            form_data(tree, competition, community_class, unit=tree["cay"].pk),
        )

        assert response.status_code == 400
        assert not Submission.objects.exists()

    def test_a_future_date_is_refused_in_vietnamese(
        self, client, tree, officer, competition, community_class
    ):
        client.force_login(officer)
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

        response = client.post(
            reverse("competitions:submission_new"),
            form_data(tree, competition, community_class, occurred_on=tomorrow),
        )

        assert response.status_code == 400
        assert "không thể ở tương lai" in response.content.decode()
        assert not Submission.objects.exists()

    @pytest.mark.parametrize(
        "name,data",
        [
            ("ghi-chu.txt", b"khong phai anh"),
            ("anh.jpg", b"<html>gia mao</html>"),
            ("anh.png", photo_bytes()[:300]),
        ],
    )
    def test_a_file_that_is_not_a_photo_is_refused_and_the_draft_is_kept(
        self, client, tree, officer, competition, community_class, name, data
    ):
        client.force_login(officer)

        response = client.post(
            reverse("competitions:submission_new"),
            {
                **form_data(tree, competition, community_class),
                "evidence": [upload(name, data, "image/jpeg")],
            },
            follow=True,
        )

        submission = Submission.objects.get()
        assert submission.status == Status.DRAFT  # not sent: the file was refused
        assert not Evidence.objects.exists()
        assert name in response.content.decode()

    def test_the_unit_page_lists_the_submission_for_its_officer(
        self, client, tree, officer, competition, community_class
    ):
        make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
        )
        client.force_login(officer)

        response = client.get(reverse("units:detail", args=[tree["ho_lien"].pk]))

        assert "Lớp học cộng đồng" in response.content.decode()


class TestReviewerDecides:
    @pytest.fixture
    def submission(self, tree, officer, competition, community_class):
        return make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
            quantity=25,
            person=officer.person,
        )

    def test_the_queue_lists_what_awaits_review_in_the_reviewers_units(
        self, client, tree, reviewer, outsider, submission, competition, community_class
    ):
        elsewhere = make_submission(
            officer=outsider,
            unit=tree["cay"],
            competition=competition,
            activity_type=community_class,
        )
        client.force_login(reviewer)

        response = client.get(reverse("competitions:review"))

        ids = [s.pk for s in response.context["page"]]
        assert submission.pk in ids and elsewhere.pk not in ids

    def test_the_queue_costs_the_same_queries_however_long(
        self,
        client,
        tree,
        reviewer,
        officer,
        competition,
        community_class,
        django_assert_max_num_queries,
    ):
        for n in range(12):
            make_submission(
                officer=officer,
                unit=tree["ho_lien"],
                competition=competition,
                activity_type=community_class,
                photo=noisy_photo(n),
            )
        client.force_login(reviewer)

        with django_assert_max_num_queries(12):
            response = client.get(reverse("competitions:review"))

        assert len(response.context["page"]) == 12

    def test_approves_and_points_reach_every_level(
        self, client, tree, reviewer, submission, competition
    ):
        client.force_login(reviewer)

        response = client.post(
            reverse("competitions:submission_decide", args=[submission.pk]),
            {"decision": "approve"},
        )

        assert response.status_code == 302
        for unit in ("ho_lien", "ke_sat", "province"):
            page = client.get(reverse("units:detail", args=[tree[unit].pk]))
            assert page.context["panels"][0][1]["boards"][0]["total"] == 70

    def test_a_replayed_approval_changes_nothing(self, client, reviewer, submission):
        client.force_login(reviewer)
        url = reverse("competitions:submission_decide", args=[submission.pk])
        client.post(url, {"decision": "approve"})
        events = AuditEvent.objects.count()

        response = client.post(url, {"decision": "approve"})

        assert response.status_code == 409
        assert "đã được quyết định" in response.content.decode()
        assert PointEntry.objects.count() == 1
        assert AuditEvent.objects.count() == events

    def test_a_reviewer_of_another_commune_gets_not_found(
        self, client, tree, outsider, submission
    ):
        from units.services import grant_role

        grant_role(user=outsider, unit=tree["binh_giang"], kind="reviewer")
        client.force_login(outsider)

        response = client.post(
            reverse("competitions:submission_decide", args=[submission.pk]),
            {"decision": "approve"},
        )

        assert response.status_code == 404
        assert not PointEntry.objects.exists()

    def test_rejecting_without_a_reason_is_refused(self, client, reviewer, submission):
        client.force_login(reviewer)

        response = client.post(
            reverse("competitions:submission_decide", args=[submission.pk]),
            {"decision": "reject", "reason": ""},
        )

        assert response.status_code == 400
        assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED

    def test_a_rejected_submission_is_appealed_and_another_reviewer_approves(
        self, client, tree, reviewer, officer, administrator, submission, competition
    ):
        client.force_login(reviewer)
        client.post(
            reverse("competitions:submission_decide", args=[submission.pk]),
            {"decision": "reject", "reason": "Ảnh mờ"},
        )
        client.force_login(officer)
        client.post(
            reverse("competitions:submission_appeal", args=[submission.pk]),
            {"reason": "Đã chụp lại ảnh rõ"},
        )
        client.force_login(administrator)

        client.post(
            reverse("competitions:appeal_decide", args=[submission.pk]),
            {"decision": "accept", "reason": "Đồng ý"},
        )

        assert Submission.objects.get(pk=submission.pk).status == Status.APPROVED
        assert PointEntry.objects.get().points == 70
        assert Notification.objects.filter(user=officer).count() == 2

    @pytest.mark.parametrize("forged", ["999999", "abc"])
    def test_forged_submission_ids_are_not_found(
        self, client, reviewer, submission, forged
    ):
        client.force_login(reviewer)

        assert client.get(f"/submissions/{forged}/").status_code == 404

    def test_an_unknown_decision_is_a_400(self, client, reviewer, submission):
        client.force_login(reviewer)

        response = client.post(
            reverse("competitions:submission_decide", args=[submission.pk]),
            {"decision": "delete"},
        )

        assert response.status_code == 400


class TestEvidenceAccess:
    @pytest.fixture
    def evidence(self, tree, officer, competition, community_class):
        return make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
        ).evidence.get()

    def test_the_officer_and_the_reviewer_see_the_photo(
        self, client, officer, reviewer, evidence
    ):
        for user in (officer, reviewer):
            client.force_login(user)
            response = client.get(reverse("competitions:evidence", args=[evidence.pk]))
            assert response.status_code == 200
            assert response["Content-Type"] == "image/jpeg"
            assert b"".join(response.streaming_content).startswith(b"\xff\xd8")

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, evidence):
        assert (
            client.get(reverse("competitions:evidence", args=[evidence.pk])).status_code
            == 302
        )

    def test_other_units_and_citizens_get_not_found(
        self, client, outsider, citizen, evidence
    ):
        for user in (outsider, citizen):
            client.force_login(user)
            assert (
                client.get(
                    reverse("competitions:evidence", args=[evidence.pk])
                ).status_code
                == 404
            )

    def test_a_row_whose_file_is_gone_is_not_found_not_a_server_error(
        self, client, officer, evidence, caplog
    ):
        # A media folder restored from an older backup, a disk replaced: the row
        # outlives its file.
        evidence.file.storage.delete(evidence.file.name)
        client.force_login(officer)

        response = client.get(reverse("competitions:evidence", args=[evidence.pk]))

        assert response.status_code == 404
        assert evidence.file.name in caplog.text  # the operators are told


class TestHistoryAndAudit:
    def test_a_person_sees_why_they_have_their_points(
        self, client, tree, officer, reviewer, competition, community_class
    ):
        from competitions import services
        from tests.competitions.conftest import TEST_ORIGIN

        submission = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
            quantity=5,
            person=officer.person,
        )
        services.approve_submission(
            submission=submission,
            reviewer=reviewer,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )
        client.force_login(officer)

        response = client.get(
            reverse("competitions:person_points", args=[officer.person.pk])
        )

        html = response.content.decode()
        assert response.status_code == 200
        # The reviewer by name, the points added up in words.
        assert "30" in html and "duyệt bởi Reviewer" in html
        assert "20 điểm cho lớp, cộng 2 điểm cho mỗi học viên (5 học viên)" in html

    def test_my_points_leads_to_the_persons_own_page(self, client, citizen):
        client.force_login(citizen)

        response = client.get(reverse("competitions:my_points"))

        assert response["Location"] == reverse(
            "competitions:person_points", args=[citizen.person.pk]
        )

    def test_my_points_without_a_person_says_whom_to_ask(self, client, db):
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.create_user("kythuat"))

        response = client.get(reverse("competitions:my_points"), follow=True)

        assert response.redirect_chain[-1][0] == reverse("units:mine")
        assert "cán bộ" in response.content.decode()

    def test_another_persons_history_is_private(self, client, tree, citizen, officer):
        client.force_login(citizen)

        assert (
            client.get(
                reverse("competitions:person_points", args=[officer.person.pk])
            ).status_code
            == 404
        )

    def test_the_audit_log_shows_who_did_what_from_where(
        self, client, tree, officer, administrator, competition, community_class
    ):
        make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
        )
        client.force_login(administrator)

        response = client.get(reverse("competitions:audit"))

        html = response.content.decode()
        # In words, by the officer's name, with the address it came from.
        assert "Gửi thành tích để thẩm định" in html
        assert "Vũ Thị Lan" in html and "203.0.113.7" in html
        assert "submission.submitted" not in " ".join(read(html).text)

    def test_the_audit_log_filters_by_what_was_done(
        self, client, tree, officer, administrator, competition, community_class
    ):
        make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
        )
        client.force_login(administrator)

        sent = client.get(
            reverse("competitions:audit"), {"action": "submission.submitted"}
        )
        moved = client.get(reverse("competitions:audit"), {"action": "unit.moved"})
        forged = client.get(reverse("competitions:audit"), {"action": "x" * 10_000})

        assert [e.action for e in sent.context["page"]] == ["submission.submitted"]
        assert list(moved.context["page"]) == []
        # An unknown filter shows everything rather than failing.
        assert forged.status_code == 200 and len(forged.context["page"]) == 2

    def test_officers_do_not_see_the_audit_log(self, client, officer):
        client.force_login(officer)

        assert client.get(reverse("competitions:audit")).status_code == 404


class TestBadUploadsThroughThePage:
    def test_a_pixel_bomb_is_refused_without_a_500(
        self, client, tree, officer, competition, community_class
    ):
        from tests.competitions.test_evidence import png_claiming

        client.force_login(officer)

        response = client.post(
            reverse("competitions:submission_new"),
            {
                **form_data(tree, competition, community_class),
                "evidence": [
                    upload("bom.png", png_claiming(10_000, 10_000), "image/png")
                ],
            },
            follow=True,
        )

        assert response.status_code == 200
        assert "quá nhiều điểm ảnh" in response.content.decode()
        assert not Evidence.objects.exists()

    def test_an_oversized_photo_is_refused(
        self, client, tree, officer, competition, community_class
    ):
        client.force_login(officer)
        huge = b"\xff\xd8\xff\xe0" + b"\x00" * (11 * 1024 * 1024)

        response = client.post(
            reverse("competitions:submission_new"),
            {
                **form_data(tree, competition, community_class),
                "evidence": [upload("lon.jpg", huge)],
            },
            follow=True,
        )

        assert "lớn hơn 10 MB" in response.content.decode()
        assert not Evidence.objects.exists()

    def test_an_empty_comment_is_refused(
        self, client, tree, officer, competition, community_class
    ):
        submission = make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
        )
        client.force_login(officer)

        response = client.post(
            reverse("competitions:submission_comment", args=[submission.pk]),
            {"body": "   "},
        )

        assert response.status_code == 400
        assert not submission.comments.exists()


class TestRulePages:
    def test_an_administrator_adds_a_version_and_previews_it(
        self, client, tree, administrator, competition, initiative, today
    ):
        client.force_login(administrator)

        response = client.post(
            reverse("competitions:rule_new", args=[competition.pk]),
            {
                "activity_type": initiative.pk,
                "effective_from": today.isoformat(),
                "points_per_event": "120",
                "points_per_quantity": "0",
                "max_quantity": "1",
                "cap_period": "week",
            },
        )

        rule = initiative.rules.get(version=2)
        assert response.status_code == 302 and response["Location"].endswith(
            f"/rules/{rule.pk}/recalculate/"
        )
        assert client.get(response["Location"]).status_code == 200

    def test_two_versions_from_the_same_date_are_refused(
        self, client, tree, administrator, competition, initiative
    ):
        client.force_login(administrator)

        response = client.post(
            reverse("competitions:rule_new", args=[competition.pk]),
            {
                "activity_type": initiative.pk,
                "effective_from": competition.starts_on.isoformat(),
                "points_per_event": "5",
                "points_per_quantity": "0",
                "max_quantity": "1",
                "cap_period": "week",
            },
        )

        assert response.status_code == 400
        assert initiative.rules.count() == 1

    def test_officers_and_reviewers_cannot_touch_rules(
        self, client, tree, officer, reviewer, competition, initiative
    ):
        rule = initiative.rules.get()
        for user in (officer, reviewer):
            client.force_login(user)
            assert (
                client.get(
                    reverse("competitions:rule_new", args=[competition.pk])
                ).status_code
                == 404
            )
            assert (
                client.post(
                    reverse("competitions:rule_recalculate", args=[rule.pk])
                ).status_code
                == 404
            )


@pytest.mark.parametrize("token", ["not-a-uuid", "", "0" * 200])
def test_a_forged_form_token_is_refused_with_a_message_not_a_500(
    client, tree, officer, competition, community_class, token
):
    client.force_login(officer)

    response = client.post(
        reverse("competitions:submission_new"),
        form_data(tree, competition, community_class, action="draft", form_token=token),
    )

    assert response.status_code == 400
    assert "Tải lại trang" in response.content.decode()
    assert Submission.objects.count() == 0


def test_an_administrator_revokes_points_from_the_page(
    client, tree, officer, reviewer, administrator, competition, community_class
):
    from competitions import services
    from tests.competitions.conftest import TEST_ORIGIN

    submission = make_submission(
        officer=officer,
        unit=tree["ho_lien"],
        competition=competition,
        activity_type=community_class,
    )
    services.approve_submission(
        submission=submission, reviewer=reviewer, at=timezone.now(), origin=TEST_ORIGIN
    )
    client.force_login(administrator)

    refused = client.post(
        reverse("competitions:submission_revoke", args=[submission.pk]), {"reason": ""}
    )
    response = client.post(
        reverse("competitions:submission_revoke", args=[submission.pk]),
        {"reason": "Khai không đúng"},
    )

    assert refused.status_code == 400
    assert response.status_code == 302
    assert sum(PointEntry.objects.values_list("points", flat=True)) == 0


class TestTheFormOnAPhone:
    def test_the_officers_own_unit_is_chosen_already(self, client, tree, officer):
        from units.services import create_unit

        create_unit(
            parent=tree["ho_lien"],
            kind="digital_team",
            name="Tổ công nghệ số cộng đồng thôn Hồ Liễn",
        )
        client.force_login(officer)

        form = client.get(reverse("competitions:submission_new")).context["form"]

        assert form["unit"].value() == tree["ho_lien"].pk
        assert len(form.fields["unit"].queryset) == 2
