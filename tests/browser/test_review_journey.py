"""In a real browser: an officer submits with a photo, a reviewer approves, points roll up."""

import re
import uuid
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from competitions.models import PointEntry, Submission
from tests.competitions.conftest import photo_bytes
from tests.conftest import PASSWORD


def sign_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập hoặc email").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    # Each role lands where its work is (units/landing.py).
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def submit_class(page, base_url, *, quantity="25"):
    page.goto(base_url + "/submissions/new/")
    page.get_by_label("Hoạt động:", exact=True).select_option(label="Lớp học cộng đồng")
    page.get_by_label("Ngày diễn ra hoạt động").fill(
        (timezone.localdate() - timedelta(days=1)).isoformat()
    )
    page.get_by_label("Số lượng").fill(quantity)
    page.get_by_label("Cá nhân được ghi điểm").select_option(label="Vũ Thị Lan")
    page.get_by_label("Mô tả").fill("Lớp hướng dẫn VNeID tại nhà văn hóa")
    page.get_by_label("Minh chứng").set_input_files(
        files=[
            {
                "name": "lop-hoc.jpg",
                "mimeType": "image/jpeg",
                "buffer": photo_bytes(pattern=4),
            }
        ]
    )
    page.get_by_role("button", name="Gửi thẩm định").click()
    expect(page.locator(".status")).to_have_text("Chờ thẩm định")
    return Submission.objects.latest("pk")


def test_officer_submits_reviewer_approves_and_points_roll_up(
    browser,
    live_asgi,
    transactional_db,
    tree,
    officer,
    reviewer,
    competition,
    community_class,
):
    officer_page = browser.new_context(locale="vi-VN").new_page()
    sign_in(officer_page, live_asgi, "officer")
    submission = submit_class(officer_page, live_asgi)

    reviewer_page = browser.new_context(locale="vi-VN").new_page()
    sign_in(reviewer_page, live_asgi, "reviewer")
    reviewer_page.goto(live_asgi + "/review/")
    reviewer_page.get_by_role("link", name=re.compile("Lớp học cộng đồng")).click()
    decision_url = reviewer_page.url
    expect(reviewer_page.get_by_text("Nếu duyệt, sẽ cộng 70 điểm.")).to_be_visible()
    reviewer_page.get_by_role("button", name="Duyệt", exact=True).click()
    expect(reviewer_page.get_by_text("Đã duyệt; điểm đã được ghi.")).to_be_visible()

    for unit in ("ho_lien", "ke_sat", "province"):
        officer_page.goto(f"{live_asgi}/units/{tree[unit].pk}/")
        expect(officer_page.locator(".big-number").first).to_have_text("70 điểm")
    officer_page.goto(f"{live_asgi}/people/{officer.person.pk}/points/")
    expect(officer_page.get_by_role("cell", name="70", exact=True)).to_be_visible()

    # The same approval sent again from another copy of the page (its own form
    # token, so not a replay of the first POST) is refused and changes nothing.
    csrf = next(
        c["value"] for c in reviewer_page.context.cookies() if c["name"] == "csrftoken"
    )
    response = reviewer_page.request.post(
        f"{live_asgi}/submissions/{submission.pk}/decide/",
        form={
            "decision": "approve",
            "csrfmiddlewaretoken": csrf,
            "form_token": str(uuid.uuid4()),
        },
        headers={"Referer": decision_url},
    )
    assert response.status == 409
    assert "đã được quyết định" in response.text()
    assert PointEntry.objects.count() == 1


def test_a_rejected_submission_is_appealed(
    browser,
    live_asgi,
    transactional_db,
    tree,
    officer,
    reviewer,
    competition,
    community_class,
):
    officer_page = browser.new_context(locale="vi-VN").new_page()
    sign_in(officer_page, live_asgi, "officer")
    submission = submit_class(officer_page, live_asgi, quantity="12")

    reviewer_page = browser.new_context(locale="vi-VN").new_page()
    sign_in(reviewer_page, live_asgi, "reviewer")
    reviewer_page.goto(f"{live_asgi}/submissions/{submission.pk}/")
    reviewer_page.get_by_label("Lý do").fill("Ảnh không thấy học viên")
    reviewer_page.get_by_role("button", name="Không duyệt").click()
    # The decision is in before the officer looks (the click only starts it).
    expect(reviewer_page.get_by_text("Đã không duyệt.")).to_be_visible()

    officer_page.goto(f"{live_asgi}/notifications/")
    officer_page.get_by_role("link", name=re.compile("không được duyệt")).click()
    officer_page.get_by_label("Lý do").fill("Đã bổ sung ảnh chụp toàn lớp")
    officer_page.get_by_role("button", name="Gửi khiếu nại").click()

    expect(officer_page.locator(".status")).to_have_text("Đang khiếu nại")
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.APPEALED


def test_submission_pages_have_no_serious_accessibility_violations(
    page, live_asgi, tree, officer, competition, community_class
):
    from tests.browser.conftest import serious_accessibility_violations

    sign_in(page, live_asgi, "officer")
    page.goto(live_asgi + "/submissions/new/")
    assert serious_accessibility_violations(page) == []

    submit_class(page, live_asgi)
    assert serious_accessibility_violations(page) == []
