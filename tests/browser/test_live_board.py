"""In a real browser: a public board updates in place when a reviewer approves."""

from playwright.sync_api import expect

from leaderboards.boards import Board
from tests.browser.test_review_journey import sign_in, submit_class


def test_the_public_board_updates_without_a_reload(
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
    viewer = browser.new_context(locale="vi-VN").new_page()
    viewer.goto(f"{live_asgi}/leaderboards/{board.name}/")
    expect(viewer.locator("#live-status")).to_have_text("Đang cập nhật trực tiếp")
    viewer.evaluate("window.__notReloaded = true")

    officer_page = browser.new_context(locale="vi-VN").new_page()
    sign_in(officer_page, live_asgi, "officer")
    submission = submit_class(officer_page, live_asgi)
    reviewer_page = browser.new_context(locale="vi-VN").new_page()
    sign_in(reviewer_page, live_asgi, "reviewer")
    reviewer_page.goto(f"{live_asgi}/submissions/{submission.pk}/")
    reviewer_page.get_by_role("button", name="Duyệt", exact=True).click()

    row = viewer.locator(f'#live-board tr[data-key="u{tree["ho_lien"].pk}"]')
    expect(row).to_contain_text("Thôn Hồ Liễn", timeout=10_000)
    expect(row.locator(".value")).to_have_text("70")
    assert viewer.evaluate("window.__notReloaded") is True
    expect(viewer.locator("#live-announcer")).to_have_text(
        "Thôn Hồ Liễn vừa lên hạng nhất."
    )
