"""In a real browser on a phone: the officer's forms are usable with a thumb.

A person is found by typing part of the name without tone marks, attendance is
ticked with a search and "select everyone shown", a reviewer approves a page of
the queue at once, and tables read as stacked cards.
"""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from competitions.models import Submission
from learning.models import ClassSession, Completion
from tests.browser.test_review_journey import sign_in
from tests.competitions.conftest import make_submission
from tests.learning.conftest import villagers  # noqa: F401

PHONE = {"width": 390, "height": 844}


def test_the_officer_finds_a_person_by_typing_part_of_the_name(
    page,
    live_asgi,
    tree,
    officer,
    competition,
    community_class,
    villagers,  # noqa: F811
):
    page.set_viewport_size(PHONE)
    sign_in(page, live_asgi, "officer")
    page.goto(live_asgi + "/submissions/new/")
    person = page.get_by_label("Cá nhân được ghi điểm")
    search = page.get_by_role("searchbox", name="Tìm theo tên")

    # No "---------": each list says what to choose.
    expect(person.locator("option").first).to_have_text(
        "Không chọn ai: điểm cộng cho đơn vị"
    )
    search.fill("hoa")  # "Phạm Thị Hoa", typed without tone marks
    expect(person.locator("option")).to_have_count(2)  # the empty choice and her
    search.press("Enter")  # the only match is chosen; the form is not sent

    expect(person).to_have_value(str(villagers[3].pk))
    assert page.url.endswith("/submissions/new/")
    page.get_by_label("Hoạt động:", exact=True).select_option(label="Lớp học cộng đồng")
    page.get_by_label("Ngày diễn ra hoạt động").fill(
        (timezone.localdate() - timedelta(days=1)).isoformat()
    )
    page.get_by_label("Số lượng").fill("12")
    page.get_by_role("button", name="Lưu nháp").click()

    expect(page.locator(".status")).to_have_text("Bản nháp")
    assert Submission.objects.get().person == villagers[3]


def test_attendance_is_ticked_by_search_and_select_everyone_shown(
    page,
    live_asgi,
    tree,
    officer,
    community_training,
    learning_competition,
    villagers,  # noqa: F811
):
    now = timezone.now()
    session = ClassSession.objects.create(
        training=community_training,
        unit=tree["ho_lien"],
        held_on=timezone.localdate(),
        place="Nhà văn hóa",
        checkin_until=now + timedelta(hours=3),
        created_by=officer,
        created_at=now,
    )
    page.set_viewport_size(PHONE)
    sign_in(page, live_asgi, "officer")
    page.goto(f"{live_asgi}/learning/sessions/{session.pk}/")

    page.get_by_role("searchbox", name="Tìm theo tên").fill("van")  # "Văn"
    page.get_by_role("button", name="Chọn tất cả người đang hiện").click()
    expect(page.get_by_text("Đã chọn 3")).to_be_visible()
    page.get_by_role("button", name="Ghi nhận điểm danh").click()

    expect(page.get_by_text("Đã điểm danh: 3 người mới")).to_be_visible()
    named = set(
        Completion.objects.filter(session=session).values_list(
            "person__display_name", flat=True
        )
    )
    assert named == {"Nguyễn Văn Bình", "Lê Văn Dũng", "Đỗ Văn Khánh"}


def test_a_reviewer_selects_the_page_and_approves_it_at_once(
    browser, page, live_asgi, tree, officer, reviewer, competition, community_class
):
    for n in range(3):
        make_submission(
            officer=officer,
            unit=tree["ho_lien"],
            competition=competition,
            activity_type=community_class,
            quantity=5 + n,
        )
    page.set_viewport_size(PHONE)
    sign_in(page, live_asgi, "reviewer")
    page.goto(live_asgi + "/review/")

    page.get_by_role("button", name="Chọn tất cả", exact=True).click()
    page.get_by_role("button", name="Duyệt các thành tích đã chọn").click()

    expect(
        page.get_by_text("Đã duyệt 3 thành tích; điểm đã được cộng.")
    ).to_be_visible()
    assert set(Submission.objects.values_list("status", flat=True)) == {"approved"}


def test_a_table_reads_as_stacked_cards_on_a_phone(
    page, live_asgi, tree, officer, reviewer, competition, community_class
):
    from competitions import services
    from tests.competitions.conftest import TEST_ORIGIN

    submission = make_submission(
        officer=officer,
        unit=tree["ho_lien"],
        competition=competition,
        activity_type=community_class,
        person=officer.person,
    )
    services.approve_submission(
        submission=submission, reviewer=reviewer, at=timezone.now(), origin=TEST_ORIGIN
    )
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, live_asgi, "officer")
    page.goto(f"{live_asgi}/people/{officer.person.pk}/points/")

    row = page.locator("table.stack tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"
    label = (
        row.locator("td")
        .nth(2)
        .evaluate("td => getComputedStyle(td, '::before').content")
    )
    assert label == '"Điểm: "'
    page.set_viewport_size({"width": 1366, "height": 768})
    assert row.evaluate("tr => getComputedStyle(tr).display") == "table-row"
