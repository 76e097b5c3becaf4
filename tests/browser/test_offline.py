"""In Chromium: the service worker shows the last-seen board with its age when the
network is gone, and keeps nothing private."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from leaderboards import projector, selectors
from leaderboards.boards import Board
from tests.browser.test_review_journey import sign_in
from tests.competitions.conftest import a_credit, credit_one


def controlled_page(browser):
    context = browser.new_context(locale="vi-VN", service_workers="allow")
    return context, context.new_page()


def test_a_board_seen_once_opens_offline_with_its_age(
    browser, live_asgi, transactional_db, tree, competition, community_class
):
    credit_one(
        a_credit(
            competition,
            community_class,
            tree["ho_lien"],
            points=40,
            occurred_at=timezone.now(),
        )
    )
    projector.catch_up()
    selectors.forget_cached()
    board = Board(competition.pk, tree["province"].pk, "village")
    url = f"{live_asgi}/leaderboards/{board.name}/"
    context, page = controlled_page(browser)
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # now under the worker's control: this visit is kept
    expect(page.locator("#live-board tbody tr")).to_have_count(1)
    page.wait_for_timeout(500)

    context.set_offline(True)
    page.goto(url)

    expect(page.locator("#live-board tbody tr")).to_have_count(1)
    expect(page.locator("#board-offline")).to_be_visible()
    expect(page.locator("#board-offline")).to_have_text(
        re.compile(
            r"Không có mạng: đây là bảng xếp hạng lúc \d\d:\d\d \(\d+ phút trước\)\."
        )
    )
    # A page never seen says so plainly.
    page.goto(f"{live_asgi}/units/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Không có mạng")
    context.close()


def test_a_signed_in_persons_pages_are_never_kept(
    browser, live_asgi, transactional_db, tree, officer, competition
):
    board = Board(competition.pk, tree["province"].pk, "village")
    context, page = controlled_page(browser)
    sign_in(page, live_asgi, "officer")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    page.goto(f"{live_asgi}/leaderboards/{board.name}/")
    page.goto(f"{live_asgi}/me/")
    page.wait_for_timeout(500)

    kept = page.evaluate(
        """caches.keys().then(function (names) {
             return Promise.all(names.map(function (name) {
               return caches.open(name).then(function (cache) { return cache.keys(); });
             }));
           }).then(function (lists) {
             return [].concat.apply([], lists).map(function (r) { return new URL(r.url).pathname; });
           })"""
    )

    assert "/me/" not in kept
    assert f"/leaderboards/{board.name}/" not in kept  # private: it names the officer
    assert all(
        path.startswith(
            ("/static/", "/offline/", "/leaderboards/", "/api/v1/leaderboards/")
        )
        for path in kept
    ), kept
    context.set_offline(True)
    page.goto(f"{live_asgi}/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Không có mạng")
    context.close()
