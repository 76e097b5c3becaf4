"""In Chromium: a live update moves a row to its new place and shows its gain; the
board is whole without JavaScript, fits a 320 px screen, and passes axe."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leaderboards import projector, selectors
from leaderboards.boards import Board
from tests.browser.conftest import serious_accessibility_violations, watched_page
from tests.browser.test_review_journey import sign_in, submit_class
from tests.competitions.conftest import a_credit, credit_one
from units.services import create_unit

# Records every row the script slid: the start offset it set through the CSSOM
# (the mutation's old value, once the transition has cleared it).
WATCH_SLIDES = """
window.__slides = [];
new MutationObserver(function (records) {
  records.forEach(function (record) {
    var old = record.oldValue || "";
    if (old.indexOf("translateY") >= 0) {
      window.__slides.push([record.target.dataset.key, old]);
    }
  });
}).observe(document.querySelector("#live-board tbody"), {
  attributes: true, subtree: true, attributeFilter: ["style"], attributeOldValue: true
});
"""


@pytest.fixture
def race(tree, competition, community_class):
    """Thôn Cậy leads the province's villages with 100 points, thôn Hồ Liễn is
    second with 40: an approved class of thôn Hồ Liễn (+70) puts it first."""
    now = timezone.now()
    credit_one(
        a_credit(
            competition,
            community_class,
            tree["cay"],
            points=100,
            key="race:1",
            occurred_at=now,
        )
    )
    credit_one(
        a_credit(
            competition,
            community_class,
            tree["ho_lien"],
            points=40,
            key="race:2",
            occurred_at=now,
        )
    )
    projector.catch_up()
    selectors.forget_cached()
    return Board(competition.pk, tree["province"].pk, "village")


def approve_a_class(browser, live_asgi):
    officer_page = watched_page(browser)
    sign_in(officer_page, live_asgi, "officer")
    submission = submit_class(officer_page, live_asgi)
    reviewer_page = watched_page(browser)
    sign_in(reviewer_page, live_asgi, "reviewer")
    reviewer_page.goto(f"{live_asgi}/submissions/{submission.pk}/")
    reviewer_page.get_by_role("button", name="Duyệt", exact=True).click()
    for other in (officer_page, reviewer_page):
        assert other.policy_violations == []
        other.context.close()


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_a_live_update_moves_the_row_and_shows_its_gain(
    browser, live_asgi, transactional_db, tree, officer, reviewer, race, motion
):
    viewer = browser.new_context(locale="vi-VN", reduced_motion=motion).new_page()
    viewer.goto(f"{live_asgi}/leaderboards/{race.name}/")
    expect(viewer.locator("#live-status")).to_have_text("Đang cập nhật trực tiếp")
    rows = viewer.locator("#live-board tbody tr")
    ho_lien = viewer.locator(f'#live-board tr[data-key="u{tree["ho_lien"].pk}"]')
    expect(rows.first).to_have_attribute("data-key", f"u{tree['cay'].pk}")
    viewer.evaluate(WATCH_SLIDES)

    approve_a_class(browser, live_asgi)

    expect(rows.first).to_have_attribute(
        "data-key", f"u{tree['ho_lien'].pk}", timeout=10_000
    )
    expect(ho_lien.locator(".value")).to_have_text("110")
    expect(ho_lien.locator(".gain")).to_have_text("+70")
    expect(ho_lien).to_have_class("moved")
    expect(viewer.locator("#podium .place-1 .podium-name")).to_have_text("Thôn Hồ Liễn")
    slides = viewer.evaluate("window.__slides")
    slid = [transform for key, transform in slides if key == f"u{tree['ho_lien'].pk}"]
    if motion == "reduce":
        assert slid == []  # it changes place without sliding
    else:
        # It started where it was (a row lower) and slid up into first place.
        assert slid and float(slid[0].split("translateY(")[1].split("px")[0]) > 0
    viewer.context.close()


def test_the_board_is_complete_without_javascript(
    browser, live_asgi, transactional_db, race
):
    page = browser.new_context(locale="vi-VN", java_script_enabled=False).new_page()

    page.goto(f"{live_asgi}/leaderboards/{race.name}/")

    expect(page.locator("#live-board tbody tr")).to_have_count(2)
    expect(page.locator("#podium li")).to_have_count(2)
    # Never claims to be live when it is not.
    expect(page.locator("#live-status")).to_be_hidden()
    page.get_by_text("Tìm tên", exact=True).click()
    page.get_by_label("Tìm tên trên bảng này").fill("Cậy")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.get_by_role("heading", name="Kết quả cho “Cậy”")).to_be_visible()
    page.context.close()


def test_a_long_village_name_fits_a_320px_screen(
    browser, live_asgi, transactional_db, tree, competition, community_class, race
):
    long_name = "Thôn Đông Hưng Thịnh Vượng Phát Đạt Mãi Mãi Trường Tồn Xanh Tươi"[:60]
    village = create_unit(parent=tree["ke_sat"], kind="village", name=long_name)
    credit_one(a_credit(competition, community_class, village, points=500, key="long"))
    projector.catch_up()
    selectors.forget_cached()
    page = watched_page(browser)
    page.set_viewport_size({"width": 320, "height": 640})

    page.goto(f"{live_asgi}/leaderboards/{race.name}/")

    expect(page.locator("#podium .place-1 .podium-name")).to_have_text(long_name)
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide on a 320 px screen"
    assert serious_accessibility_violations(page) == []
    assert page.policy_violations == []
    page.context.close()


def test_eight_rows_show_on_a_390x844_phone(
    browser, live_asgi, transactional_db, tree, competition, community_class
):
    for n in range(12):
        village = create_unit(
            parent=tree["ke_sat"], kind="village", name=f"Thôn Số {n + 1}"
        )
        credit_one(
            a_credit(competition, community_class, village, points=100 - n, key=f"v{n}")
        )
    projector.catch_up()
    selectors.forget_cached()
    board = Board(competition.pk, tree["ke_sat"].pk, "village")
    page = watched_page(browser)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_asgi}/leaderboards/{board.name}/")

    visible = page.evaluate(
        """Array.from(document.querySelectorAll('#live-board tbody tr'))
             .filter(function (tr) { return tr.getBoundingClientRect().bottom <= innerHeight; })
             .length"""
    )
    assert visible >= 8, f"{visible} rows visible"
    page.context.close()
