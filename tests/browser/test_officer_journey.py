"""In a real browser: a visitor reads the home page, signs in as an officer, opens the unit."""

import re

from playwright.sync_api import expect

from leaderboards.boards import Board
from tests.browser.conftest import serious_accessibility_violations
from tests.conftest import PASSWORD


def test_officer_signs_in_and_lands_on_the_units_page(page, live_asgi, tree, officer):
    page.goto(live_asgi + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Kỹ năng số cho mọi người dân"
    )

    page.get_by_role("link", name="Đăng nhập").click()
    page.get_by_label("Tên đăng nhập hoặc email").fill("officer")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    # The officer's work is their village: sign-in lands there.
    expect(page).to_have_url(re.compile(rf"/units/{tree['ho_lien'].pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thôn Hồ Liễn")
    expect(page.get_by_role("link", name="Sửa số người theo nhóm")).to_be_visible()


def test_a_wrong_password_keeps_the_login_typed(page, live_asgi, tree, officer):
    page.goto(live_asgi + "/accounts/login/")

    page.get_by_label("Tên đăng nhập hoặc email").fill("officer")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng")).to_be_visible()
    expect(page.get_by_label("Tên đăng nhập hoặc email")).to_have_value("officer")


def test_the_main_pages_have_no_serious_accessibility_violations_on_a_desktop(
    page, live_asgi, tree, competition, course
):
    # Every page is checked with axe at 320 px (test_phone_layout.py); on a desktop
    # the header shows its full navigation instead of the menu button, so the main
    # pages are checked at that width too.
    board = Board(competition.pk, tree["province"].pk, "people").name
    problems = []
    for path in [
        "/",
        "/accounts/login/",
        "/units/",
        f"/units/{tree['ho_lien'].pk}/",
        "/leaderboards/",
        f"/leaderboards/{board}/",
        "/learning/",
        "/learning/frameworks/",
    ]:
        page.goto(live_asgi + path)
        problems += [f"{path}: {v}" for v in serious_accessibility_violations(page)]

    assert problems == []


def test_keyboard_users_can_skip_to_the_content(page, live_asgi, tree):
    page.goto(live_asgi + "/")

    page.keyboard.press("Tab")

    expect(page.get_by_role("link", name="Chuyển đến nội dung")).to_be_focused()


def test_the_accessibility_check_does_catch_violations(page):
    # Guards the guard: an unlabeled field and an image without text must be reported.
    page.set_content(
        '<html lang="vi"><body><main><img src="x.png"><input type="text"></main></body></html>'
    )

    violations = serious_accessibility_violations(page)

    assert any(v.startswith("image-alt") for v in violations)
    assert any(v.startswith("label") for v in violations)
