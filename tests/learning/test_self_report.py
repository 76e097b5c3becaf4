"""A learner reports a completion with a certificate photo; a reviewer decides."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from competitions.models import Notification, PointEntry
from learning.forms import SelfReportForm
from learning.models import Completion
from tests.competitions.conftest import photo_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _report(client, training, *, photo=None, days_ago=1, name="chung-chi.jpg"):
    return client.post(
        reverse("learning:completion_new"),
        {
            "training": training.pk,
            "completed_on": (
                timezone.localdate() - timedelta(days=days_ago)
            ).isoformat(),
            "certificate_number": "BDHVS-123",
            "certificate": SimpleUploadedFile(
                name, photo if photo is not None else photo_bytes()
            ),
        },
    )


def _points(person) -> int:
    return PointEntry.objects.filter(person=person).aggregate(t=Sum("points"))["t"] or 0


class TestSelfReport:
    def test_report_waits_for_review_then_credits_once(
        self, client, citizen, reviewer, course, learning_competition
    ):
        client.force_login(citizen)
        response = _report(client, course)
        completion = Completion.objects.get()
        assert response.status_code == 302
        assert completion.status == "pending" and _points(citizen.person) == 0

        client.force_login(reviewer)
        decide = reverse("learning:completion_decide", args=[completion.pk])
        client.post(decide, {"decision": "approve"})
        replay = client.post(decide, {"decision": "approve"})

        assert replay.status_code == 400
        assert _points(citizen.person) == 10
        assert Notification.objects.filter(user=citizen).count() == 1

    def test_a_second_report_of_the_same_training_is_409(self, client, citizen, course):
        client.force_login(citizen)
        _report(client, course)

        response = _report(client, course)

        assert response.status_code == 409
        assert Completion.objects.count() == 1

    @pytest.mark.parametrize(
        "photo,name",
        [
            (b"%PDF-1.4 not a photo", "a.pdf"),
            (b"", "empty.jpg"),
            (b"\x00" * 100, "x.jpg"),
        ],
    )
    def test_a_file_that_is_not_a_photo_is_refused(
        self, client, citizen, course, photo, name
    ):
        client.force_login(citizen)

        response = _report(client, course, photo=photo, name=name)

        assert response.status_code == 400
        assert not Completion.objects.exists()

    def test_an_oversized_photo_is_refused(self, client, citizen, course):
        client.force_login(citizen)

        response = _report(
            client, course, photo=b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 10)
        )

        assert response.status_code == 400
        assert not Completion.objects.exists()

    def test_an_oversized_photo_is_judged_by_its_size_and_never_read(
        self, citizen, course
    ):
        class Unread(SimpleUploadedFile):
            def read(self, *args):
                raise AssertionError("an oversized certificate was read")

        certificate = Unread("chung-chi.jpg", b"\xff\xd8")
        certificate.size = 10 * 1024 * 1024 + 1
        form = SelfReportForm(
            {"training": course.pk, "completed_on": timezone.localdate().isoformat()},
            {"certificate": certificate},
        )

        assert not form.is_valid()
        assert "lớn hơn 10 MB" in form.errors["certificate"][0]

    def test_a_future_date_is_refused(self, client, citizen, course):
        client.force_login(citizen)

        response = _report(client, course, days_ago=-2)

        assert response.status_code == 400
        assert not Completion.objects.exists()

    def test_a_rejection_needs_a_reason(self, client, citizen, reviewer, course):
        client.force_login(citizen)
        _report(client, course)
        completion = Completion.objects.get()
        client.force_login(reviewer)

        response = client.post(
            reverse("learning:completion_decide", args=[completion.pk]),
            {"decision": "reject"},
        )

        assert response.status_code == 400
        completion.refresh_from_db()
        assert completion.status == "pending"

    def test_an_overlong_reason_is_a_400_and_nothing_is_decided(
        self, client, citizen, reviewer, course
    ):
        client.force_login(citizen)
        _report(client, course)
        completion = Completion.objects.get()
        client.force_login(reviewer)

        response = client.post(
            reverse("learning:completion_decide", args=[completion.pk]),
            {"decision": "reject", "reason": "x" * 2001},
        )

        assert response.status_code == 400
        completion.refresh_from_db()
        assert completion.status == "pending"

    def test_the_certificate_is_shown_to_the_learner_and_reviewer_only(
        self, client, citizen, reviewer, outsider, course
    ):
        client.force_login(citizen)
        _report(client, course)
        url = reverse("learning:certificate", args=[Completion.objects.get().pk])

        own = client.get(url)
        client.force_login(reviewer)
        reviewed = client.get(url)
        client.force_login(outsider)
        forged = client.get(url)

        assert own.status_code == 200 and own["Content-Type"] == "image/jpeg"
        assert reviewed.status_code == 200
        assert forged.status_code == 404

    def test_a_certificate_whose_file_is_gone_is_not_found(
        self, client, citizen, course
    ):
        client.force_login(citizen)
        _report(client, course)
        completion = Completion.objects.get()
        completion.certificate.storage.delete(completion.certificate.name)

        response = client.get(reverse("learning:certificate", args=[completion.pk]))

        assert response.status_code == 404

    def test_the_review_queue_lists_reports_in_scope(
        self, client, citizen, reviewer, outsider, course, django_assert_max_num_queries
    ):
        client.force_login(citizen)
        _report(client, course)
        client.force_login(reviewer)

        with django_assert_max_num_queries(12):
            mine = client.get(reverse("learning:completion_review"))
        client.force_login(outsider)
        other = client.get(reverse("learning:completion_review"))

        assert course.title in mine.text
        assert other.status_code == 404
