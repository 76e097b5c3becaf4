"""In a real browser: a class session checked in by QR, a mentee confirming an invite,
the projector's page checked with axe-core (the learning pages are, with the other
main pages, in test_officer_journey.py and test_phone_layout.py)."""

import re
from datetime import date, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from learning import sessions
from learning.models import ClassSession, Completion
from tests.browser.conftest import serious_accessibility_violations
from tests.conftest import PASSWORD, make_user


def _sign_in(page, username):
    page.get_by_label("Tên đăng nhập hoặc email").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_officer_projects_a_class_code_a_villager_checks_in_and_an_old_code_fails(
    browser,
    page,
    live_asgi,
    tree,
    officer,
    citizen,
    community_training,
    learning_competition,
):
    page.clock.install()  # the page's timers, fast-forwarded below
    page.goto(live_asgi + "/accounts/login/")
    _sign_in(page, "officer")
    page.goto(live_asgi + "/learning/sessions/new/")
    page.get_by_label("Lớp học hoặc buổi chuyên đề").select_option(
        label=community_training.title
    )
    page.get_by_label("Đơn vị tổ chức").select_option(label="Thôn Hồ Liễn")
    page.get_by_role("textbox", name="Ngày:").fill(date.today().isoformat())
    page.get_by_label("Địa điểm").fill("Nhà văn hóa thôn")
    page.get_by_role("button", name="Tạo buổi học").click()
    page.get_by_role("link", name="Chiếu lên màn hình").click()

    expect(page.get_by_role("img", name="Mã QR để điểm danh")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    link = page.locator("a[href*='/learning/checkin/']").first
    # The projector fetches the next code once the current one changes.
    with page.expect_response(re.compile(r"/checkin-code/$")) as renewed:
        page.clock.fast_forward("00:31")
    current = renewed.value.json()
    expect(link).to_have_attribute("href", current["url"])
    session = ClassSession.objects.get()
    assert current["url"].endswith(sessions.checkin_path(session, at=timezone.now()))

    villager = browser.new_context(locale="vi-VN").new_page()
    villager.goto(current["url"])
    _sign_in(villager, "citizen")
    villager.get_by_role("button", name="Tôi có mặt").click()

    expect(villager).to_have_url(re.compile(r"/learning/mine/$"))
    expect(villager.get_by_text(community_training.title)).to_be_visible()
    assert serious_accessibility_violations(villager) == []
    page.goto(live_asgi + f"/learning/sessions/{session.pk}/")
    expect(
        page.get_by_role("listitem").filter(
            has_text="Nguyễn Văn An (Điểm danh bằng mã QR"
        )
    ).to_be_visible()

    # A photo of the code taken two minutes ago, forwarded to a chat group.
    latecomer = make_user("nguoivang", unit=tree["ho_lien"])
    old = sessions.checkin_path(session, at=timezone.now() - timedelta(minutes=2))
    forwarded = browser.new_context(locale="vi-VN").new_page()
    forwarded.goto(live_asgi + "/accounts/login/")
    _sign_in(forwarded, latecomer.username)
    forwarded.goto(live_asgi + old)

    expect(forwarded.get_by_role("alert")).to_contain_text(
        "Hãy nhờ cán bộ chiếu mã hiện tại"
    )
    expect(forwarded.get_by_role("button", name="Tôi có mặt")).to_have_count(0)
    assert not Completion.objects.filter(person=latecomer.person).exists()


def test_a_mentee_confirms_an_invite_and_the_mentor_sees_one_of_five(
    browser, page, live_asgi, tree, citizen
):
    make_user("daisu", unit=tree["ho_lien"], person_name="Đại Sứ Số")
    page.goto(live_asgi + "/accounts/login/")
    _sign_in(page, "daisu")
    page.goto(live_asgi + "/learning/mentoring/")
    page.get_by_role("button", name="Tạo lời mời").click()
    expect(page.get_by_role("img", name="Mã QR của lời mời")).to_be_visible()
    invite_url = page.locator("a[href*='/learning/invite/']").first.get_attribute(
        "href"
    )
    assert serious_accessibility_violations(page) == []

    mentee = browser.new_context(locale="vi-VN").new_page()
    mentee.goto(invite_url)
    _sign_in(mentee, "citizen")
    mentee.get_by_role("button", name="Tôi đồng ý").click()
    expect(mentee.get_by_text("Bạn đã được Đại Sứ Số hướng dẫn")).to_be_visible()

    page.reload()
    expect(page.get_by_text("1 trên 5 người học")).to_be_visible()
    expect(page.get_by_text("Nguyễn Văn An")).to_be_visible()
