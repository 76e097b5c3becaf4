"""Reviewers hear of work entering their queue, and approve several at once."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from competitions import services
from competitions.models import Notification, PointEntry, Submission
from tests.competitions.conftest import TEST_ORIGIN, make_submission, photo_bytes
from tests.conftest import make_user
from tests.learning.conftest import course, learning_competition  # noqa: F401
from units.models import AuditEvent, Role

Status = Submission.Status


@pytest.fixture
def other_reviewer(tree):
    """A reviewer of another commune (Bình Giang): Hồ Liễn is not their area."""
    return make_user("reviewer_bg", unit=tree["binh_giang"], role=Role.Kind.REVIEWER)


@pytest.fixture
def province_reviewer(tree):
    return make_user("reviewer_tinh", unit=tree["province"], role=Role.Kind.REVIEWER)


def notes_of(user):
    return list(Notification.objects.filter(user=user))


def submitted(tree, officer, competition, community_class, *, n=0, by=None):
    return make_submission(
        officer=by or officer,
        unit=tree["ho_lien"],
        competition=competition,
        activity_type=community_class,
        photo=photo_bytes(pattern=n % 7 + 1),
    )


class TestReviewersAreTold:
    def test_a_submission_sent_tells_the_reviewers_whose_area_covers_the_unit(
        self,
        tree,
        officer,
        reviewer,
        province_reviewer,
        other_reviewer,
        competition,
        community_class,
        django_capture_on_commit_callbacks,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            submission = submitted(tree, officer, competition, community_class)

        [note] = notes_of(reviewer)
        assert note.link == f"/submissions/{submission.pk}/"
        assert note.message.startswith("Thôn Hồ Liễn đã gửi “Lớp học cộng đồng (")
        assert len(notes_of(province_reviewer)) == 1
        assert notes_of(other_reviewer) == [] and notes_of(officer) == []

    def test_nobody_is_told_before_the_commit(
        self,
        tree,
        officer,
        reviewer,
        competition,
        community_class,
        django_capture_on_commit_callbacks,
    ):
        # Work that rolled back is nobody's work: the note waits for the commit.
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            submitted(tree, officer, competition, community_class)

        assert notes_of(reviewer) == [] and callbacks

    def test_a_reviewer_who_sends_a_submission_is_not_told_of_it(
        self,
        tree,
        reviewer,
        province_reviewer,
        competition,
        community_class,
        django_capture_on_commit_callbacks,
    ):
        from units.services import grant_role

        grant_role(user=reviewer, unit=tree["ho_lien"], kind=Role.Kind.OFFICER)

        with django_capture_on_commit_callbacks(execute=True):
            submitted(tree, None, competition, community_class, by=reviewer)

        assert notes_of(reviewer) == [] and len(notes_of(province_reviewer)) == 1

    def test_an_appeal_tells_the_other_reviewers_not_the_one_who_rejected(
        self,
        tree,
        officer,
        reviewer,
        province_reviewer,
        competition,
        community_class,
        django_capture_on_commit_callbacks,
    ):
        submission = submitted(tree, officer, competition, community_class)
        now = timezone.now()
        services.reject_submission(
            submission=submission,
            reviewer=reviewer,
            reason="Ảnh mờ",
            at=now,
            origin=TEST_ORIGIN,
        )

        with django_capture_on_commit_callbacks(execute=True):
            services.appeal_submission(
                submission=submission,
                by=officer,
                reason="Đã chụp lại",
                at=now,
                origin=TEST_ORIGIN,
            )

        assert notes_of(reviewer) == []
        [note] = notes_of(province_reviewer)
        assert "khiếu nại" in note.message

    def test_a_reported_completion_tells_the_reviewers(
        self,
        client,
        citizen,
        reviewer,
        other_reviewer,
        course,  # noqa: F811
        learning_competition,  # noqa: F811
        settings,
        tmp_path,
        django_capture_on_commit_callbacks,
    ):
        settings.MEDIA_ROOT = tmp_path / "media"
        client.force_login(citizen)

        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("learning:completion_new"),
                {
                    "training": course.pk,
                    "completed_on": (
                        timezone.localdate() - timedelta(days=1)
                    ).isoformat(),
                    "certificate": SimpleUploadedFile("cc.jpg", photo_bytes()),
                },
            )

        [note] = notes_of(reviewer)
        assert note.message.startswith("Nguyễn Văn An báo cáo đã hoàn thành")
        assert note.link.startswith("/learning/completions/")
        assert notes_of(other_reviewer) == [] and notes_of(citizen) == []


@pytest.fixture
def queue(tree, officer, competition, community_class):
    """Three submissions awaiting review in Hồ Liễn."""
    return [
        submitted(tree, officer, competition, community_class, n=n) for n in range(3)
    ]


def approve(client, ids, **query):
    url = reverse("competitions:review_approve")
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, {"submission": ids}, follow=True)


def said(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


class TestApproveSeveral:
    def test_approves_each_ticked_submission_once(self, client, reviewer, queue):
        client.force_login(reviewer)

        response = approve(client, [s.pk for s in queue], status="submitted")

        assert response.redirect_chain[-1][0] == "/review/?status=submitted"
        assert said(response) == ["Đã duyệt 3 thành tích; điểm đã được cộng."]
        assert {s.status for s in Submission.objects.all()} == {Status.APPROVED}
        assert PointEntry.objects.count() == 3
        assert AuditEvent.objects.filter(action="submission.approved").count() == 3

    def test_the_valid_part_is_done_once_and_the_rest_listed_with_why(
        self, client, tree, reviewer, queue, competition, community_class
    ):
        from units.services import grant_role

        grant_role(user=reviewer, unit=tree["ho_lien"], kind=Role.Kind.OFFICER)
        own = submitted(tree, None, competition, community_class, n=5, by=reviewer)
        decided = queue[0]
        services.approve_submission(
            submission=decided,
            reviewer=make_user("reviewer_x", unit=tree["ke_sat"], role="reviewer"),
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )
        client.force_login(reviewer)

        response = approve(client, [decided.pk, queue[1].pk, own.pk, queue[2].pk])

        messages = said(response)
        assert response.status_code == 200
        assert messages[0] == "Đã duyệt 2 thành tích; điểm đã được cộng."
        assert "đã được quyết định" in messages[1] and "Chưa duyệt:" in messages[1]
        assert "do chính mình gửi" in messages[2]
        assert PointEntry.objects.count() == 3  # the decided one's, and two new
        assert Submission.objects.get(pk=own.pk).status == Status.SUBMITTED

    def test_sent_again_with_a_new_form_it_changes_nothing(
        self, client, reviewer, queue
    ):
        client.force_login(reviewer)
        approve(client, [s.pk for s in queue])
        entries, events = PointEntry.objects.count(), AuditEvent.objects.count()

        response = approve(client, [s.pk for s in queue])

        assert len(said(response)) == 3
        assert all("đã được quyết định" in text for text in said(response))
        assert PointEntry.objects.count() == entries
        assert AuditEvent.objects.count() == events

    def test_a_submission_outside_the_area_is_answered_like_a_missing_one(
        self, client, tree, reviewer, outsider, competition, community_class
    ):
        elsewhere = make_submission(
            officer=outsider,
            unit=tree["cay"],
            competition=competition,
            activity_type=community_class,
        )
        client.force_login(reviewer)

        foreign = approve(client, [elsewhere.pk])
        missing = approve(client, [elsewhere.pk + 1000])

        assert (
            said(foreign)
            == said(missing)
            == [
                "1 thành tích đã chọn không có trong khu vực của bạn; không có gì thay "
                "đổi."
            ]
        )
        assert Submission.objects.get(pk=elsewhere.pk).status == Status.SUBMITTED

    @pytest.mark.parametrize("ids", [[], ["abc"], ["😀"], [" "]])
    def test_nothing_or_nonsense_ticked_says_what_to_do(self, client, reviewer, ids):
        client.force_login(reviewer)

        response = approve(client, ids)

        assert response.status_code == 200
        assert said(response) == ["Hãy đánh dấu các thành tích cần duyệt trước."]

    def test_only_reviewers_may(self, client, officer, queue):
        client.force_login(officer)

        response = client.post(
            reverse("competitions:review_approve"), {"submission": [queue[0].pk]}
        )

        assert response.status_code == 404
        assert Submission.objects.get(pk=queue[0].pk).status == Status.SUBMITTED

    def test_the_queue_offers_a_tick_box_for_each_submission_awaiting_review(
        self, client, reviewer, queue
    ):
        client.force_login(reviewer)

        html = client.get(reverse("competitions:review")).content.decode()

        assert html.count('name="submission"') == 3
        assert 'action="/review/approve/"' in html


class TestQueueSearch:
    @pytest.mark.parametrize(
        ("query", "note"),
        [
            ("   ", "Hãy gõ một phần tên để tìm."),
            ("😀", ""),
            ("Hồ" * 5000, "Chỉ tìm theo 100 ký tự đầu."),
        ],
    )
    def test_odd_searches_answer_in_words(self, client, reviewer, queue, query, note):
        client.force_login(reviewer)

        response = client.get(reverse("competitions:review"), {"q": query})

        html = response.content.decode()
        assert response.status_code == 200
        assert note in html
        if query.strip():
            assert "Không có thành tích nào của đơn vị tên" in html

    def test_a_name_typed_with_combining_marks_finds_the_unit(
        self, client, reviewer, queue
    ):
        client.force_login(reviewer)
        decomposed = "Ho\u0302\u0300 Lie\u0302\u0303n"  # "Hồ Liễn", NFD

        response = client.get(reverse("competitions:review"), {"q": decomposed})

        assert len(response.context["page"]) == 3
