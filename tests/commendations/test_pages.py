"""The commendation pages: the journey through HTTP, the documents they give (read
back with python-docx and openpyxl), certificates, the honour board, and bad input
answered with a 4xx that says what to do and changes nothing."""

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from commendations import councils
from commendations.models import Award, AwardDecision, Nomination, SessionItem
from tests.commendations.conftest import TEST_ORIGIN
from tests.commendations.test_services import (
    HANOI,
    session_with,
    submitted,
    vote,
)
from tests.conftest import REQUIRE_SERVICES
from tests.world import row_counts

pytestmark = pytest.mark.django_db


def _text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture
def decided(review, administrator, council, tree):
    items = submitted(review, administrator)
    session = session_with(
        council, items, administrator, ["chair", "secretary", "member1"]
    )
    for item in session.items.all():
        for name in ("chair", "secretary"):
            vote(council, name, item, "yes")
    councils.close_session(
        session=session, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
    )
    return session


class TestReviewPages:
    def test_closing_from_the_page_proposes_and_builds_the_dossiers(
        self, client, review, administrator
    ):
        client.force_login(administrator)

        response = client.post(f"/commendations/reviews/{review.pk}/close/")

        assert response.status_code == 302
        page = client.get(f"/commendations/reviews/{review.pk}/").content.decode()
        assert "Thôn Hồ Liễn" in page and "Hạng 1" in page
        nomination = Nomination.objects.get(review=review, unit__isnull=False)
        assert nomination.dossier.facts["points"] == 70
        assert nomination.dossier.document.name.endswith(".docx")

    def test_the_submission_letter_and_the_list_are_real_documents(
        self, client, review, administrator
    ):
        client.force_login(administrator)
        client.post(f"/commendations/reviews/{review.pk}/close/")

        letter = client.get(f"/commendations/reviews/{review.pk}/letter.docx")
        sheet = client.get(f"/commendations/reviews/{review.pk}/nominees.xlsx")

        document = Document(io.BytesIO(letter.content))
        text = _text(document)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "Độc lập - Tự do - Hạnh phúc" in text
        assert "TỜ TRÌNH" in text and "Thôn Hồ Liễn" in text
        assert re.search(r"Kê Sặt, ngày \d\d tháng \d\d năm \d{4}", text)
        assert document.styles["Normal"].font.name == "Times New Roman"
        rows = list(load_workbook(io.BytesIO(sheet.content)).active.values)
        assert rows[0][1] == "Tập thể / cá nhân"
        assert {row[1] for row in rows[1:]} >= {"Thôn Hồ Liễn"}

    def test_an_outsider_sees_no_review(self, client, review, outsider):
        client.force_login(outsider)

        assert client.get(f"/commendations/reviews/{review.pk}/").status_code == 404
        assert (
            client.post(f"/commendations/reviews/{review.pk}/close/").status_code == 404
        )


class TestBallotsThroughPages:
    def test_a_second_ballot_is_a_409_in_vietnamese_and_changes_nothing(
        self, client, review, administrator, council
    ):
        items = submitted(review, administrator)
        session = session_with(council, items, administrator, ["chair", "secretary"])
        item = session.items.first()
        client.force_login(council["chair"].user)
        url = f"/commendations/sessions/{session.pk}/items/{item.pk}/vote/"
        assert client.post(url, {"choice": "yes"}).status_code == 302
        before = row_counts()

        again = client.post(url, {"choice": "no"})

        assert again.status_code == 409
        assert "đã bỏ phiếu" in again.content.decode()
        assert row_counts() == before

    def test_voting_outside_ones_council_is_a_403(
        self, client, review, administrator, council, reviewer, tree
    ):
        from units.models import Role
        from units.services import grant_role

        items = submitted(review, administrator)
        session = session_with(council, items, administrator, ["chair"])
        grant_role(user=reviewer, unit=tree["province"], kind=Role.Kind.REVIEWER)
        client.force_login(reviewer)
        item = session.items.first()

        response = client.post(
            f"/commendations/sessions/{session.pk}/items/{item.pk}/vote/",
            {"choice": "yes"},
        )

        assert response.status_code == 403
        assert "không phải thành viên" in response.content.decode()
        item.refresh_from_db()
        assert item.cast == 0

    def test_the_secret_ballot_page_shows_the_count_not_the_choices(
        self, client, review, administrator, council
    ):
        items = submitted(review, administrator)
        session = session_with(council, items, administrator, ["chair", "secretary"])
        vote(council, "chair", session.items.first(), "no")
        client.force_login(council["secretary"].user)

        page = client.get(f"/commendations/sessions/{session.pk}/").content.decode()

        assert "Đã có 1 phiếu." in page
        assert "không tán thành" not in page.lower().split("bỏ phiếu kín")[0]

    def test_closing_without_quorum_is_a_409_and_the_vote_stays_open(
        self, client, review, administrator, council
    ):
        items = submitted(review, administrator)
        session = session_with(council, items, administrator, ["chair"])
        client.force_login(administrator)

        response = client.post(f"/commendations/sessions/{session.pk}/close/")

        assert response.status_code == 409
        assert "Chưa đủ số thành viên" in response.content.decode()
        assert SessionItem.objects.filter(result="pending").count() == 2


class TestDecisionPages:
    def test_a_council_member_reads_the_trail_in_words(self, client, decided, council):
        client.force_login(council["member1"].user)
        nomination = decided.items.first().nomination

        pages = [
            client.get(f"/commendations/sessions/{decided.pk}/").content.decode(),
            client.get(
                f"/commendations/nominations/{nomination.uid}/"
            ).content.decode(),
        ]

        for html in pages:
            assert "Nhật ký thao tác" in html
            assert "Bỏ phiếu kín" in html and "Hội đồng biểu quyết: đạt" in html
            assert "nomination.voted" not in html and "→ approved" not in html
            assert "2 tán thành trên 3" in html  # the tally, never who chose what
        assert "Đưa đề nghị ra Hội đồng xét" in pages[1]
        # proposed by the review's close: its trail starts there
        assert "Kết thúc đợt xét và đề xuất khen thưởng" in pages[1]

    def test_minutes_carry_the_tally(self, client, decided, administrator):
        client.force_login(administrator)

        response = client.get(f"/commendations/sessions/{decided.pk}/minutes.docx")

        text = _text(Document(io.BytesIO(response.content)))
        assert "BIÊN BẢN" in text and "Phiếu kín" in text
        assert "2/3" in text and "Đạt" in text

    def test_recording_a_decision_puts_the_awards_on_the_honour_board(
        self, client, decided, administrator, council, tree, citizen
    ):
        client.force_login(administrator)
        approved = Nomination.objects.filter(status="approved")

        response = client.post(
            f"/commendations/councils/{council['council'].pk}/decide/",
            {
                "number": "125/QĐ-UBND",
                "signed_on": timezone.localdate().isoformat(),
                "signer_name": "Trần Văn Ký",
                "signer_title": "Chủ tịch Ủy ban nhân dân tỉnh",
                "subject": "Về việc tặng Bằng khen",
                "nominations": [n.pk for n in approved],
            },
        )

        assert response.status_code == 302
        client.logout()
        board = client.get("/honour/")
        html = board.content.decode()
        assert "Thôn Hồ Liễn" in html and "125/QĐ-UBND" in html
        assert 'property="og:image"' in html
        preview = re.search(r'property="og:image" content="([^"]+)"', html).group(1)
        image = client.get(preview.replace("http://testserver", ""))
        assert Image.open(io.BytesIO(image.content)).size == (1200, 630)
        award = Award.objects.get(unit=tree["ho_lien"])
        png = client.get(f"/honour/awards/{award.uid}/certificate.png")
        pdf = client.get(f"/honour/awards/{award.uid}/certificate.pdf")
        assert Image.open(io.BytesIO(png.content)).size == (1754, 1240)
        assert pdf.content.startswith(b"%PDF")
        annex = client.get(f"/honour/decisions/{award.decision.uid}/annex.xlsx")
        rows = list(load_workbook(io.BytesIO(annex.content)).active.values)
        assert rows[1][6] == "125/QĐ-UBND" and rows[1][5] == 2.0
        assert citizen.notifications.filter(message__contains="125/QĐ-UBND").exists()

    def test_a_recorded_decision_cannot_be_edited_in_the_admin(
        self, client, decided, administrator, tree
    ):
        from commendations import decisions
        from commendations.models import RecordedDecisionChanged

        decision = decisions.record_decision(
            issuing_unit=tree["province"],
            number="125/QĐ-UBND",
            signed_on=timezone.localdate(),
            signer_name="Trần Văn Ký",
            signer_title="Chủ tịch",
            subject="",
            nominations=list(Nomination.objects.filter(status="approved")),
            by=administrator,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )
        client.force_login(administrator)

        response = client.post(
            f"/admin/commendations/awarddecision/{decision.pk}/change/",
            {"number": "999/QĐ-UBND"},
        )

        assert response.status_code == 403
        decision.number = "999"
        with pytest.raises(RecordedDecisionChanged):
            decision.save()
        assert AwardDecision.objects.get().number == "125/QĐ-UBND"

    def test_deciding_a_nomination_that_failed_is_a_409(
        self, client, review, administrator, council
    ):
        items = submitted(review, administrator)
        session = session_with(
            council, items, administrator, ["chair", "secretary", "member1"]
        )
        councils.close_session(
            session=session, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
        )
        client.force_login(administrator)
        before = row_counts()

        response = client.post(
            f"/commendations/councils/{council['council'].pk}/decide/",
            {
                "number": "125/QĐ-UBND",
                "signed_on": timezone.localdate().isoformat(),
                "signer_name": "Trần Văn Ký",
                "signer_title": "Chủ tịch",
                "nominations": [items[0].pk],
            },
        )

        assert response.status_code == 409
        assert "không đạt biểu quyết" in response.content.decode()
        assert row_counts() == before


@pytest.mark.skipif(
    shutil.which("soffice") is None and not REQUIRE_SERVICES,
    reason="LibreOffice is not installed: run `make test`, which installs it",
)
class TestLibreOffice:
    def test_the_documents_open_in_libreoffice(
        self, client, decided, administrator, review, tmp_path
    ):
        """The office opens what it receives: each .docx converted headless to text
        and the list to CSV by LibreOffice, read back."""
        client.force_login(administrator)
        village = Nomination.objects.get(unit__isnull=False)
        files = {
            "letter.docx": f"/commendations/reviews/{review.pk}/letter.docx",
            "report.docx": f"/commendations/nominations/{village.uid}/report.docx",
            "minutes.docx": f"/commendations/sessions/{decided.pk}/minutes.docx",
            "nominees.xlsx": f"/commendations/reviews/{review.pk}/nominees.xlsx",
        }
        for name, url in files.items():
            (tmp_path / name).write_bytes(client.get(url).content)
        profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"

        for target, names in [
            ("txt:Text (encoded):UTF8", [n for n in files if n.endswith(".docx")]),
            ("csv:Text - txt - csv (StarCalc):44,34,76", ["nominees.xlsx"]),
        ]:
            subprocess.run(
                ["soffice", profile, "--headless", "--convert-to", target]
                + ["--outdir", str(tmp_path)]
                + [str(tmp_path / n) for n in names],
                check=True,
                capture_output=True,
                timeout=240,
            )

        def read(name):
            return (tmp_path / name).read_text(encoding="utf-8-sig")

        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in read("letter.txt")
        assert "TỜ TRÌNH" in read("letter.txt") and "Thôn Hồ Liễn" in read("letter.txt")
        assert "BÁO CÁO THÀNH TÍCH" in read("report.txt") and "70" in read("report.txt")
        assert "BIÊN BẢN" in read("minutes.txt") and "2/3" in read("minutes.txt")
        assert "Thôn Hồ Liễn" in read("nominees.csv")


class TestRefusalsThroughPages:
    """Bad input through the pages: a 4xx that says what to do, nothing changed."""

    def test_a_member_voting_on_their_own_nomination_is_a_403(
        self, client, review, administrator, council, citizen
    ):
        from commendations.models import CouncilMember

        items = submitted(review, administrator)
        council["own"] = CouncilMember.objects.create(
            council=council["council"], user=citizen, name="Nguyễn Văn An"
        )
        session = session_with(council, items, administrator, ["chair", "own"])
        item = session.items.get(nomination__person=citizen.person)
        client.force_login(citizen)
        before = row_counts()

        response = client.post(
            f"/commendations/sessions/{session.pk}/items/{item.pk}/vote/",
            {"choice": "yes"},
        )

        assert response.status_code == 403
        assert "hồ sơ đề nghị của chính bạn" in response.content.decode()
        assert row_counts() == before

    def test_nominating_someone_outside_ones_unit_is_a_404(
        self, client, tree, officer, bang_khen
    ):
        from tests.conftest import make_user

        stranger = make_user("stranger", unit=tree["cay"], person_name="Trần Văn Lạ")
        client.force_login(officer)
        before = row_counts()

        response = client.post(
            "/commendations/nominations/new/",
            {
                "unit": tree["ho_lien"].pk,
                "award_type": bang_khen.pk,
                "recipient": f"p-{stranger.person.pk}",
                "justification": "Hướng dẫn cả thôn dùng dịch vụ công trực tuyến",
            },
        )

        assert response.status_code == 404
        assert "không có cá nhân hoặc tập thể này" in response.content.decode()
        assert row_counts() == before

    def test_a_commune_deciding_a_provincial_award_is_refused(
        self, client, review, administrator, commune_admin, tree
    ):
        from commendations.models import Council

        items = submitted(review, administrator)
        commune = Council.objects.create(unit=tree["ke_sat"], name="Hội đồng xã")
        client.force_login(commune_admin)
        before = row_counts()

        response = client.post(
            f"/commendations/councils/{commune.pk}/decide/",
            {
                "number": "12/QĐ-UBND",
                "signed_on": timezone.localdate().isoformat(),
                "signer_name": "Nguyễn Văn Chủ",
                "signer_title": "Chủ tịch UBND xã",
                "nominations": [items[0].pk],
            },
        )

        # The province decides it: not among what the commune may decide.
        assert response.status_code == 400
        assert "Hãy chọn hồ sơ trong danh sách" in response.content.decode()
        assert row_counts() == before
        assert not AwardDecision.objects.exists()


class TestHonourBoard:
    def test_each_year_is_a_link_that_shows_that_years_awards(
        self, client, decided, administrator, tree
    ):
        from commendations import decisions

        first, second = Nomination.objects.filter(status="approved").order_by("pk")
        for number, day, nomination in [
            (
                "12/QĐ-UBND",
                timezone.localdate().replace(year=2025, month=6, day=2),
                first,
            ),
            ("125/QĐ-UBND", timezone.localdate(), second),
        ]:
            decisions.record_decision(
                issuing_unit=tree["province"],
                number=number,
                signed_on=day,
                signer_name="Trần Văn Ký",
                signer_title="Chủ tịch",
                subject="",
                nominations=[nomination],
                by=administrator,
                at=timezone.now(),
                origin=TEST_ORIGIN,
            )

        html = client.get("/honour/").content.decode()

        # Years are written as years, not as quantities ("2.025").
        assert "year=2025" in html and "2.025" not in html
        earlier = client.get("/honour/?unit=&year=2025").content.decode()
        assert "12/QĐ-UBND" in earlier and "125/QĐ-UBND" not in earlier

    def test_an_anonymous_persons_name_stays_off_the_public_downloads(
        self, client, decided, administrator, tree, citizen
    ):
        from commendations import decisions

        citizen.person.appears_anonymously = True
        citizen.person.save()
        decision = decisions.record_decision(
            issuing_unit=tree["province"],
            number="125/QĐ-UBND",
            signed_on=timezone.localdate(),
            signer_name="Trần Văn Ký",
            signer_title="Chủ tịch",
            subject="",
            nominations=list(Nomination.objects.filter(status="approved")),
            by=administrator,
            at=timezone.now(),
            origin=TEST_ORIGIN,
        )
        award = Award.objects.get(person=citizen.person)
        name = citizen.person.display_name

        page = client.get(f"/honour/awards/{award.uid}/").content.decode()
        certificate = client.get(f"/honour/awards/{award.uid}/certificate.png")
        annex = client.get(f"/honour/decisions/{decision.uid}/annex.xlsx")

        assert name not in page and "certificate.png" not in page
        assert certificate.status_code == 404
        names = [
            row[1] for row in load_workbook(io.BytesIO(annex.content)).active.values
        ]
        assert name not in names and "Ẩn danh" in names
        client.force_login(citizen)
        mine = client.get(f"/honour/awards/{award.uid}/certificate.png")
        assert mine.status_code == 200 and mine["Cache-Control"].startswith("private")


class TestNominationPage:
    def test_the_nominee_sees_their_dossier_and_outsiders_do_not(
        self, client, review, administrator, citizen, outsider
    ):
        from commendations import nominations

        nominations.close_review(
            review=review, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
        )
        mine = Nomination.objects.get(person=citizen.person)
        client.force_login(citizen)
        assert client.get(f"/commendations/nominations/{mine.uid}/").status_code == 200
        client.force_login(outsider)
        assert client.get(f"/commendations/nominations/{mine.uid}/").status_code == 404

    def test_the_achievement_report_holds_the_points_and_the_evidence_photo(
        self, client, review, administrator
    ):
        from commendations import nominations

        nominations.close_review(
            review=review, by=administrator, at=timezone.now(), origin=TEST_ORIGIN
        )
        village = Nomination.objects.get(unit__isnull=False)
        client.force_login(administrator)

        response = client.get(f"/commendations/nominations/{village.uid}/report.docx")

        document = Document(io.BytesIO(response.content))
        text = _text(document)
        assert "BÁO CÁO THÀNH TÍCH" in text and "70 điểm" in text
        assert len(document.inline_shapes) >= 1  # an evidence thumbnail

    def test_a_review_closed_after_midnight_in_vietnam_dates_its_report_that_day(
        self, client, review, administrator
    ):
        from commendations import nominations

        # 00:30 on 10 October in Hà Nội, as timezone.now() gives it: 9 October, UTC
        at = datetime(2026, 10, 10, 0, 30, tzinfo=HANOI).astimezone(UTC)
        nominations.close_review(
            review=review, by=administrator, at=at, origin=TEST_ORIGIN
        )
        village = Nomination.objects.get(unit__isnull=False)
        client.force_login(administrator)

        response = client.get(f"/commendations/nominations/{village.uid}/report.docx")

        text = _text(Document(io.BytesIO(response.content)))
        assert "ngày 10 tháng 10 năm 2026" in text
