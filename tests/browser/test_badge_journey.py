"""Done when: the demo mentor's fifth mentee completes a training in the browser,
and "Đại sứ số" appears live on the mentor's screen and on their wall."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from learning.models import ClassSession
from tests.badges.conftest import complete, pair
from tests.browser.conftest import serious_accessibility_violations
from tests.conftest import PASSWORD, make_user
from tests.learning.conftest import make_person

MOBILE = {"width": 390, "height": 844}


def _sign_in(page, username):
    page.get_by_label("Tên đăng nhập hoặc email").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_the_fifth_mentee_completing_shows_dai_su_so_live_to_the_mentor(
    browser, page, live_asgi, tree, officer, course, community_training
):
    from tests.badges.conftest import seeded_badges

    seeded_badges()
    mentor = make_user(
        "hocvien", unit=tree["ho_lien"], person_name="Trần Văn Học"
    ).person
    mentees = [make_person(tree["ho_lien"], f"Người học {n}") for n in range(1, 5)]
    fifth = make_user(
        "nguoihoc5", unit=tree["ho_lien"], person_name="Lê Thị Năm"
    ).person
    for mentee in [*mentees, fifth]:
        pair(mentor, mentee)
    for mentee in mentees:
        complete(mentee, course)
    session = ClassSession.objects.create(
        training=community_training,
        unit=tree["ho_lien"],
        held_on=timezone.localdate(),
        checkin_until=timezone.now() + timedelta(hours=3),
        created_by=officer,
        created_at=timezone.now(),
    )

    page.set_viewport_size(MOBILE)
    page.goto(live_asgi + "/accounts/login/?next=/badges/")
    _sign_in(page, "hocvien")
    expect(
        page.get_by_text("4 trên 5 — Người học đã hoàn thành khóa học")
    ).to_be_visible()
    assert serious_accessibility_violations(page) == []
    page.wait_for_timeout(500)  # the personal socket connects

    learner = browser.new_context(locale="vi-VN").new_page()
    learner.goto(f"{live_asgi}/learning/checkin/{session.checkin_token}/")
    _sign_in(learner, "nguoihoc5")
    learner.get_by_role("button", name="Tôi có mặt").click()
    expect(learner).to_have_url(re.compile(r"/learning/mine/$"))

    notice = page.locator("#live-award")
    expect(notice).to_be_visible(timeout=10_000)
    expect(notice).to_contain_text("Bạn vừa nhận huy hiệu “Đại sứ số (Đồng)”")
    notice.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("Đại sứ số"))).to_be_visible()
    expect(page.get_by_text("Huy hiệu thật, do nền tảng này cấp.")).to_be_visible()
    assert serious_accessibility_violations(page) == []

    page.goto(live_asgi + f"/badges/people/{mentor.pk}/")
    expect(page.get_by_text("Đại sứ số")).to_be_visible()
    expect(page.get_by_text("Đồng")).to_be_visible()
