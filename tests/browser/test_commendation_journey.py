"""Done when (issue 13), in Chromium on the demo province: the demo competition's
final review is closed, the top villages of Kê Sặt and the holders of "Đại sứ số"
appear as proposed nominations with their dossiers, the council votes by secret
ballot, the decision is recorded, the .docx and XLSX files parse (python-docx,
openpyxl: LibreOffice is not installed here), certificates download, and the
honour board shows the awards with a link preview."""

import io
import re
import urllib.request
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import expect

from commendations.models import Nomination, Review
from tests.browser.conftest import keep, serious_accessibility_violations, shoot
from units.demo import DEMO_PASSWORD
from units.models import Unit


@pytest.fixture
def demo(demo_committed):
    # The movement's final review (a closed campaign has a review of its own).
    return Review.objects.get(kind=Review.Kind.FINAL, competition__kind="regular")


def _sign_in(page, base, username, next_path):
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Tên đăng nhập hoặc email").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def _download(page, link_name) -> bytes:
    with page.expect_download() as caught:
        page.get_by_role("link", name=link_name).first.click()
    return Path(caught.value.path()).read_bytes()


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def _vote_everything(page):
    while page.locator("form[action*='/vote/']").count():
        form = page.locator("form[action*='/vote/']").first
        form.get_by_label("Tán thành", exact=True).check()
        form.get_by_role("button", name="Bỏ phiếu").click()
        expect(page.get_by_text("Phiếu của bạn đã được tính.")).to_be_visible()


def test_a_final_review_goes_from_proposal_to_the_honour_board(
    browser, page, live_asgi, demo
):
    review = demo
    holders = set(
        Nomination.objects.filter(
            person__isnull=False, review__kind="interim"
        ).values_list("person__display_name", flat=True)
    )
    page.set_viewport_size({"width": 1366, "height": 768})

    # The commune's review is closed: the rules propose from the boards and badges.
    _sign_in(page, live_asgi, "quantri", f"/commendations/reviews/{review.pk}/")
    page.get_by_role("button", name="Kết thúc đợt và đề xuất").click()
    expect(
        page.get_by_text(re.compile(r"Đã kết thúc đợt: đề xuất \d+ hồ sơ"))
    ).to_be_visible()
    proposed = Nomination.objects.filter(review=review)
    villages = proposed.filter(unit__isnull=False)
    assert villages.count() == 3
    assert (
        set(
            proposed.filter(person__isnull=False).values_list(
                "person__display_name", flat=True
            )
        )
        == holders
        != set()
    )
    table = page.locator("table")
    for nomination in proposed:
        # Each nominee is a link to their nomination (a village's name may also be
        # shown as the unit of a person proposed).
        expect(
            table.get_by_role("link", name=nomination.nominee_name, exact=True)
        ).to_be_visible()
    expect(
        table.get_by_text("Hạng 1 trong các thôn của Xã Kê Sặt", exact=False)
    ).to_be_visible()
    assert table.get_by_role("link", name=".docx").count() == proposed.count()
    assert serious_accessibility_violations(page) == []
    shoot(page, "commendations", "review")

    letter = Document(io.BytesIO(_download(page, "Tờ trình (.docx)")))
    assert "TỜ TRÌNH" in _text(
        letter
    ) and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in _text(letter)
    listing = load_workbook(io.BytesIO(_download(page, "Danh sách (XLSX)"))).active
    assert listing.max_row == proposed.count() + 1

    first = villages.order_by("rank").first()
    page.get_by_role("link", name=first.nominee_name, exact=True).click()
    expect(
        page.get_by_role("heading", name="Hồ sơ từ kết quả đã ghi nhận")
    ).to_be_visible()
    report = Document(io.BytesIO(_download(page, "Báo cáo thành tích (.docx)")))
    assert "BÁO CÁO THÀNH TÍCH" in _text(report)
    shoot(page, "commendations", "nomination")
    page.go_back()
    page.get_by_role("button", name=re.compile(r"Trình \d+ hồ sơ đã đề xuất")).click()
    expect(page.get_by_text(re.compile(r"Đã trình \d+ hồ sơ"))).to_be_visible()

    # The province's council: the secretary opens a session, marks who is present.
    secretary = browser.new_context(locale="vi-VN").new_page()
    council = Unit.objects.get(path=review.unit.parent_path).council
    _sign_in(secretary, live_asgi, "thuky", f"/commendations/councils/{council.pk}/")
    secretary.get_by_role("button", name="Mở phiên họp").click()
    for name in ("Phạm Minh Đức", "Trần Thu Hà", "Nguyễn Văn Hải"):
        secretary.get_by_label(re.compile(name)).check()
    secretary.get_by_role("button", name="Ghi nhận điểm danh").click()
    secretary.get_by_role("button", name="Đưa vào phiên họp").click()
    expect(
        secretary.get_by_text("Bỏ phiếu kín: chỉ lưu số phiếu").first
    ).to_be_visible()
    _vote_everything(secretary)
    session_url = secretary.url
    shoot(secretary, "commendations", "session")

    member = browser.new_context(locale="vi-VN").new_page()
    _sign_in(member, live_asgi, "hoidong", session_url.replace(live_asgi, ""))
    _vote_everything(member)
    assert serious_accessibility_violations(member) == []
    member.context.close()

    secretary.reload()
    secretary.get_by_role("button", name="Kết thúc biểu quyết và tính kết quả").click()
    expect(secretary.get_by_text("Đạt").first).to_be_visible()
    minutes = Document(io.BytesIO(_download(secretary, "Biên bản (.docx)")))
    assert "BIÊN BẢN" in _text(minutes) and "Phiếu kín" in _text(minutes)

    # The decision as signed, then the public record, certificates, honour board.
    secretary.get_by_role("link", name="Ghi quyết định").first.click()
    secretary.get_by_label("Số", exact=True).fill("3001/QĐ-UBND")
    secretary.get_by_label("Người ký", exact=True).fill("Phạm Minh Đức")
    shoot(secretary, "commendations", "decision-new")
    secretary.get_by_role("button", name="Ghi quyết định").click()
    expect(
        secretary.get_by_role("heading", name="Quyết định 3001/QĐ-UBND")
    ).to_be_visible()
    annex = load_workbook(io.BytesIO(_download(secretary, "Phụ lục (XLSX)"))).active
    assert annex.max_row == proposed.count() + 1
    shoot(secretary, "commendations", "decision")
    secretary.get_by_role("link", name=first.nominee_name).click()
    png = _download(secretary, "Bằng chứng nhận (PNG)")
    pdf = _download(secretary, "Bằng chứng nhận (PDF)")
    assert Image.open(io.BytesIO(png)).size == (1754, 1240)
    assert pdf.startswith(b"%PDF")
    keep("commendations", "certificate.png", png)
    shoot(secretary, "commendations", "award")
    secretary.context.close()

    visitor = browser.new_context(locale="vi-VN").new_page()
    visitor.goto(live_asgi + "/honour/")
    expect(visitor.get_by_role("link", name=first.nominee_name).first).to_be_visible()
    expect(visitor.get_by_text("3001/QĐ-UBND").first).to_be_visible()
    preview = visitor.locator('meta[property="og:image"]').get_attribute("content")
    with urllib.request.urlopen(preview) as answer:
        assert answer.headers["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(answer.read())).size == (1200, 630)
    assert serious_accessibility_violations(visitor) == []
    shoot(visitor, "commendations", "honour")
    visitor.context.close()
