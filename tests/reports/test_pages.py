"""The dashboard, targets and reports through HTTP: downloads read back with openpyxl
and python-docx, and every refusal of the issue in Vietnamese, 4xx, nothing changed."""

import io
from datetime import date, timedelta

import docx
import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from reports import tallies, targets
from reports.models import Report, Target
from tests.conftest import PASSWORD
from tests.reports.conftest import complete, person
from units.models import AuditEvent


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def planned(tree):
    targets.seed_plan(tree["province"], targets.PROVINCE_PLAN, "seed 001")
    targets.seed_plan(tree["ke_sat"], targets.COMMUNE_PLAN, "seed 002")
    return tree


@pytest.fixture
def reached(planned, course, django_capture_on_commit_callbacks):
    """Three people of Hồ Liễn and one of Quán Gỏi reached this year."""
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            complete(
                person(planned["ho_lien"], f"Người {i}"),
                course,
                today - timedelta(days=i),
            )
        complete(person(planned["quan_goi"], "Người Q"), course, today)
    tallies.reconcile()
    return planned


def sign_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_the_reviewer_sees_the_commune_against_its_targets(client, reviewer, reached):
    sign_in(client, reviewer)
    ke_sat = reached["ke_sat"]
    page = client.get(reverse("reports:dashboard", args=[ke_sat.pk]) + "?year=2025")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="total-reached">4<' in text
    assert 'id="total-headcount">' in text and "550" in text
    # The commune's 2025 target for adults is 80%, above the province's 70%.
    assert "80 %" in text
    # Quán Gỏi (1 of 250) is furthest behind; Hồ Liễn (3 of 300) next.
    assert text.count('class="behind"') == 2
    assert "<svg" in text and "aria-label" in text


def test_a_unit_outside_ones_scope_is_not_found(client, reviewer, reached):
    sign_in(client, reviewer)
    for name in ("reports:dashboard", "reports:targets", "reports:report_new"):
        assert (
            client.get(reverse(name, args=[reached["binh_giang"].pk])).status_code
            == 404
        )


def test_a_target_below_the_parents_is_refused(client, commune_admin, reached):
    sign_in(client, commune_admin)
    url = reverse("reports:targets", args=[reached["ke_sat"].pk])
    answer = client.post(
        url, {"year": "2025", "target_group": "citizen", "percent": "60"}
    )
    assert answer.status_code == 400
    assert "không thể thấp hơn 70" in answer.content.decode()
    assert (
        Target.objects.get(
            unit=reached["ke_sat"], year=2025, target_group="citizen"
        ).percent
        == 80
    )


def test_a_target_above_100_is_refused(client, commune_admin, reached):
    sign_in(client, commune_admin)
    url = reverse("reports:targets", args=[reached["ke_sat"].pk])
    answer = client.post(
        url, {"year": "2025", "target_group": "student", "percent": "120"}
    )
    assert answer.status_code == 400
    assert "từ 0 đến 100" in answer.content.decode()
    assert (
        Target.objects.get(
            unit=reached["ke_sat"], year=2025, target_group="student"
        ).percent
        == 100
    )


def test_a_higher_target_is_saved_and_shown(client, commune_admin, reached):
    sign_in(client, commune_admin)
    url = reverse("reports:targets", args=[reached["ho_lien"].pk])
    answer = client.post(
        url, {"year": "2025", "target_group": "citizen", "percent": "85,5"}
    )
    assert answer.status_code == 302
    assert (
        Target.objects.get(
            unit=reached["ho_lien"], year=2025, target_group="citizen"
        ).percent
        == 85.5
    )
    assert (
        targets.effective([reached["ho_lien"]], 2025)[reached["ho_lien"].pk]["citizen"]
        == 85.5
    )
    # Who changed the target, from what to what, is on record.
    event = AuditEvent.objects.get(action="target.set")
    assert (event.actor, event.unit, event.from_state, event.to_state) == (
        commune_admin,
        reached["ho_lien"],
        "",
        "85,5%",
    )
    assert event.ip_address == "127.0.0.1"


def test_a_reviewer_may_not_set_targets(client, reviewer, reached):
    sign_in(client, reviewer)
    url = reverse("reports:targets", args=[reached["ke_sat"].pk])
    answer = client.post(
        url, {"year": "2025", "target_group": "citizen", "percent": "90"}
    )
    assert answer.status_code == 404
    assert (
        Target.objects.get(
            unit=reached["ke_sat"], year=2025, target_group="citizen"
        ).percent
        == 80
    )


def _ask(client, unit, **fields):
    return client.post(reverse("reports:report_new", args=[unit.pk]), fields)


def test_the_quarterly_report_downloads_and_its_totals_are_the_dashboards(
    client, reviewer, reached, settings
):
    settings.REPORTS_INLINE = True
    sign_in(client, reviewer)
    ke_sat = reached["ke_sat"]
    today = timezone.localdate()
    answer = _ask(
        client,
        ke_sat,
        kind="quarter",
        year=str(today.year),
        number=str((today.month - 1) // 3 + 1),
    )
    assert answer.status_code == 302
    report = Report.objects.get()
    assert report.status == Report.Status.DONE
    page = client.get(answer["Location"])
    assert page.status_code == 200
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("reports:report_xlsx", args=[report.pk])).content)
    )
    kpi = workbook.worksheets[0]
    rows = list(kpi.iter_rows(values_only=True))
    assert rows[2][0] == "Nhóm đối tượng"
    total = rows[-1]
    assert (total[1], total[2]) == (550, 4)
    assert len(workbook.sheetnames) >= 8
    units = workbook["Đơn vị"]
    assert (
        units.max_row == 3 + 3
    )  # title, period, header + the commune and two villages
    document = docx.Document(
        io.BytesIO(client.get(reverse("reports:report_docx", args=[report.pk])).content)
    )
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in text and "có 4 người" in text
    raw = client.get(reverse("reports:report_csv", args=[report.pk])).content
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Xã Kê Sặt".encode() in raw


def test_a_closed_period_gives_the_same_numbers_whatever_is_credited_later(
    client, reviewer, reached, course, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_INLINE = True
    sign_in(client, reviewer)
    ke_sat = reached["ke_sat"]
    last_year = timezone.localdate().year - 1
    first = _ask(client, ke_sat, kind="year", year=str(last_year))
    before = client.get(
        reverse("reports:report_xlsx", args=[Report.objects.get().pk])
    ).content
    with django_capture_on_commit_callbacks(execute=True):
        complete(
            person(reached["ho_lien"], "Người muộn"), course, date(last_year, 6, 1)
        )
    second = _ask(client, ke_sat, kind="year", year=str(last_year))
    assert first["Location"] == second["Location"]
    assert Report.objects.count() == 1
    after = client.get(
        reverse("reports:report_xlsx", args=[Report.objects.get().pk])
    ).content

    def read(raw):
        sheet = openpyxl.load_workbook(io.BytesIO(raw)).worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]

    assert read(before) == read(after)


@pytest.mark.parametrize(
    "fields, words",
    [
        (
            {"kind": "custom", "start": "2026-03-10", "end": "2026-03-01"},
            "kết thúc trước khi bắt đầu",
        ),
        (
            {"kind": "custom", "start": "2026-01-01", "end": "2999-01-01"},
            "trong tương lai",
        ),
        ({"kind": "year", "year": "2999"}, "Chọn năm"),
        ({"kind": "quarter", "year": "2026", "number": "5"}, "Chọn tháng, quý"),
        ({"kind": "weekly"}, "Chọn kỳ báo cáo"),
    ],
)
def test_a_bad_period_is_refused(client, reviewer, reached, fields, words):
    sign_in(client, reviewer)
    answer = _ask(client, reached["ke_sat"], **fields)
    assert answer.status_code == 400
    assert words in answer.content.decode()
    assert not Report.objects.exists()


def test_a_report_asked_for_a_thousand_times_a_minute_is_refused(
    client, reviewer, reached, settings
):
    settings.REPORTS_INLINE = True
    sign_in(client, reviewer)
    year = str(timezone.localdate().year)
    answers = [
        _ask(
            client, reached["ho_lien"], kind="month", year=year, number="1"
        ).status_code
        for _ in range(15)
    ]
    assert answers[:10] == [302] * 10
    assert set(answers[10:]) == {429}
    refused = _ask(client, reached["ho_lien"], kind="month", year=year, number="1")
    assert "Hãy đợi một phút" in refused.content.decode()
    assert refused["Retry-After"] == "60"


def test_a_future_as_of_date_is_refused(client, reviewer, reached):
    sign_in(client, reviewer)
    url = (
        reverse("reports:dashboard", args=[reached["ke_sat"].pk]) + "?as_of=2999-01-01"
    )
    answer = client.get(url)
    assert answer.status_code == 400
    assert "trong tương lai" in answer.content.decode()


def test_the_public_progress_page_shows_the_same_figures(client, reached):
    province = reached["province"]
    page = client.get(reverse("reports:progress", args=[province.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="total-reached">4<' in text
    assert "og:image" in text and "public" in page["Cache-Control"]
    preview = client.get(reverse("reports:progress_preview", args=[province.pk]))
    assert preview["Content-Type"] == "image/png" and preview.content[:4] == b"\x89PNG"
    assert (
        client.get(reverse("reports:progress", args=[reached["ke_sat"].pk])).status_code
        == 404
    )
    assert client.get(reverse("reports:progress_index")).status_code == 302
