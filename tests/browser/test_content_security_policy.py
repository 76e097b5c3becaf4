"""In a real browser: the main pages work under their own Content-Security-Policy and
Permissions-Policy, the live board's socket included.

The `page` fixture (conftest.py) fails a test on any `securitypolicyviolation` event
or policy message in the console; these journeys walk the pages each role uses. Every
page opened once is checked the same way by the 320-pixel walk (test_phone_layout.py),
and every page's headers by tests/test_security_headers.py.
"""

from playwright.sync_api import expect

from leaderboards.boards import Board
from tests.browser.conftest import watched_page
from tests.browser.test_review_journey import sign_in, submit_class

LIVE = "Đang cập nhật trực tiếp"


def visit(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"], url
    assert "camera=()" in response.headers["permissions-policy"], url
    return response


def test_the_policy_is_what_chromium_enforces(page, live_asgi, tree):
    visit(page, live_asgi + "/")

    # Chromium read the Permissions-Policy header: the features are off here.
    for feature in ("camera", "geolocation", "microphone", "payment", "usb"):
        assert page.evaluate(f"document.featurePolicy.allowsFeature('{feature}')") is (
            False
        ), feature
    # And the Content-Security-Policy: an injected inline script does not run.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__injected = true";
            document.body.appendChild(script);
        }"""
    )
    assert page.evaluate("window.__injected === undefined")
    assert any("script-src" in found for found in page.policy_violations)
    page.policy_violations.clear()  # the one violation this test caused on purpose


def test_a_live_board_connects_and_updates_under_the_policy(
    browser,
    live_asgi,
    transactional_db,
    tree,
    officer,
    reviewer,
    competition,
    community_class,
):
    board = Board(competition.pk, tree["province"].pk, "village")
    viewer = watched_page(browser)
    response = visit(viewer, f"{live_asgi}/leaderboards/{board.name}/")
    expect(viewer.locator("#live-status")).to_have_text(LIVE)
    # The socket's own address, for browsers whose 'self' does not cover ws:.
    socket = live_asgi.replace("http://", "ws://")
    assert f"connect-src 'self' {socket}" in response.headers["content-security-policy"]

    officer_page = watched_page(browser)
    sign_in(officer_page, live_asgi, "officer")
    submission = submit_class(officer_page, live_asgi)
    reviewer_page = watched_page(browser)
    sign_in(reviewer_page, live_asgi, "reviewer")
    visit(reviewer_page, f"{live_asgi}/review/")
    visit(reviewer_page, f"{live_asgi}/submissions/{submission.pk}/")
    reviewer_page.get_by_role("button", name="Duyệt", exact=True).click()

    row = viewer.locator(f'#live-board tr[data-key="u{tree["ho_lien"].pk}"]')
    expect(row.locator(".value")).to_have_text("70", timeout=10_000)
    for page in (viewer, officer_page, reviewer_page):
        assert page.policy_violations == []
        page.context.close()


def test_the_officers_pages_pass_their_policy_and_files_can_be_chosen(
    page, live_asgi, tree, officer, competition, community_class, community_training
):
    sign_in(page, live_asgi, "officer")
    for path in (
        "/units/mine/",
        f"/units/{tree['ho_lien'].pk}/",
        "/submissions/",
        "/learning/sessions/",
        "/learning/sessions/new/",
        "/learning/imports/new/",
        "/learning/completions/new/",
        "/learning/mine/",
    ):
        visit(page, live_asgi + path)

    # The evidence input opens the file picker (on a phone: the camera app) with
    # the camera feature off: it is getUserMedia's permission, not the picker's.
    visit(page, live_asgi + "/submissions/new/")
    with page.expect_file_chooser() as chooser:
        page.get_by_label("Minh chứng").click()
    assert chooser.value.is_multiple()


def test_a_mentors_invite_shows_its_qr_code_under_the_policy(
    page, live_asgi, tree, citizen, learning_competition
):
    sign_in(page, live_asgi, "citizen")
    visit(page, live_asgi + "/learning/mentoring/")
    page.get_by_role("button", name="Tạo lời mời").click()

    qr = page.locator("figure.qr svg")
    expect(qr).to_be_visible()
    # The size comes from the stylesheet, not from a style attribute.
    assert page.evaluate(
        "getComputedStyle(document.querySelector('figure.qr')).maxWidth"
    ) == ("224px")


def test_the_django_admin_passes_the_same_policy(page, live_asgi, tree, administrator):
    sign_in(page, live_asgi, "administrator")
    for path in (
        "/admin/",
        "/admin/units/unit/",
        f"/admin/units/unit/{tree['ho_lien'].pk}/change/",
        "/admin/units/role/add/",
        "/admin/competitions/pointentry/",
    ):
        visit(page, live_asgi + path)

    # The admin's own scripts run: the calendar beside a date, the unit search box.
    visit(page, live_asgi + "/admin/units/person/add/")
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    visit(page, live_asgi + "/admin/units/role/add/")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("Hồ")
    expect(page.locator(".select2-results__option").first).to_contain_text("Hồ Liễn")
