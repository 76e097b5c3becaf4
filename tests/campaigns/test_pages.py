"""Campaign pages through HTTP: the public page and the big screen without signing
in, the organiser's journey, and every refusal as the user sees it (Vietnamese,
a 4xx, nothing changed)."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from campaigns import services
from campaigns.models import Campaign, Enrolment, Goal, Snapshot
from competitions.models import Evidence, Submission
from leaderboards import projector
from learning import codes
from tests.campaigns.conftest import check_in, photo
from tests.competitions.conftest import TEST_ORIGIN
from units.models import Role
from units.services import grant_role

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def counts():
    return (
        Submission.objects.count(),
        Evidence.objects.count(),
        Enrolment.objects.count(),
        Snapshot.objects.count(),
        list(Goal.objects.order_by("pk").values_list("target", flat=True)),
    )


@pytest.fixture
def verified(campaign, member, organiser, union):
    submission = check_in(campaign, member, union["ho_lien"], quantity=15)
    services.verify_check_in(
        campaign=campaign,
        submission_id=submission.pk,
        approve=True,
        by=organiser,
        at=timezone.now(),
        origin=TEST_ORIGIN,
    )
    projector.catch_up()
    return submission


class TestPublicPage:
    def test_a_visitor_sees_progress_board_countdown_and_feed_without_a_cookie(
        self, client, campaign, verified
    ):
        response = client.get(f"/campaigns/{campaign.pk}/")

        page = text(response)
        assert response.status_code == 200
        assert "public" in response["Cache-Control"]
        assert not response.cookies
        assert "Chi đoàn Hồ Liễn" in page and "Chi đoàn Quán Gỏi" in page
        assert "Tiến độ của từng chi đoàn" in page
        assert "Theo % chỉ tiêu" in page
        assert re.search(r"\d+ ngày \d+ giờ \d+ phút", page)
        assert f"/campaigns/{campaign.pk}/checkins/{verified.pk}/photo.jpg" in page
        assert '<progress max="4" value="1"' in page

    def test_costs_the_same_queries_with_more_check_ins(
        self,
        client,
        campaign,
        verified,
        member,
        organiser,
        union,
        django_assert_max_num_queries,
    ):
        for seed in range(20, 24):
            submission = check_in(campaign, member, union["ho_lien"], pattern=seed)
            services.verify_check_in(
                campaign=campaign,
                submission_id=submission.pk,
                approve=True,
                by=organiser,
                at=timezone.now(),
                origin=TEST_ORIGIN,
            )
        from campaigns import selectors

        selectors.forget()

        with django_assert_max_num_queries(16):
            client.get(f"/campaigns/{campaign.pk}/")

    def test_a_verified_photo_is_public_and_a_pending_one_is_not(
        self, client, campaign, verified, member, union
    ):
        pending = check_in(campaign, member, union["ho_lien"], pattern=31)

        shown = client.get(f"/campaigns/{campaign.pk}/checkins/{verified.pk}/photo.jpg")
        hidden = client.get(f"/campaigns/{campaign.pk}/checkins/{pending.pk}/photo.jpg")

        assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
        assert shown.content[:2] == b"\xff\xd8"
        assert hidden.status_code == 404

    def test_the_big_screen_has_its_qr_code_and_the_boards(
        self, client, campaign, verified
    ):
        response = client.get(f"/campaigns/{campaign.pk}/screen/")

        page = text(response)
        assert response.status_code == 200
        assert "<svg" in page and f"/campaigns/{campaign.pk}/" in page
        assert "Theo dõi trên điện thoại" in page
        assert page.count('class="screen-panel"') == 4

    def test_a_missing_campaign_is_a_404(self, client, db):
        assert client.get("/campaigns/999999/").status_code == 404


class TestOrganiser:
    def test_creates_from_a_template_and_sees_the_code_once(
        self, client, organiser, union
    ):
        client.force_login(organiser)

        response = client.post(
            "/campaigns/new/",
            {
                "template": "ngay-hoi-10-10",
                "organiser": union["youth"].pk,
                "starts_on": timezone.localdate().isoformat(),
            },
            follow=True,
        )

        campaign = Campaign.objects.get()
        assert response.redirect_chain[-1][0] == f"/campaigns/{campaign.pk}/manage/"
        code = re.search(
            r"Mã tham gia là ([0-9A-Z]{4} [0-9A-Z]{4} [0-9A-Z]{4})", text(response)
        )
        assert code
        codes.normalise(code.group(1))
        assert campaign.is_festival
        again = client.get(f"/campaigns/{campaign.pk}/manage/")
        assert code.group(1) not in text(again)

    def test_someone_else_finds_no_manage_page(self, client, campaign, member):
        client.force_login(member)

        assert client.get(f"/campaigns/{campaign.pk}/manage/").status_code == 404

    def test_verifies_a_check_in_from_the_manage_page(
        self, client, campaign, organiser, member, union
    ):
        pending = check_in(campaign, member, union["ho_lien"])
        client.force_login(organiser)
        page = client.get(f"/campaigns/{campaign.pk}/manage/")

        response = client.post(
            f"/campaigns/{campaign.pk}/checkins/{pending.pk}/verify/",
            {"decision": "approve"},
        )

        assert f"/campaigns/{campaign.pk}/checkins/{pending.pk}/photo.jpg" in text(page)
        assert response.status_code == 302
        assert Submission.objects.get(pk=pending.pk).status == "approved"

    def test_closing_shows_the_frozen_results(self, client, campaign, organiser):
        client.force_login(organiser)

        response = client.post(f"/campaigns/{campaign.pk}/close/", follow=True)

        assert response.status_code == 200
        assert "kết quả chốt lúc đóng chiến dịch" in text(response)


class TestRefusals:
    """Each bad input: refused in Vietnamese, a 4xx, nothing changed."""

    def _check_in(self, client, campaign, unit, goal, **changes):
        data = {
            "unit": unit.pk,
            "goal": goal.pk,
            "occurred_on": timezone.localdate().isoformat(),
            "quantity": "10",
            "photo": photo(41),
        }
        data.update(changes)
        return client.post(f"/campaigns/{campaign.pk}/checkin/", data)

    def test_a_check_in_outside_the_period(self, client, campaign, member, union):
        client.force_login(member)
        before = counts()

        response = self._check_in(
            client,
            campaign,
            union["ho_lien"],
            campaign.goals.get(metric="classes_held"),
            occurred_on=(campaign.starts_on - timedelta(days=1)).isoformat(),
        )

        assert response.status_code == 400
        assert "phải trong thời gian chiến dịch" in text(response)
        assert counts() == before

    def test_a_check_in_for_a_branch_not_enrolled(self, client, campaign, union):
        from tests.conftest import make_user

        student = make_user("hs", unit=union["school"])
        client.force_login(student)
        before = counts()

        response = self._check_in(
            client, campaign, union["school"], campaign.goals.get(metric="classes_held")
        )

        assert response.status_code == 404
        assert "Chỉ đoàn viên của chi đoàn tham gia mới được báo cáo" in text(response)
        assert counts() == before

    def test_a_check_in_by_a_non_member(self, client, campaign, second_member, union):
        client.force_login(second_member)
        before = counts()

        response = self._check_in(
            client,
            campaign,
            union["ho_lien"],
            campaign.goals.get(metric="classes_held"),
        )

        assert response.status_code == 404
        assert "Chỉ đoàn viên của chi đoàn tham gia mới được báo cáo" in text(response)
        assert counts() == before

    def test_a_duplicate_photo(self, client, campaign, member, union):
        check_in(campaign, member, union["ho_lien"], pattern=41)
        client.force_login(member)
        before = counts()

        response = self._check_in(
            client,
            campaign,
            union["ho_lien"],
            campaign.goals.get(metric="classes_held"),
        )

        assert response.status_code == 400
        assert "Ảnh này đã được gửi trước đây" in text(response)
        assert counts() == before

    @pytest.mark.parametrize(
        "target,said",
        [
            ("0", "Chỉ tiêu phải từ 1 trở lên"),
            ("-3", "Chỉ tiêu phải từ 1 trở lên"),
            ("5000000", "không hợp lý"),
        ],
    )
    def test_a_target_at_or_below_zero_or_absurd(
        self, client, campaign, organiser, target, said
    ):
        client.force_login(organiser)
        before = counts()

        response = client.post(
            f"/campaigns/{campaign.pk}/targets/", {"target_classes_held": target}
        )

        assert response.status_code == 400
        assert said in text(response)
        assert counts() == before

    @pytest.mark.parametrize("step", ["targets", "enrol", "code", "close"])
    def test_editing_a_closed_campaign(self, client, campaign, organiser, union, step):
        services.close_campaign(
            campaign=campaign, by=organiser, at=timezone.now(), origin=TEST_ORIGIN
        )
        client.force_login(organiser)
        before = counts()
        data = {
            "targets": {"target_classes_held": "9"},
            "enrol": {"unit": union["school"].pk},
        }

        response = client.post(f"/campaigns/{campaign.pk}/{step}/", data.get(step, {}))

        assert response.status_code == 409
        assert "Chiến dịch đã đóng; kết quả đã được chốt" in text(response)
        assert counts() == before

    def test_a_join_code_guessed_in_a_burst(self, client, created, member, union):
        cache.clear()
        client.force_login(member)
        answers = [
            client.post(
                "/campaigns/join/",
                {"unit": union["ho_lien"].pk, "code": codes.new_code()},
            ).status_code
            for _guess in range(5)
        ]

        locked = client.post(
            "/campaigns/join/",
            {"unit": union["ho_lien"].pk, "code": created.join_code},
        )

        assert answers == [400] * 5
        assert locked.status_code == 429
        assert "Đã nhập sai mã quá nhiều lần" in text(locked)
        assert not Enrolment.objects.exists()

    def test_a_member_joins_with_the_right_code(self, client, created, member, union):
        client.force_login(member)

        response = client.post(
            "/campaigns/join/", {"unit": union["ho_lien"].pk, "code": created.join_code}
        )

        assert response.status_code == 302
        assert Enrolment.objects.get().via == "code"


def test_an_organiser_role_on_a_branch_cannot_organise_the_union(
    client, campaign, member, union
):
    grant_role(user=member, unit=union["ho_lien"], kind=Role.Kind.CAMPAIGN_ORGANISER)
    client.force_login(member)

    response = client.post(f"/campaigns/{campaign.pk}/close/")

    assert response.status_code == 404
    assert not Snapshot.objects.exists()
