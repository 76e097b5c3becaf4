"""Importing completion lists of the MOOC platform: bad files refused whole, rows
checked one by one, people matched without diacritics, a preview that writes nothing,
an apply that credits once however often it is sent."""

import csv
import io
import os
import threading
import time
import unicodedata
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from competitions.models import PointEntry, UnprojectedEntry
from learning import imports, services
from learning.models import Completion, ImportBatch
from learning.signals import completions_recorded
from reports.models import Fact
from units import observability
from units.audit import COMMAND
from units.body_limits import FORM_OVERHEAD
from units.models import AuditEvent, Membership, Person, TargetGroup
from units.text import phone_digest

from .conftest import make_person

pytestmark = pytest.mark.django_db

HEADER = [
    "Họ và tên",
    "Ngày sinh",
    "Số điện thoại",
    "Mã đơn vị",
    "Khóa học",
    "Ngày hoàn thành",
    "Số chứng chỉ",
]
COURSE_KEY = "course-v1:MOET+KNS-ND+2026-1"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LEARNING_IMPORT_INLINE = True
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def in_english(client, settings):
    """These tests read the messages in English, as the footer's switcher shows them
    (the msgids); one test below checks that the Vietnamese ones reach the officer."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def days_ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).strftime("%d/%m/%Y")


def row(name, born="15/03/1985", *, phone="", code="", course=COURSE_KEY, done=None):
    return [name, born, phone, code, course, done or days_ago(3), ""]


def csv_bytes(rows, *, header=HEADER, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def cp1258(text: str) -> bytes:
    """Windows-1258 as old Vietnamese Excel writes it: base letters precomposed,
    tone marks as separate combining characters."""
    encoded = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            encoded += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tone = parts[-1]
            base = unicodedata.normalize("NFC", parts[:-1])
            encoded += base.encode("cp1258") + tone.encode("cp1258")
    return encoded


def upload(client, unit, data: bytes, *, name="danh-sach.csv"):
    return client.post(
        reverse("learning:import_new"),
        {"unit": unit.pk, "file": SimpleUploadedFile(name, data)},
    )


def preview(client, unit, data: bytes, *, name="danh-sach.csv") -> ImportBatch:
    response = upload(client, unit, data, name=name)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def apply(client, batch):
    return client.post(reverse("learning:import_apply", args=[batch.pk]), follow=True)


def preview_learners(unit, officer, count: int) -> ImportBatch:
    """A previewed file of `count` new learners, through the service."""
    return imports.preview_import(
        unit=unit,
        by=officer,
        file_name="ds.csv",
        data=csv_bytes([row(f"Học Viên {n}") for n in range(count)]),
        at=timezone.now(),
    )


def points(**filters) -> int:
    return sum(PointEntry.objects.filter(**filters).values_list("points", flat=True))


def problems(batch) -> list[tuple[int, str, str]]:
    return [(number, column, kind) for number, column, _message, kind in batch.errors]


@pytest.fixture
def signed_in(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def binh(tree):
    return make_person(tree["ho_lien"], "Nguyễn Văn Bình", birth_date="1985-03-15")


class TestRefusedFiles:
    """A file that cannot be read as a whole: a 400 saying why, nothing stored."""

    @pytest.mark.parametrize(
        "data, name",
        [
            (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "danh-sach.csv"),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "danh-sach.xlsx"),
            (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "anh.csv"),
            (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "chuong-trinh.csv"),
        ],
    )
    def test_a_binary_file_is_not_taken_for_a_table(self, signed_in, tree, data, name):
        response = upload(signed_in, tree["ho_lien"], data, name=name)

        assert response.status_code == 400
        assert "neither a CSV nor an XLSX" in response.content.decode()
        assert not ImportBatch.objects.exists()

    def test_the_officer_reads_why_in_vietnamese(self, signed_in, tree, settings):
        del signed_in.cookies[settings.LANGUAGE_COOKIE_NAME]

        response = upload(signed_in, tree["ho_lien"], b"%PDF-1.7\n", name="a.csv")

        assert response.status_code == 400
        assert "Tệp này không phải tệp CSV hay XLSX" in response.content.decode()

    def test_a_zip_without_a_workbook_is_refused(self, signed_in, tree):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("readme.txt", "not a workbook")

        response = upload(signed_in, tree["ho_lien"], out.getvalue(), name="ds.xlsx")

        assert response.status_code == 400
        assert "neither a CSV nor an XLSX" in response.content.decode()
        assert not ImportBatch.objects.exists()

    def test_an_old_xls_file_is_asked_to_be_saved_as_xlsx(self, signed_in, tree):
        data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512

        response = upload(signed_in, tree["ho_lien"], data, name="ds.xls")

        assert response.status_code == 400
        assert "Old Excel files (.xls)" in response.content.decode()

    def test_a_damaged_xlsx_is_refused(self, signed_in, tree):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("xl/workbook.xml", "<not really a workbook")

        response = upload(signed_in, tree["ho_lien"], out.getvalue(), name="ds.xlsx")

        assert response.status_code == 400
        assert "damaged or protected" in response.content.decode()
        assert not ImportBatch.objects.exists()

    def test_an_xlsx_unpacking_to_too_much_is_refused_before_it_is_opened(
        self, signed_in, tree, settings
    ):
        settings.LEARNING_IMPORT_MAX_UNZIPPED_BYTES = 2000
        data = xlsx_bytes([row(f"Người {n}") for n in range(100)])

        response = upload(signed_in, tree["ho_lien"], data, name="ds.xlsx")

        assert response.status_code == 400
        assert "unpacks to far more data" in response.content.decode()

    def test_an_empty_file_is_refused(self, signed_in, tree):
        response = upload(signed_in, tree["ho_lien"], b"\xef\xbb\xbf\r\n  \r\n")

        assert response.status_code == 400
        assert "The file is empty." in response.content.decode()
        assert not ImportBatch.objects.exists()

    def test_a_header_without_rows_is_refused(self, signed_in, tree):
        response = upload(signed_in, tree["ho_lien"], csv_bytes([]))

        assert response.status_code == 400
        assert "no data rows" in response.content.decode()

    def test_a_file_over_the_size_limit_is_refused(self, signed_in, tree, settings):
        settings.LEARNING_IMPORT_MAX_BYTES = 1024 * 1024
        data = csv_bytes([row("Nguyễn Văn Bình " + "x" * 100)] * 6_000)
        assert 1024 * 1024 < len(data) < 1024 * 1024 + FORM_OVERHEAD / 2

        response = upload(signed_in, tree["ho_lien"], data)

        assert response.status_code == 400
        assert "larger than 1 MB" in response.content.decode()
        assert not ImportBatch.objects.exists()

    def test_a_body_far_over_the_size_limit_is_refused_before_it_is_read(
        self, signed_in, tree, settings
    ):
        settings.LEARNING_IMPORT_MAX_BYTES = 1024 * 1024
        data = csv_bytes([row("Nguyễn Văn Bình " + "x" * 100)] * 12_000)

        response = upload(signed_in, tree["ho_lien"], data)

        assert response.status_code == 413
        assert "(1 MB at most in one sending)" in response.content.decode()
        assert not ImportBatch.objects.exists()

    def test_a_file_over_the_row_limit_is_refused(self, signed_in, tree, settings):
        settings.LEARNING_IMPORT_MAX_ROWS = 3

        response = upload(
            signed_in, tree["ho_lien"], csv_bytes([row(f"Người {n}") for n in range(4)])
        )

        assert response.status_code == 400
        assert "more than 3 rows" in response.content.decode()

    def test_missing_columns_are_named(self, signed_in, tree):
        data = csv_bytes(
            [["Nguyễn Văn Bình", "0912345678"]], header=["Họ và tên", "Điện thoại"]
        )

        response = upload(signed_in, tree["ho_lien"], data)

        body = response.content.decode()
        assert response.status_code == 400
        assert "The file lacks these columns: Khóa học, Ngày hoàn thành." in body
        assert not ImportBatch.objects.exists()

    def test_a_file_without_birth_date_nor_phone_columns_is_refused(
        self, signed_in, tree
    ):
        data = csv_bytes(
            [["Nguyễn Văn Bình", COURSE_KEY, days_ago(2)]],
            header=["Họ và tên", "Khóa học", "Ngày hoàn thành"],
        )

        response = upload(signed_in, tree["ho_lien"], data)

        assert response.status_code == 400
        assert "Ngày sinh / Số điện thoại" in response.content.decode()

    def test_a_unit_outside_the_officers_scope_cannot_be_chosen(
        self, signed_in, tree, course
    ):
        response = upload(signed_in, tree["cay"], csv_bytes([row("Nguyễn Văn Bình")]))

        assert response.status_code == 400
        assert not ImportBatch.objects.exists()


class TestReadingFiles:
    def test_windows_1258_text_is_read_and_matched(self, signed_in, tree, course, binh):
        data = cp1258(
            "Họ và tên,Ngày sinh,Khóa học,Ngày hoàn thành\r\n"
            f"Nguyễn Văn Bình,15/03/1985,{COURSE_KEY},{days_ago(2)}\r\n"
            f"Trần Thị Ánh Tuyết,02/09/1990,{COURSE_KEY},{days_ago(2)}\r\n"
        )
        assert b"\xde" in data  # a combining tilde: really Windows-1258

        batch = preview(signed_in, tree["ho_lien"], data)
        apply(signed_in, batch)

        batch.refresh_from_db()
        assert batch.encoding == "cp1258"
        assert (batch.rows_valid, batch.new_learners, batch.rows_invalid) == (2, 1, 0)
        assert Completion.objects.filter(person=binh, training=course).exists()
        newcomer = Person.objects.get(display_name="Trần Thị Ánh Tuyết")
        # Stored precomposed (NFC), as names typed on a phone are.
        assert newcomer.display_name == unicodedata.normalize(
            "NFC", "Trần Thị Ánh Tuyết"
        )

    def test_utf8_with_a_bom_is_read(self, signed_in, tree, course, binh):
        data = b"\xef\xbb\xbf" + csv_bytes([row("Nguyễn Văn Bình")])

        batch = preview(signed_in, tree["ho_lien"], data)

        assert batch.encoding == "utf-8-sig"
        assert (batch.rows_valid, batch.new_learners) == (1, 0)

    def test_semicolons_as_excel_writes_them_in_vietnamese_are_read(
        self, signed_in, tree, course, binh
    ):
        data = csv_bytes([row("Nguyễn Văn Bình"), row("Lê Thị Hà")], delimiter=";")

        batch = preview(signed_in, tree["ho_lien"], data)

        assert (batch.rows_total, batch.rows_valid, batch.rows_invalid) == (2, 2, 0)

    def test_extra_columns_are_ignored_and_named_in_the_preview(
        self, signed_in, tree, course, binh
    ):
        data = csv_bytes(
            [["1", "Nguyễn Văn Bình", "a@b.vn", "15/03/1985", COURSE_KEY, days_ago(1)]],
            header=[
                "STT",
                "Họ và tên",
                "Email",
                "Ngày sinh",
                "Khóa học",
                "Ngày hoàn thành",
            ],
        )

        batch = preview(signed_in, tree["ho_lien"], data)
        page = signed_in.get(reverse("learning:import", args=[batch.pk]))

        assert batch.ignored_columns == ["STT", "Email"]
        assert batch.rows_valid == 1
        assert "STT, Email" in page.content.decode()

    def test_headers_match_without_diacritics_in_english_or_below_a_title(
        self, signed_in, tree, course, binh
    ):
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["DANH SÁCH HỌC VIÊN HOÀN THÀNH KHÓA HỌC"])
        writer.writerow(["HO VA TEN", "Date of birth", "Course", "Completion date"])
        writer.writerow(["Nguyễn Văn Bình", "1985-03-15", COURSE_KEY, days_ago(1)])

        batch = preview(signed_in, tree["ho_lien"], out.getvalue().encode())

        assert (batch.rows_valid, batch.new_learners) == (1, 0)

    def test_an_xlsx_file_makes_the_round_trip(self, signed_in, tree, course, binh):
        done = timezone.localdate() - timedelta(days=4)
        data = xlsx_bytes(
            [
                # A date cell, a year typed as a number, a phone that lost its 0.
                [
                    "Nguyễn Văn Bình",
                    binh.birth_date,
                    None,
                    None,
                    COURSE_KEY,
                    done,
                    "C-1",
                ],
                ["Lê Thị Hà", 1990, 912345678, "", course.title, done, None],
            ]
        )

        batch = preview(signed_in, tree["ho_lien"], data, name="ds.xlsx")
        apply(signed_in, batch)

        batch.refresh_from_db()
        assert batch.file_format == "xlsx"
        assert (batch.status, batch.completions_added, batch.people_added) == (
            ImportBatch.Status.APPLIED,
            2,
            1,
        )
        completion = Completion.objects.get(person=binh)
        assert (completion.completed_on, completion.certificate_number) == (done, "C-1")
        newcomer = Person.objects.get(display_name="Lê Thị Hà")
        assert newcomer.birth_year == 1990
        assert newcomer.phone_digest == phone_digest("0912345678")

    def test_the_template_is_a_file_the_import_reads(self, signed_in, tree, course):
        response = signed_in.get(reverse("learning:import_template"))
        data = response.content.replace(b"20/05/2025", days_ago(1).encode())

        batch = preview(signed_in, tree["ho_lien"], data)

        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response.content.startswith(b"\xef\xbb\xbf")
        assert (batch.rows_valid, batch.rows_invalid) == (1, 0)


class TestRowChecks:
    def test_each_bad_row_is_reported_with_its_row_and_column(
        self, signed_in, tree, course, binh
    ):
        tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
        data = csv_bytes(
            [
                row("Nguyễn Văn Bình"),  # 2: fine
                row(""),  # 3
                row("Lê Văn Dũng", course="course-v1:KHONG+CO+2026"),  # 4
                row("Lê Văn Dũng", code="12345"),  # 5
                row("Lê Văn Dũng", code="10951"),  # 6: Bình Giang, not Hồ Liễn's
                row("Lê Văn Dũng", born="31/02/1985"),  # 7
                row("Lê Văn Dũng", done=tomorrow),  # 8
                row("Lê Văn Dũng", done="hôm qua"),  # 9
                row("Lê Văn Dũng", born="", phone="12345"),  # 10
                row("Lê Văn Dũng", born=""),  # 11
            ]
        )

        batch = preview(signed_in, tree["ho_lien"], data)

        assert problems(batch) == [
            (3, "Họ và tên", "error"),
            (4, "Khóa học", "error"),
            (5, "Mã đơn vị", "error"),
            (6, "Mã đơn vị", "error"),
            (7, "Ngày sinh", "error"),
            (8, "Ngày hoàn thành", "error"),
            (9, "Ngày hoàn thành", "error"),
            (10, "Số điện thoại", "error"),
            (11, "Ngày sinh", "error"),
        ]
        messages = [message for _n, _c, message, _k in batch.errors]
        assert "Unknown course “course-v1:KHONG+CO+2026”." in messages
        assert "Unknown unit code “12345”." in messages
        assert any("outside Thôn Hồ Liễn" in message for message in messages)
        assert "The completion date cannot be in the future." in messages
        assert (batch.rows_total, batch.rows_valid, batch.rows_invalid) == (10, 1, 9)

    def test_a_person_two_people_match_is_an_error_asking_for_more(
        self, signed_in, tree, course
    ):
        make_person(tree["ho_lien"], "Phạm Văn Long", birth_year=1970)
        make_person(tree["ho_lien"], "Phạm Văn Long", birth_date="1970-06-01")

        batch = preview(
            signed_in, tree["ho_lien"], csv_bytes([row("Pham Van Long", "1970")])
        )

        assert problems(batch) == [(2, "Họ và tên", "error")]
        assert "add the date of birth or the phone number" in batch.errors[0][2]
        assert batch.rows_invalid == 1

    def test_a_row_repeated_in_the_file_counts_once_with_a_warning(
        self, signed_in, tree, course, second_course, binh
    ):
        data = csv_bytes(
            [
                row("Nguyễn Văn Bình"),
                row("Lê Thị Hà"),
                row("NGUYEN VAN BINH"),
                row("Lê Thị Hà", course=second_course.external_key),
                row("Le Thi Ha"),
            ]
        )

        batch = preview(signed_in, tree["ho_lien"], data)
        apply(signed_in, batch)

        batch.refresh_from_db()
        assert problems(batch) == [(4, "", "warning"), (6, "", "warning")]
        assert "Same learner and course as row 2" in batch.errors[0][2]
        assert (batch.rows_valid, batch.rows_duplicate, batch.rows_invalid) == (3, 2, 0)
        assert batch.new_learners == 1
        assert Completion.objects.filter(import_batch=batch).count() == 3
        assert Person.objects.filter(display_name="Lê Thị Hà").count() == 1

    def test_the_page_lists_the_problems_and_links_the_report(
        self, signed_in, tree, course
    ):
        batch = preview(signed_in, tree["ho_lien"], csv_bytes([row("")]))

        page = signed_in.get(reverse("learning:import", args=[batch.pk]))

        body = page.content.decode()
        assert page.status_code == 200
        assert "The full name is empty." in body
        assert reverse("learning:import_errors", args=[batch.pk]) in body


class TestMatchingPeople:
    def test_a_name_in_capitals_without_diacritics_matches_with_the_birth_date(
        self, signed_in, tree, course, binh
    ):
        batch = preview(signed_in, tree["ho_lien"], csv_bytes([row("NGUYEN VAN BINH")]))
        apply(signed_in, batch)

        assert batch.new_learners == 0
        completion = Completion.objects.get(import_batch=batch)
        assert completion.person == binh
        assert completion.unit == tree["ho_lien"]
        assert completion.source == Completion.Source.IMPORT

    def test_the_same_name_with_another_birth_date_is_a_new_learner(
        self, signed_in, tree, course, binh
    ):
        batch = preview(
            signed_in,
            tree["ho_lien"],
            csv_bytes([row("Nguyễn Văn Bình", "16/03/1985")]),
        )

        assert batch.new_learners == 1

    def test_a_year_of_birth_matches_a_full_date_and_a_phone_matches_alone(
        self, signed_in, tree, course, binh
    ):
        cuc = make_person(
            tree["ho_lien"], "Trần Thị Cúc", phone_digest=phone_digest("0987654321")
        )
        data = csv_bytes(
            [
                row("nguyen van binh", "1985"),
                row("Tran Thi Cuc", "", phone="+84 987 654 321"),
            ]
        )

        batch = preview(signed_in, tree["ho_lien"], data)
        apply(signed_in, batch)

        assert batch.new_learners == 0
        assert set(
            Completion.objects.filter(import_batch=batch).values_list(
                "person", flat=True
            )
        ) == {binh.pk, cuc.pk}

    def test_a_unit_code_matches_people_anywhere_in_that_commune(
        self, client, commune_admin, tree, course
    ):
        villager = make_person(
            tree["quan_goi"], "Đỗ Văn Khánh", birth_date="1979-01-20"
        )
        client.force_login(commune_admin)

        batch = preview(
            client,
            tree["ke_sat"],
            csv_bytes([row("Do Van Khanh", "20/01/1979", code="10972")]),
        )
        apply(client, batch)

        completion = Completion.objects.get(import_batch=batch)
        assert completion.person == villager
        # Credited where the learner lives, not to the commune as a whole.
        assert completion.unit == tree["quan_goi"]

    def test_a_new_learner_joins_the_rows_unit_with_no_phone_number_stored(
        self, signed_in, tree, learning_competition, course, community_training
    ):
        community_training.target_groups = [TargetGroup.PUBLIC_SERVANT]
        community_training.save()
        data = csv_bytes(
            [
                row("Hoàng Văn Nam", "", phone="0912 345 678"),
                row(
                    "Hoàng Văn Nam",
                    "",
                    phone="0912345678",
                    course=community_training.title,
                ),
            ]
        )

        batch = preview(signed_in, tree["ho_lien"], data)
        apply(signed_in, batch)

        newcomer = Person.objects.get(display_name="Hoàng Văn Nam")
        assert newcomer.phone_digest == phone_digest("0912345678")
        assert "0912345678" not in str(Person.objects.filter(pk=newcomer.pk).values())
        assert newcomer.target_group == TargetGroup.CITIZEN
        assert (
            Membership.objects.get(person=newcomer, is_primary=True).unit
            == tree["ho_lien"]
        )
        assert points(person=newcomer) == 20


class TestPreviewAndApply:
    def test_the_preview_writes_no_person_no_completion_no_points(
        self, signed_in, tree, learning_competition, course, binh
    ):
        people = Person.objects.count()

        batch = preview(
            signed_in,
            tree["ho_lien"],
            csv_bytes([row("Nguyễn Văn Bình"), row("Lê Thị Hà")]),
        )

        assert batch.status == ImportBatch.Status.PREVIEWED
        assert (batch.rows_valid, batch.new_learners) == (2, 1)
        assert batch.file.read() == csv_bytes(
            [row("Nguyễn Văn Bình"), row("Lê Thị Hà")]
        )
        assert Person.objects.count() == people
        assert not Completion.objects.exists()
        assert not PointEntry.objects.exists()

    def test_applying_credits_each_completion_once_and_is_audited(
        self, signed_in, tree, learning_competition, course, binh
    ):
        batch = preview(
            signed_in,
            tree["ho_lien"],
            csv_bytes([row("Nguyễn Văn Bình"), row("Lê Thị Hà")]),
        )

        response = apply(signed_in, batch)

        batch.refresh_from_db()
        assert "2 completions recorded, 1 new learners" in response.content.decode()
        assert (batch.status, batch.completions_added, batch.people_added) == (
            ImportBatch.Status.APPLIED,
            2,
            1,
        )
        assert batch.rows_done == 2
        assert points(person=binh) == 10
        assert points() == 20
        event = AuditEvent.objects.get(action="import.apply", object_id=batch.pk)
        assert "completions_added=2" in event.reason and event.actor_id is not None

    def test_a_replayed_apply_changes_nothing_and_says_so(
        self, signed_in, tree, learning_competition, course, binh
    ):
        batch = preview(signed_in, tree["ho_lien"], csv_bytes([row("Nguyễn Văn Bình")]))
        apply(signed_in, batch)

        response = apply(signed_in, batch)

        assert "This import was already applied." in response.content.decode()
        assert Completion.objects.count() == 1
        assert points() == 10
        assert AuditEvent.objects.filter(action="import.apply").count() == 1

    def test_the_same_file_twice_adds_nothing_the_second_time(
        self, signed_in, tree, learning_competition, course, binh
    ):
        data = csv_bytes([row("Nguyễn Văn Bình"), row("Lê Thị Hà"), row("Vũ Văn Tú")])
        apply(signed_in, preview(signed_in, tree["ho_lien"], data))
        people = Person.objects.count()

        again = preview(signed_in, tree["ho_lien"], data)
        page = signed_in.get(reverse("learning:import", args=[again.pk]))
        apply(signed_in, again)

        again.refresh_from_db()
        assert (again.rows_valid, again.rows_recorded, again.new_learners) == (3, 3, 0)
        assert "The same file was uploaded before" in page.content.decode()
        assert (again.completions_added, again.people_added) == (0, 0)
        assert Person.objects.count() == people
        assert Completion.objects.count() == 3
        assert points() == 30

    def test_applying_checks_the_rows_again(
        self, signed_in, tree, learning_competition, course, binh
    ):
        batch = preview(
            signed_in,
            tree["ho_lien"],
            csv_bytes([row("Nguyễn Văn Bình"), row("Lê Thị Hà")]),
        )
        # Recorded another way between the preview and the confirmation.
        services.record_completion(
            services.NewCompletion(
                person=binh,
                training=course,
                unit=tree["ho_lien"],
                completed_on=timezone.localdate(),
                source=Completion.Source.ATTENDANCE,
            ),
            by=None,
            at=timezone.now(),
            origin=COMMAND,
        )

        apply(signed_in, batch)

        batch.refresh_from_db()
        assert (batch.rows_recorded, batch.completions_added) == (1, 1)
        assert points(person=binh) == 10

    def test_a_failed_apply_says_so_and_finishes_when_applied_again(
        self, signed_in, tree, learning_competition, course, binh
    ):
        batch = preview(signed_in, tree["ho_lien"], csv_bytes([row("Nguyễn Văn Bình")]))
        stored = batch.file.path
        content = open(stored, "rb").read()
        # The storage lost the file for a moment.
        os.remove(stored)

        failed = apply(signed_in, batch)
        with open(stored, "wb") as restored:
            restored.write(content)
        page = signed_in.get(reverse("learning:import", args=[batch.pk]))
        apply(signed_in, batch)

        assert "The import stopped before the end" in failed.content.decode()
        assert "Apply again to finish" in page.content.decode()
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.APPLIED
        assert points() == 10
        assert list(
            AuditEvent.objects.filter(object_id=batch.pk, action="import.apply")
            .order_by("pk")
            .values_list("to_state", flat=True)
        ) == ["failed", "applied"]

    def test_a_batch_whose_worker_died_can_be_applied_again(
        self, signed_in, tree, learning_competition, course, binh
    ):
        batch = preview(signed_in, tree["ho_lien"], csv_bytes([row("Nguyễn Văn Bình")]))
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.APPLYING,
            progress_at=timezone.now() - timedelta(minutes=1),
        )
        busy = apply(signed_in, batch)
        ImportBatch.objects.filter(pk=batch.pk).update(
            progress_at=timezone.now() - timedelta(hours=1)
        )

        apply(signed_in, batch)

        assert "already being applied" in busy.content.decode()
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.APPLIED
        assert points() == 10

    def test_a_file_with_no_valid_row_cannot_be_applied(self, signed_in, tree, course):
        batch = preview(signed_in, tree["ho_lien"], csv_bytes([row("")]))

        response = apply(signed_in, batch)

        assert "no valid rows" in response.content.decode()
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.PREVIEWED

    def test_a_batch_being_applied_refreshes_its_page(
        self, signed_in, tree, course, binh
    ):
        batch = preview(signed_in, tree["ho_lien"], csv_bytes([row("Nguyễn Văn Bình")]))
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.APPLYING
        )

        page = signed_in.get(reverse("learning:import", args=[batch.pk]))

        body = page.content.decode()
        assert '<meta http-equiv="refresh" content="2">' in body
        assert "<progress" in body
        assert "Confirm and record" not in body


class TestPages:
    def test_the_error_report_is_csv_excel_reads_with_every_problem(
        self, signed_in, tree, course
    ):
        batch = preview(
            signed_in,
            tree["ho_lien"],
            csv_bytes([row("Lê Văn Dũng", course='=HYPERLINK("x")'), row("")]),
        )

        response = signed_in.get(reverse("learning:import_errors", args=[batch.pk]))

        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
        assert response.content.startswith(b"\xef\xbb\xbf")
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert lines[0] == ["Row", "Column", "Problem", "Kind"]
        assert lines[1][:2] == ["2", "Khóa học"]
        # A value that would run as a formula in Excel does not start the cell.
        assert lines[1][2].startswith("Unknown course")
        assert lines[2] == ["3", "Họ và tên", "The full name is empty.", "error"]

    def test_the_list_shows_the_units_batches_newest_first_in_fixed_queries(
        self, signed_in, tree, course, django_assert_num_queries
    ):
        first = preview(
            signed_in, tree["ho_lien"], csv_bytes([row("A")]), name="mot.csv"
        )
        url = reverse("learning:imports")
        with django_assert_num_queries(8):
            signed_in.get(url)
        for n in range(4):
            preview(
                signed_in, tree["ho_lien"], csv_bytes([row(f"B{n}")]), name=f"b{n}.csv"
            )

        with django_assert_num_queries(8):
            response = signed_in.get(url)

        body = response.content.decode()
        assert body.index("b3.csv") < body.index("mot.csv")
        assert first.original_name in body

    def test_another_units_batch_is_a_404_everywhere(
        self, client, signed_in, outsider, tree, course
    ):
        batch = preview(signed_in, tree["ho_lien"], csv_bytes([row("Nguyễn Văn Bình")]))
        client.force_login(outsider)

        answers = [
            client.get(reverse("learning:import", args=[batch.pk])).status_code,
            client.post(reverse("learning:import_apply", args=[batch.pk])).status_code,
            client.get(reverse("learning:import_errors", args=[batch.pk])).status_code,
        ]

        assert answers == [404, 404, 404]
        assert (
            "danh-sach.csv"
            not in client.get(reverse("learning:imports")).content.decode()
        )
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.PREVIEWED

    def test_people_without_an_officer_role_cannot_import(self, client, citizen):
        client.force_login(citizen)

        assert client.get(reverse("learning:import_new")).status_code == 404
        assert client.get(reverse("learning:imports")).status_code == 404

    def test_the_upload_form_describes_the_columns(self, signed_in):
        response = signed_in.get(reverse("learning:import_new"))

        body = response.content.decode()
        assert response.status_code == 200
        for header in HEADER:
            assert header in body
        assert reverse("learning:import_template") in body


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
class TestOnPostgresql:
    def test_two_applies_racing_write_each_completion_once(
        self, tree, officer, learning_competition, course, binh
    ):
        data = csv_bytes(
            [row("Nguyễn Văn Bình")] + [row(f"Học Viên {n}") for n in range(30)]
        )
        batch = imports.preview_import(
            unit=tree["ho_lien"],
            by=officer,
            file_name="ds.csv",
            data=data,
            at=timezone.now(),
        )
        barrier = threading.Barrier(2)
        outcomes = [None, None]

        def worker(index):
            try:
                barrier.wait()
                outcomes[index] = imports.apply_import(
                    batch=batch, by=officer, at=timezone.now(), origin=COMMAND
                )
            except Exception as error:  # collected and asserted on below
                outcomes[index] = error
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sum(isinstance(o, ImportBatch) for o in outcomes) == 1
        assert sum(isinstance(o, imports.ImportNotApplicable) for o in outcomes) == 1
        assert Completion.objects.filter(training=course).count() == 31
        assert PointEntry.objects.count() == 31
        assert Person.objects.filter(display_name__startswith="Học Viên").count() == 30

    def test_a_large_file_is_applied_in_the_background(
        self, settings, tree, officer, learning_competition, course
    ):
        settings.LEARNING_IMPORT_INLINE = False
        settings.LEARNING_IMPORT_INLINE_ROWS = 10
        batch = preview_learners(tree["ho_lien"], officer, 50)

        started = imports.apply_import(
            batch=batch, by=officer, at=timezone.now(), origin=COMMAND
        )
        for _ in range(100):
            batch.refresh_from_db()
            if batch.status != ImportBatch.Status.APPLYING:
                break
            time.sleep(0.1)

        assert started.status in (
            ImportBatch.Status.APPLYING,
            ImportBatch.Status.APPLIED,
        )
        assert batch.status == ImportBatch.Status.APPLIED
        assert PointEntry.objects.count() == 50

    def test_a_file_of_many_chunks_is_counted_everywhere_once_it_says_applied(
        self, tree, officer, learning_competition, course, monkeypatch
    ):
        # The boards and the reports' counters follow each chunk in a second thread
        # while the next one is written; "applied" waits for the last of them.
        monkeypatch.setattr(imports, "CHUNK_ROWS", 10)
        batch = preview_learners(tree["ho_lien"], officer, 35)

        batch = imports.apply_import(
            batch=batch, by=officer, at=timezone.now(), origin=COMMAND
        )

        assert batch.status == ImportBatch.Status.APPLIED
        assert PointEntry.objects.count() == 35
        assert not UnprojectedEntry.objects.exists()
        assert Fact.objects.filter(metric="completions").count() == 35
        assert Fact.objects.filter(metric__startswith="reach:").count() == 35

    def test_a_receiver_failing_behind_the_chunks_fails_the_import_and_loses_nothing(
        self, tree, officer, learning_competition, course, monkeypatch
    ):
        monkeypatch.setattr(imports, "CHUNK_ROWS", 10)
        failures = []

        def broken(sender, completion_ids, **kwargs):
            if not failures:
                failures.append(completion_ids)
                raise RuntimeError("a receiver broke")

        completions_recorded.connect(broken, dispatch_uid="test-broken")
        try:
            batch = preview_learners(tree["ho_lien"], officer, 35)
            failed = imports.apply_import(
                batch=batch, by=officer, at=timezone.now(), origin=COMMAND
            )
        finally:
            completions_recorded.disconnect(dispatch_uid="test-broken")
        status, failure = failed.status, failed.failure
        done = Completion.objects.count()
        applied = imports.apply_import(
            batch=failed, by=officer, at=timezone.now(), origin=COMMAND
        )

        assert status == ImportBatch.Status.FAILED
        assert "The import stopped before the end" in failure
        # The chunk whose receiver broke and the one after it are committed.
        assert done >= 20
        assert applied.status == ImportBatch.Status.APPLIED
        assert Completion.objects.count() == PointEntry.objects.count() == 35

    def test_what_a_chunk_sets_off_carries_the_request_id_of_the_apply(
        self, tree, officer, learning_competition, course, monkeypatch
    ):
        # Audit events and logs written after a chunk's commit, in the second
        # thread, still name the request that applied the file.
        monkeypatch.setattr(imports, "CHUNK_ROWS", 10)
        seen = []

        def listening(sender, completion_ids, **kwargs):
            seen.append(observability.current_request_id())

        completions_recorded.connect(listening, dispatch_uid="test-listening")
        token = observability._request_id.set("req-apply-1")
        try:
            batch = preview_learners(tree["ho_lien"], officer, 25)
            imports.apply_import(
                batch=batch, by=officer, at=timezone.now(), origin=COMMAND
            )
        finally:
            observability._request_id.reset(token)
            completions_recorded.disconnect(dispatch_uid="test-listening")

        assert seen == ["req-apply-1"] * 3
