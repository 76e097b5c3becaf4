"""Screenshots of the platform's pages at a phone's and a desktop's size, for the README.

    make run                      # in one terminal: the demo on http://127.0.0.1:8000
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000

Each page is opened in Debian's chromium as the demo account that uses it (or as a
visitor), at 390 × 844 (a common phone) and 1366 × 768 (a common office screen),
and saved under docs/screenshots/<name>-<width>x<height>.png (the visible screen,
not the whole page: what a person sees when it opens). The PNGs are reduced to 256
colours (a third of the bytes; the pages are flat colours and text).
"""

import base64
import io
import os
import re
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "HocSo@2025"  # the demo accounts' published password (README)
SIZES = [(390, 844), (1366, 768)]
BOARD = "/leaderboards/1-2-village-week-points/"


def home(page):
    page.goto("/")
    page.wait_for_timeout(800)  # the live numbers' socket says it is live


def board(page):
    page.goto(BOARD)
    page.wait_for_timeout(800)


def my_page(page):
    page.goto("/me/")


def officer_submission_form(page):
    page.goto("/submissions/new/")
    page.get_by_label("Hoạt động:", exact=True).select_option(
        label="Tổ chức lớp học kỹ năng số cộng đồng"
    )
    page.get_by_label("Số lượng").fill("24")
    page.get_by_label("Số lượng").blur()


def officer_person_picker(page):
    officer_submission_form(page)
    # The person picker in use: part of a name typed without tone marks.
    search = page.get_by_role("searchbox", name="Tìm theo tên")
    search.fill("hoang")  # finds Hoàng …
    search.blur()
    page.get_by_label("Cá nhân được ghi điểm").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 120)")


def honour_board(page):
    page.goto("/honour/")


def _first_link(page, prefix: str, text: str = "", *, last: bool = False) -> None:
    """Follow the first (or last) link whose address starts with `prefix` (ids
    differ per seed)."""
    links = page.locator(f'main a[href^="{prefix}"]')
    if text:
        links = links.filter(has_text=text)
    page.goto((links.last if last else links.first).get_attribute("href"))


def honour_award(page):
    # A person's award (listed after the villages): the citation, the decision
    # and the certificate's downloads.
    page.goto("/honour/")
    _first_link(page, "/honour/awards/", last=True)


def honour_certificate(page):
    # The PNG is a download: shown as an image viewer would, fitted to the screen.
    honour_award(page)
    href = page.locator('main a[href$="/certificate.png"]').first.get_attribute("href")
    png = base64.b64encode(page.request.get(href).body()).decode()
    page.goto("about:blank")  # outside the site's CSP, which refuses inline images
    page.set_content(
        '<body style="margin:0;background:#333;display:flex;align-items:center;'
        'justify-content:center;height:100vh"><img style="max-width:100%;'
        f'max-height:100%" src="data:image/png;base64,{png}"></body>'
    )


def honour_decision(page):
    page.goto("/honour/")
    _first_link(page, "/honour/decisions/")


def nomination_dossier(page):
    # The interim review's awarded villager: the dossier from the records.
    page.goto("/commendations/")
    _first_link(page, "/commendations/reviews/", "Sơ kết")
    _first_link(page, "/commendations/nominations/", "Hoàng")
    page.get_by_role("heading", name="Hồ sơ từ kết quả đã ghi nhận").evaluate(
        "heading => heading.scrollIntoView({block: 'start'})"
    )
    page.evaluate("window.scrollBy(0, -16)")


def council_session(page):
    page.goto("/commendations/")
    _first_link(page, "/commendations/councils/")
    _first_link(page, "/commendations/sessions/")


def council_ballot(page):
    """A member's ballot in an open session. The demo's final review is left open:
    as the administrator, close it, send its nominations on, open a session with
    three members present and put them on its agenda (once: a second run finds the
    session open), then sign in as the council member `hoidong`."""
    page.goto("/commendations/")
    _first_link(page, "/commendations/reviews/", "Tổng kết")
    for name in ("Kết thúc đợt và đề xuất", re.compile(r"Trình \d+ hồ sơ đã đề xuất")):
        button = page.get_by_role("button", name=name)
        if button.count():
            button.click()
            page.wait_for_load_state()
    page.goto("/commendations/")
    _first_link(page, "/commendations/councils/")
    council = page.url
    _first_link(page, "/commendations/sessions/")  # the newest
    if not page.get_by_role(
        "button", name="Kết thúc biểu quyết và tính kết quả"
    ).count():
        page.goto(council)
        page.get_by_role("button", name="Mở phiên họp").click()
        page.wait_for_load_state()
        for name in ("Phạm Minh Đức", "Trần Thu Hà", "Nguyễn Văn Hải"):
            page.get_by_label(re.compile(name)).check()
        page.get_by_role("button", name="Ghi nhận điểm danh").click()
        page.wait_for_load_state()
        page.get_by_role("button", name="Đưa vào phiên họp").click()
        page.wait_for_load_state()
    session = page.url
    page.context.clear_cookies()
    sign_in(page, "hoidong")
    page.goto(session)
    page.get_by_text("Phiếu của bạn").first.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -160)")


def _campaign(page, status: str) -> str:
    """The address of the demo's running (or closed) campaign."""
    page.goto("/campaigns/")
    label = "Đang diễn ra" if status == "running" else "Đã kết thúc"
    link = page.locator("a", has_text=label).first
    return link.get_attribute("href")


def campaign(page):
    page.goto(_campaign(page, "running"))
    page.wait_for_timeout(800)  # live


def campaign_screen(page):
    page.goto(_campaign(page, "running") + "screen/")
    page.wait_for_timeout(1200)


# name -> sizes other than SIZES, where a page is made for other screens.
PAGE_SIZES = {"campaign-screen": [(1366, 768), (1920, 1080)]}


def reports_dashboard(page):
    # The reviewer's commune against the 2025 targets (its link from the unit page).
    page.goto("/units/?q=ke+sat")
    page.get_by_role("link", name="Xã Kê Sặt").first.click()
    page.get_by_role("link", name="Bảng chỉ tiêu: kết quả so với chỉ tiêu").click()
    page.goto(page.url.split("?")[0] + "?year=2025")


def reports_villages(page):
    reports_dashboard(page)
    page.locator("#kpi-units").scroll_into_view_if_needed()


def province_progress(page):
    page.goto("/progress/")


# name -> (demo account or None for a visitor, what to do)
PAGES = {
    "home": (None, home),
    "board": (None, board),
    "me": ("hocvien", my_page),
    "officer-submission-form": ("canbo", officer_submission_form),
    "officer-person-picker": ("canbo", officer_person_picker),
    "honour-board": (None, honour_board),
    "honour-award": (None, honour_award),
    "honour-certificate": (None, honour_certificate),
    "honour-decision": (None, honour_decision),
    "nomination-dossier": ("thuky", nomination_dossier),
    "council-session": ("hoidong", council_session),
    "council-ballot": ("quantri", council_ballot),
    "campaign": (None, campaign),
    "campaign-screen": (None, campaign_screen),
    "reports-dashboard": ("thamdinh", reports_dashboard),
    "reports-villages": ("thamdinh", reports_villages),
    "province-progress": (None, province_progress),
}


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập hoặc email").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def save(png: bytes, path: Path) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(256, dither=Image.Dither.NONE).save(path, optimize=True)


def main(base_url: str, only: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--headless", "--lang=vi"],
            # Date fields show the day as the browser's language writes it.
            env={**os.environ, "LANG": "vi_VN.UTF-8", "LANGUAGE": "vi"},
        )
        for name, (username, show) in PAGES.items():
            if only and name not in only:
                continue
            for width, height in PAGE_SIZES.get(name, SIZES):
                context = browser.new_context(
                    base_url=base_url,
                    locale="vi-VN",
                    viewport={"width": width, "height": height},
                    device_scale_factor=1,
                )
                page = context.new_page()
                if username:
                    sign_in(page, username)
                show(page)
                path = OUT / f"{name}-{width}x{height}.png"
                save(page.screenshot(), path)
                print(path.relative_to(ROOT))
                context.close()
        browser.close()


if __name__ == "__main__":
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    main(base, sys.argv[2:])
