"""Done when (issue 14), in Chromium on the demo province: the organiser
(`doanthanhnien`) creates a campaign from a template, two branches join with its
code, a member checks in with a photo, the organiser verifies it, the public page
and the big screen (other browser contexts) move live, the big screen keeps its
figures with their age through a network drop and reconnects, the campaign closes,
its snapshot stays as it was after a later credit, the completion badge appears
and the top branch is proposed for commendation."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.models import Campaign
from commendations.models import Nomination
from tests.browser.conftest import serious_accessibility_violations, shoot, watched_page
from tests.campaigns.conftest import scene
from units.demo import DEMO_PASSWORD


@pytest.fixture
def demo(demo_committed):
    """The demo province (the Youth Union, its branch and volunteers)."""


def _sign_in(page, base, username, next_path):
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Tên đăng nhập hoặc email").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def _check_in(member, base, campaign, task, quantity, seed):
    member.goto(f"{base}/campaigns/{campaign.pk}/checkin/")
    member.get_by_label("Việc đã làm", exact=True).select_option(label=task)
    member.get_by_label("Số người tham gia").fill(str(quantity))
    member.get_by_label("Ảnh của việc đã làm").set_input_files(
        {"name": "anh.jpg", "mimeType": "image/jpeg", "buffer": scene(seed)}
    )
    member.get_by_role("button", name="Điểm danh").click()
    expect(member.get_by_text("Đã báo cáo.")).to_be_visible()


CLASS = "Lớp hướng dẫn kỹ năng số (chiến dịch) (học viên)"
MERCHANTS = "Hướng dẫn tiểu thương mô hình 4T (Chợ số – Nông thôn số) (tiểu thương)"


def test_a_campaign_from_template_to_commendation(browser, page, live_asgi, demo):
    base = live_asgi
    page.set_viewport_size({"width": 1366, "height": 768})

    # The organiser starts from a template and shares the code shown once.
    _sign_in(page, base, "doanthanhnien", "/campaigns/new/")
    page.get_by_label(re.compile("Chợ số – Nông thôn số")).check()
    page.get_by_label("Tên (để trống: dùng tên của mẫu)").fill("Chợ số Kê Sặt")
    page.get_by_role("button", name="Tạo chiến dịch").click()
    told = page.get_by_text(re.compile("Mã tham gia là"))
    expect(told).to_be_visible()
    code = re.search(r"[0-9A-Z]{4} [0-9A-Z]{4} [0-9A-Z]{4}", told.inner_text()).group(0)
    campaign = Campaign.objects.get(name="Chợ số Kê Sặt")
    page.get_by_label(re.compile("^Tiểu thương được hướng dẫn")).fill("5")
    page.get_by_label("Lớp hướng dẫn đã tổ chức").fill("1")
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    expect(page.get_by_text("Đã lưu chỉ tiêu mới.")).to_be_visible()

    # A visitor's phone and the hall's big screen, each in its own context.
    visitor = watched_page(browser)
    visitor.set_viewport_size({"width": 390, "height": 844})
    visitor.goto(f"{base}/campaigns/{campaign.pk}/")
    expect(visitor.locator(".live-status")).to_be_visible()
    screen = watched_page(browser)
    screen.set_viewport_size({"width": 1920, "height": 1080})
    sockets = {"down": False, "open": []}

    def route(socket):
        if sockets["down"]:
            socket.close()
            return
        socket.connect_to_server()
        sockets["open"].append(socket)

    screen.route_web_socket(re.compile(r"/ws/campaigns/"), route)
    screen.goto(f"{base}/campaigns/{campaign.pk}/screen/")
    status = screen.locator('[data-part="status"]')
    expect(status).to_contain_text("Trực tiếp")

    # Two branches join with the code (typed in lower case, with spaces).
    members = {}
    for username in ("doanvien", "doanvien2"):
        member = watched_page(browser)
        _sign_in(member, base, username, "/campaigns/join/")
        member.get_by_label("Mã của đơn vị tổ chức (12 ký tự)").fill(code.lower())
        member.get_by_role("button", name="Tham gia").click()
        expect(
            member.get_by_text(re.compile("đã tham gia “Chợ số Kê Sặt”"))
        ).to_be_visible()
        members[username] = member
    branches = visitor.locator('[data-part="branches"]')
    expect(branches).to_contain_text("Chi đoàn thôn Hồ Liễn")
    expect(branches).to_contain_text("Chi đoàn thôn Quán Gỏi")

    # A member checks in with a photo; the organiser verifies it.
    _check_in(members["doanvien"], base, campaign, CLASS, 14, 7001)
    _check_in(members["doanvien"], base, campaign, MERCHANTS, 6, 7002)
    page.goto(f"{base}/campaigns/{campaign.pk}/manage/")
    expect(page.locator("img[src*='/photo.jpg']").first).to_be_visible()
    assert serious_accessibility_violations(page) == []
    for _check in range(2):
        page.get_by_role("button", name="Xác nhận báo cáo").first.click()
        expect(page.get_by_text("Đã xử lý báo cáo.")).to_be_visible()

    # The public page and the big screen move without a reload.
    feed = visitor.locator('[data-part="feed"]')
    expect(feed).to_contain_text("Chi đoàn thôn Hồ Liễn")
    expect(feed.locator("img").first).to_be_visible()
    expect(visitor.locator('[data-part="by-points"] tbody tr').first).to_contain_text(
        "Hồ Liễn"
    )
    expect(screen.locator('[data-part="by-points"] tbody tr').first).to_contain_text(
        "Hồ Liễn"
    )
    expect(screen.locator('[data-part="feed"]').first).to_contain_text("Hồ Liễn")
    assert serious_accessibility_violations(visitor) == []
    shoot(visitor, "campaigns", "campaign", [(390, 844), (1366, 768)])
    shoot(screen, "campaigns", "screen", [(1366, 768), (1920, 1080)])

    # The hall's network drops: the figures stay, with their age; then it is back.
    sockets["down"] = True
    for socket in sockets["open"]:
        socket.close()
    expect(status).to_contain_text("Mất kết nối: số liệu lúc")
    expect(status).to_contain_text("đang kết nối lại")
    expect(screen.locator('[data-part="by-points"] tbody tr').first).to_contain_text(
        "Hồ Liễn"
    )
    shoot(screen, "campaigns", "screen-offline", [(1920, 1080)])
    sockets["down"] = False
    expect(status).to_contain_text("Trực tiếp", timeout=40_000)

    # A check-in of the other branch waits while the campaign closes.
    _check_in(members["doanvien2"], base, campaign, CLASS, 9, 7003)
    page.goto(f"{base}/campaigns/{campaign.pk}/manage/")
    page.get_by_role("button", name="Kết thúc và chốt kết quả").click()
    expect(page.get_by_text("kết quả chốt lúc đóng chiến dịch")).to_be_visible()
    frozen = page.locator('[data-part="branches"]').inner_text()

    # Credited later: the snapshot stays exactly as it was.
    page.goto(f"{base}/campaigns/{campaign.pk}/manage/")
    page.get_by_role("button", name="Xác nhận báo cáo").click()
    expect(page.get_by_text("Đã xử lý báo cáo.")).to_be_visible()
    visitor.goto(f"{base}/campaigns/{campaign.pk}/")
    assert visitor.locator('[data-part="branches"]').inner_text() == frozen
    outcome = visitor.locator('[data-part="outcome"]')
    expect(outcome).to_contain_text("Huy hiệu hoàn thành")
    expect(outcome.get_by_role("link", name="Chi đoàn thôn Hồ Liễn")).to_be_visible()
    expect(outcome).to_contain_text("Chi đoàn thôn Hồ Liễn · Bằng khen")
    assert not outcome.get_by_role("link", name="Chi đoàn thôn Quán Gỏi").count()
    top = Nomination.objects.get(
        review=Campaign.objects.get(pk=campaign.pk).review, rank=1
    )
    assert top.unit.name == "Chi đoàn thôn Hồ Liễn"
    shoot(visitor, "campaigns", "campaign-closed", [(390, 844), (1366, 768)])
    for other in (visitor, screen, *members.values()):
        assert other.policy_violations == []
        other.context.close()
