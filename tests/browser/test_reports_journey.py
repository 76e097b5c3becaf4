"""Done when (issue 15), in Chromium on the demo province: the demo reviewer of xã
Kê Sặt opens the commune's dashboard, sees its villages against the 2025 targets
with the two furthest behind highlighted, downloads the quarterly XLSX and the
.docx (both parse with openpyxl and python-docx, and the XLSX's totals equal the
dashboard's), and the public province page shows the same figures."""

import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import expect

from reports import dashboard as board
from tests.browser.conftest import serious_accessibility_violations, shoot
from units.demo import DEMO_PASSWORD
from units.models import Unit


@pytest.fixture
def demo(demo_committed):
    return Unit.objects.get(name="Xã Kê Sặt")


def _download(page, link_name) -> bytes:
    with page.expect_download() as caught:
        page.get_by_role("link", name=link_name).first.click()
    return Path(caught.value.path()).read_bytes()


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def test_the_reviewer_reports_on_the_commune_and_the_public_sees_the_same(
    browser, page, live_asgi, demo
):
    ke_sat = demo
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_asgi}/accounts/login/?next=/units/{ke_sat.pk}/")
    page.get_by_label("Tên đăng nhập hoặc email").fill("thamdinh")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(rf"/units/{ke_sat.pk}/$"))

    # From the unit page to the dashboard, then the 2025 targets.
    page.get_by_role("link", name="Bảng chỉ tiêu: kết quả so với chỉ tiêu").click()
    page.locator("select[name=year]").select_option("2025")
    page.get_by_role("button", name="Xem").click()
    expect(
        page.get_by_role("heading", name="Các nhóm đối tượng so với chỉ tiêu năm 2025")
    ).to_be_visible()
    villages = page.locator("table.kpi-units tbody tr")
    # Villages are compared with villages (the commune's schools are a chip away).
    expect(villages).to_have_count(
        Unit.objects.filter(
            path__startswith=ke_sat.path,
            depth=ke_sat.depth + 1,
            is_active=True,
            kind=Unit.Kind.VILLAGE,
        ).count()
    )
    expect(
        page.get_by_role("link", name=re.compile(r"^Thôn \(\d+\)$"))
    ).to_have_attribute("aria-current", "page")
    behind = page.locator("table.kpi-units tr.behind")
    expect(behind).to_have_count(2)
    expect(behind.first.get_by_text("chậm nhất")).to_be_visible()
    # The commune's own 2025 target for adults (seed 002): 80 %.
    expect(page.locator("tr[data-group='citizen']")).to_contain_text("80 %")
    shown_total = _number(page.locator("#total-reached").inner_text())
    expected = board.dashboard(ke_sat, year=2025)
    assert shown_total == expected.reached > 0
    assert {r.unit.name for r in expected.behind} == {
        t.strip() for t in page.locator("strong.behind-name").all_inner_texts()
    }
    assert serious_accessibility_violations(page) == []
    shoot(page, "reports", "dashboard")

    # The quarterly report, made while the page waits, then both files.
    page.get_by_role(
        "link", name="Lập báo cáo định kỳ (XLSX, CSV, .docx)"
    ).first.click()
    page.get_by_label("Quý (3 tháng)").check()
    today = timezone.localdate()
    page.locator("select[name=year]").select_option(str(today.year))
    page.get_by_label("Tháng (1–12), quý (1–4) hoặc nửa năm (1–2)").fill(
        str((today.month - 1) // 3 + 1)
    )
    page.get_by_role("button", name="Lập báo cáo").click()
    expect(page.get_by_role("link", name="Tải tệp Excel (XLSX)")).to_be_visible(
        timeout=30000
    )
    workbook = load_workbook(io.BytesIO(_download(page, "Tải tệp Excel (XLSX)")))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[-1][0] == "Tổng cộng"
    assert rows[-1][2] == shown_total
    assert (
        workbook["Đơn vị"].max_row
        == 3 + Unit.objects.filter(path__startswith=ke_sat.path).count()
    )
    document = Document(io.BytesIO(_download(page, "Tải báo cáo Word (.docx)")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in text and "Xã Kê Sặt" in text
    shoot(page, "reports", "report")

    # The public page of the province: the same figures as the province's dashboard.
    province = Unit.objects.get(kind=Unit.Kind.PROVINCE, code="31")
    public = page.context.browser.new_context()
    visitor = public.new_page()
    visitor.set_viewport_size({"width": 390, "height": 844})
    visitor.goto(f"{live_asgi}/progress/?kind=commune")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text(province.name)
    assert (
        _number(visitor.locator("#total-reached").inner_text())
        == board.dashboard(province).reached
    )
    ke_sat_row = visitor.locator("table.kpi-units tr", has_text="Xã Kê Sặt")
    assert _number(ke_sat_row.locator("td").first.inner_text()) == shown_total
    preview = visitor.locator("meta[property='og:image']").get_attribute("content")
    assert f"/progress/{province.pk}/preview.png" in preview
    assert serious_accessibility_violations(visitor) == []
    public.close()
