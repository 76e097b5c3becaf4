"""Badge pages: catalogue with progress, walls, the assertion page, by hand, API."""

import io
import json

import pytest
from django.utils import timezone
from PIL import Image

from badges import services
from badges.models import Assertion, BadgeClass
from tests.badges.conftest import complete
from tests.competitions.conftest import TEST_ORIGIN
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def awarded(mentor, mentees, course):
    for mentee in mentees[:5]:
        complete(mentee, course)
    return Assertion.objects.get(badge_slug="dai-su-so")


def sign_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)


class TestCatalogue:
    def test_lists_the_badges_with_their_criteria_in_plain_vietnamese(self, client, db):
        response = client.get("/badges/")

        page = response.content.decode()
        assert response.status_code == 200
        assert "Đại sứ số" in page and "Thôn số" in page
        assert (
            "Có ít nhất 5 người học hoàn thành khóa học sau khi nhận lời hướng dẫn"
            in page
        )
        assert "Ít nhất 80\u00a0% số hộ của đơn vị là “Gia đình số”" in page
        assert response["Cache-Control"].startswith("public")

    def test_a_signed_in_mentor_sees_how_far_they_are(
        self, client, mentor, mentees, course
    ):
        for mentee in mentees[:3]:
            complete(mentee, course)
        sign_in(client, mentor.user)

        page = client.get("/badges/").content.decode()

        assert "3 trên 5 — Người học đã hoàn thành khóa học" in page
        assert "Tiến độ của bạn tới hạng Đồng" in page

    def test_costs_a_fixed_number_of_queries(
        self, client, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(25):
            client.get("/badges/")


class TestAssertionPage:
    def test_a_browser_gets_the_page_with_a_qr_code_and_the_evidence(
        self, client, awarded, mentor
    ):
        response = client.get(f"/badges/assertions/{awarded.uid}/", **HTML)

        page = response.content.decode()
        assert response.status_code == 200
        assert mentor.display_name in page
        assert "<svg" in page and "Kiểm tra" in page
        assert 'property="og:image"' in page and "/preview.png" in page
        assert "Có ít nhất 5 người học" in page and "<strong>5</strong>" in page

    def test_a_verifier_gets_the_json_ld_at_the_same_address(self, client, awarded):
        response = client.get(
            f"/badges/assertions/{awarded.uid}/", HTTP_ACCEPT="application/ld+json"
        )

        document = response.json()
        assert response["Content-Type"].startswith("application/ld+json")
        assert document["id"] == f"http://testserver/badges/assertions/{awarded.uid}/"
        assert document["recipient"]["hashed"] is True
        assert document["recipient"]["identity"].startswith("sha256$")
        assert "Trần Văn Học" not in json.dumps(document, ensure_ascii=False)
        assert document["evidence"][0]["id"].endswith("#evidence")
        assert "Vary" in response and "Accept" in response["Vary"]

    def test_a_revoked_badge_answers_410_with_its_reason_and_its_page_says_so(
        self, client, awarded, administrator
    ):
        services.revoke_assertion(
            assertion=awarded,
            reason="Khai man",
            by=administrator,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )

        data = client.get(
            f"/badges/assertions/{awarded.uid}/", HTTP_ACCEPT="application/json"
        )
        page = client.get(f"/badges/assertions/{awarded.uid}/", **HTML)

        assert data.status_code == 410
        assert data.json()["revoked"] is True
        assert data.json()["revocationReason"] == "Khai man"
        assert page.status_code == 410
        assert "Huy hiệu này đã bị thu hồi" in page.content.decode()
        assert (
            client.get(f"/badges/assertions/{awarded.uid}/image.png").status_code == 410
        )

    def test_an_unknown_badge_is_a_404_with_a_vietnamese_message(self, client, db):
        response = client.get(
            "/badges/assertions/7d3c1e9a-0000-4000-8000-000000000000/",
            HTTP_ACCEPT="application/ld+json",
        )

        assert response.status_code == 404
        assert "Không có huy hiệu nào" in response.json()["message"]
        assert client.get("/badges/assertions/khong-phai-uuid/").status_code == 404

    @pytest.mark.parametrize(
        "address",
        [
            "/badges/assertions/khong-phai-uuid/",
            "/badges/assertions/%00/",
            "/badges/assertions/khong-phai-uuid/image.png",
            "/badges/classes/abc/",
            "/badges/keys/ngan/",
            "/badges/khong-co/",
        ],
    )
    def test_an_address_that_is_not_a_badges_is_a_json_404_to_a_verifier(
        self, client, db, address
    ):
        verifier = client.get(address, HTTP_ACCEPT="application/ld+json")
        browser = client.get(address, **HTML)

        assert verifier.status_code == 404
        assert verifier["Content-Type"].startswith("application/json")
        assert "Không có huy hiệu nào" in verifier.json()["message"]
        assert browser.status_code == 404
        assert browser["Content-Type"].startswith("text/html")


class TestImages:
    def test_the_baked_png_carries_the_assertion_and_an_etag(self, client, awarded):
        response = client.get(f"/badges/assertions/{awarded.uid}/image.png")

        image = Image.open(io.BytesIO(response.content))
        baked = json.loads(image.text["openbadges"])
        assert response["Content-Type"] == "image/png"
        assert baked["id"].endswith(f"/badges/assertions/{awarded.uid}/")
        again = client.get(
            f"/badges/assertions/{awarded.uid}/image.png",
            HTTP_IF_NONE_MATCH=response["ETag"],
        )
        assert again.status_code == 304

    def test_previews_are_1200_by_630_and_rendered_once(
        self, client, awarded, mentor, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        for address in (
            f"/badges/assertions/{awarded.uid}/preview.png",
            f"/badges/people/{mentor.pk}/preview.png",
            f"/badges/units/{mentor.memberships.get().unit_id}/preview.png",
        ):
            response = client.get(address)
            assert Image.open(io.BytesIO(response.content)).size == (1200, 630), address
        cached = sorted(p.name for p in (tmp_path / "badges" / "cache").iterdir())

        client.get(f"/badges/assertions/{awarded.uid}/preview.png")

        assert (
            sorted(p.name for p in (tmp_path / "badges" / "cache").iterdir()) == cached
        )

    def test_badge_art_draws_vietnamese_names(self, client, db):
        badge_class = BadgeClass.objects.get(slug="dang-vien-tien-phong")

        response = client.get(f"/badges/classes/{badge_class.pk}/image.png")

        assert Image.open(io.BytesIO(response.content)).size == (600, 600)


class TestWalls:
    def test_a_persons_wall_shows_their_badges_with_a_link_preview(
        self, client, awarded, mentor
    ):
        page = client.get(f"/badges/people/{mentor.pk}/").content.decode()

        assert "Đại sứ số" in page and "Đồng" in page
        assert f"/badges/people/{mentor.pk}/preview.png" in page

    def test_a_units_wall_and_its_panel_on_the_unit_page(self, client, council, tree):
        from units.models import Unit
        from units.services import create_unit

        team = create_unit(
            parent=tree["ho_lien"], kind=Unit.Kind.DIGITAL_TEAM, name="Tổ CNS Hồ Liễn"
        )
        services.award_badge(
            badge_class=BadgeClass.objects.get(slug="to-cong-nghe-so-tieu-bieu"),
            unit=team,
            reason="Hỗ trợ 300 người dân cài VNeID",
            by=council,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )

        wall = client.get(f"/badges/units/{team.pk}/").content.decode()
        unit_page = client.get(f"/units/{team.pk}/").content.decode()

        assert "Tổ công nghệ số cộng đồng tiêu biểu" in wall
        assert f"/badges/units/{team.pk}/" in unit_page

    def test_an_anonymous_person_stays_anonymous_on_their_wall(
        self, client, awarded, mentor
    ):
        mentor.appears_anonymously = True
        mentor.save()

        page = client.get(f"/badges/people/{mentor.pk}/").content.decode()

        assert mentor.display_name not in page
        assert "Ẩn danh" in page

    def test_a_board_page_has_a_link_preview(self, client, tree, learning_competition):
        board = f"{learning_competition.pk}-{tree['province'].pk}-village-week-points"

        page = client.get(f"/leaderboards/{board}/").content.decode()

        assert f"/badges/previews/boards/{board}.png" in page
        preview = client.get(f"/badges/previews/boards/{board}.png")
        assert Image.open(io.BytesIO(preview.content)).size == (1200, 630)


class TestByHand:
    def test_a_council_member_awards_through_the_form(self, client, council, tree):
        sign_in(client, council)
        badge_class = BadgeClass.objects.get(slug="thon-so")

        response = client.post(
            "/badges/award/",
            {
                "badge": badge_class.pk,
                "recipient": f"u-{tree['ho_lien'].pk}",
                "reason": "Đạt 85% theo báo cáo xã",
            },
        )

        made = Assertion.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/badges/assertions/{made.uid}/"
        assert made.reason == "Đạt 85% theo báo cáo xã"

    def test_without_a_reason_the_form_says_so_and_awards_nothing(
        self, client, council, tree
    ):
        sign_in(client, council)
        badge_class = BadgeClass.objects.get(slug="thon-so")

        response = client.post(
            "/badges/award/",
            {
                "badge": badge_class.pk,
                "recipient": f"u-{tree['ho_lien'].pk}",
                "reason": "",
            },
        )

        assert response.status_code == 400
        assert "Hãy ghi lý do trao huy hiệu" in response.content.decode()
        assert not Assertion.objects.exists()

    def test_outside_ones_scope_is_refused_and_nothing_awarded(
        self, client, council, tree
    ):
        sign_in(client, council)
        badge_class = BadgeClass.objects.get(slug="thon-so")

        response = client.post(
            "/badges/award/",
            {
                "badge": badge_class.pk,
                "recipient": f"u-{tree['cay'].pk}",
                "reason": "Thử",
            },
        )

        assert response.status_code == 400
        assert not Assertion.objects.exists()

    def test_people_without_the_role_do_not_find_the_form(self, client, officer):
        sign_in(client, officer)

        assert client.get("/badges/award/").status_code == 404

    def test_revoking_through_the_page_needs_a_reason(self, client, council, awarded):
        sign_in(client, council)

        refused = client.post(
            f"/badges/assertions/{awarded.uid}/revoke/", {"reason": " "}
        )
        done = client.post(
            f"/badges/assertions/{awarded.uid}/revoke/", {"reason": "Khai man"}
        )

        assert refused.status_code == 400
        assert done.status_code == 302
        awarded.refresh_from_db()
        assert awarded.revocation_reason == "Khai man"

    def test_an_outsider_cannot_reach_the_revoke_page(self, client, outsider, awarded):
        sign_in(client, outsider)

        assert (
            client.get(f"/badges/assertions/{awarded.uid}/revoke/").status_code == 404
        )


class TestApi:
    def test_recent_lists_public_awards_with_their_ids(
        self, client, awarded, administrator
    ):
        response = client.get("/api/v1/badges/recent/?limit=5")

        [item] = response.json()["assertions"]
        assert item["id"] == f"http://testserver/badges/assertions/{awarded.uid}/"
        assert item["badge"]["name"] == "Đại sứ số"
        assert item["level"] == "bronze"
        assert (
            client.get(
                "/api/v1/badges/recent/", HTTP_IF_NONE_MATCH=response["ETag"]
            ).status_code
            == 304
        )

    def test_a_bad_limit_is_a_400_in_vietnamese(self, client, db):
        response = client.get("/api/v1/badges/recent/?limit=1000")

        assert response.status_code == 400
        assert response.json()["error"] == "bad_parameter"
