"""The request id nginx gives a request reaches the audit trail (README, "Operations")."""

from django.urls import reverse

from competitions.models import Submission
from tests.competitions.test_submission_pages import form_data, upload
from units.models import AuditEvent


class TestRequestIds:
    def test_the_proxys_id_is_answered_and_written_in_the_audit_trail(
        self, client, tree, officer, competition, community_class
    ):
        client.force_login(officer)

        response = client.post(
            reverse("competitions:submission_new"),
            {**form_data(tree, competition, community_class), "evidence": [upload()]},
            HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef",
        )

        submission = Submission.objects.get()
        event = AuditEvent.objects.get(
            object_id=submission.pk, action="submission.created"
        )
        assert response["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
        assert event.request_id == "0123456789abcdef0123456789abcdef"
