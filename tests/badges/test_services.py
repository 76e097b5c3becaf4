"""Awarding by hand and revoking: with a reason, inside one's scope, once."""

import pytest
from django.utils import timezone

from badges import services
from badges.models import Assertion, BadgeClass
from competitions.models import Notification
from tests.badges.conftest import committed
from tests.competitions.conftest import TEST_ORIGIN
from units.models import AuditEvent

pytestmark = pytest.mark.django_db


def award(
    by,
    *,
    slug="to-cong-nghe-so-tieu-bieu",
    reason="Tổ hỗ trợ 300 người dân",
    **recipient,
):
    return services.award_badge(
        badge_class=BadgeClass.objects.get(slug=slug, status="published"),
        reason=reason,
        by=by,
        at=timezone.now(),
        origin=TEST_ORIGIN,
        **recipient,
    )


@pytest.fixture
def team(tree):
    from units.models import Unit
    from units.services import create_unit

    return create_unit(
        parent=tree["ho_lien"], kind=Unit.Kind.DIGITAL_TEAM, name="Tổ CNS thôn Hồ Liễn"
    )


class TestAwardByHand:
    def test_a_council_member_awards_a_unit_of_their_commune_with_a_reason(
        self, council, team
    ):
        assertion = award(council, unit=team)

        assert assertion.reason == "Tổ hỗ trợ 300 người dân"
        assert assertion.awarded_by == council
        assert AuditEvent.objects.filter(
            action="badge.award", object_id=assertion.pk
        ).exists()

    def test_a_person_is_notified_of_a_badge_awarded_by_hand(self, council, mentor):
        with committed():
            assertion = award(council, slug="dai-su-so", person=mentor, level="gold")

        assert Notification.objects.filter(
            user=mentor.user, link__contains=str(assertion.uid)
        ).exists()

    def test_without_a_reason_nothing_is_awarded(self, council, team):
        with pytest.raises(services.BadgeError) as error:
            award(council, unit=team, reason="   ")

        assert "lý do" in error.value.message
        assert not Assertion.objects.exists()

    def test_outside_ones_scope_nothing_is_awarded(self, council, tree):
        from units.models import Unit
        from units.services import create_unit

        far_team = create_unit(
            parent=tree["cay"], kind=Unit.Kind.DIGITAL_TEAM, name="Tổ CNS thôn Cậy"
        )

        with pytest.raises(services.NotAllowed):
            award(council, unit=far_team)

        assert not Assertion.objects.exists()

    def test_an_officer_may_not_award_badges(self, officer, team):
        with pytest.raises(services.NotAllowed):
            award(officer, unit=team)

    def test_a_second_award_of_the_same_badge_is_refused(self, council, team):
        award(council, unit=team)

        with pytest.raises(services.BadgeError) as error:
            award(council, unit=team, reason="Lần nữa")

        assert "đã được trao" in error.value.message
        assert Assertion.objects.count() == 1

    def test_a_person_badge_is_not_awarded_to_a_unit(self, council, team):
        with pytest.raises(services.BadgeError):
            award(council, slug="dai-su-so", unit=team, level="bronze")


class TestRevoke:
    def test_revoking_needs_a_reason_and_is_recorded(self, council, team):
        assertion = award(council, unit=team)

        with pytest.raises(services.BadgeError):
            services.revoke_assertion(
                assertion=assertion,
                reason="",
                by=council,
                at=timezone.now(),
                origin=TEST_ORIGIN,
            )
        services.revoke_assertion(
            assertion=assertion,
            reason="Khai sai số người được hỗ trợ",
            by=council,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )

        assertion.refresh_from_db()
        assert assertion.is_revoked
        assert assertion.revocation_reason == "Khai sai số người được hỗ trợ"
        assert AuditEvent.objects.filter(action="badge.revoke").count() == 1

    def test_revoking_outside_ones_scope_is_refused(self, council, outsider, team):
        assertion = award(council, unit=team)

        with pytest.raises(services.NotAllowed):
            services.revoke_assertion(
                assertion=assertion,
                reason="Sai",
                by=outsider,
                at=timezone.now(),
                origin=TEST_ORIGIN,
            )

        assertion.refresh_from_db()
        assert not assertion.is_revoked
