"""The dossier's documents, generated from the records: the submission letter (tờ
trình) with the list of nominees, the achievement report (báo cáo thành tích) per
nominee and the council's minutes (biên bản) with the tally, as .docx in the
administrative layout offices use (python-docx), and the lists and the decision's
annex as XLSX (openpyxl).

The layout follows the usual administrative form: the issuing unit top left with
the number left blank for the office, the national motto top right, the place and
date line in italics, the title in bold capitals, Times New Roman 13-14 pt on A4
with 2/2/3/2 cm margins. The office edits, numbers and signs the file; nothing in
it is an image of text.
"""

import copy
import io
from datetime import date

from django.conf import settings
from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from PIL import Image

from competitions.models import Evidence
from units.models import Unit

FONT = "Times New Roman"
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
LOCAL_GOVERNMENT = {Unit.Kind.PROVINCE, Unit.Kind.COMMUNE, Unit.Kind.WARD}
PREFIXES = ("Thành phố ", "Tỉnh ", "Xã ", "Phường ", "Thôn ", "Tổ dân phố ", "Sở ")


def place_name(unit: Unit) -> str:
    for prefix in PREFIXES:
        if unit.name.startswith(prefix):
            return unit.name[len(prefix) :]
    return unit.name


def date_line(unit: Unit, day: date) -> str:
    return (
        f"{place_name(unit)}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    )


def issuer_lines(unit: Unit) -> tuple[str, str]:
    """The two lines naming the issuer, top left."""
    if unit.kind in LOCAL_GOVERNMENT:
        return "ỦY BAN NHÂN DÂN", unit.name.upper()
    parent = (
        Unit.objects.filter(path=unit.parent_path).first() if unit.parent_path else None
    )
    return (parent.name.upper() if parent else ""), unit.name.upper()


def _template() -> bytes:
    """An empty A4 document with our margins and Times New Roman, saved once.

    python-docx's default template carries some 280 latent style definitions that
    Word does not need to open the file; dropping them once makes every document
    after it quicker to open and to write (a dossier's report took 80 ms, most of
    it parsing and writing the template).
    """
    global _TEMPLATE
    if _TEMPLATE is None:
        document = Document()
        section = document.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21)
        section.top_margin = section.bottom_margin = Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(2)
        style = document.styles["Normal"]
        style.font.name = FONT
        style.font.size = Pt(13)
        # Word takes East Asian and complex-script text from these attributes.
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), FONT)
        style.paragraph_format.space_after = Pt(3)
        styles = document.styles.element
        latent = styles.find(qn("w:latentStyles"))
        if latent is not None:
            styles.remove(latent)
        # Only the styles these documents use (and each kind's default): the
        # template's 160 others were most of what every report parsed and wrote.
        for element in styles.findall(qn("w:style")):
            if (
                element.get(qn("w:default")) != "1"
                and element.get(qn("w:styleId")) not in KEPT_STYLES
            ):
                styles.remove(element)
        # Parts Word does not need to open the file (a second copy of every style
        # with effects, the theme, web settings, a thumbnail, custom XML): not
        # carried into each of a thousand reports.
        for rel in list(document.part.rels.values()):
            if rel.reltype in DROPPED_PARTS:
                del document.part.rels[rel.rId]
        for rel in list(document.part.package.rels.values()):
            if rel.reltype in DROPPED_PARTS:
                del document.part.package.rels[rel.rId]
        output = io.BytesIO()
        document.save(output)
        _TEMPLATE = output.getvalue()
    return _TEMPLATE


_TEMPLATE: bytes | None = None
KEPT_STYLES = {"Normal", "TableGrid"}
DROPPED_PARTS = {
    # stylesWithEffects (Word 2010), not among python-docx's constants.
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    RT.THEME,
    RT.WEB_SETTINGS,
    RT.CUSTOM_XML,
    RT.THUMBNAIL,
}


def _document() -> Document:
    return Document(io.BytesIO(_template()))


# Blocks that repeat across a review's reports (the heading with its issuer and
# date, the title, the signatures), built once with python-docx and copied into
# each report: building them was a third of a report's time.
_BLOCKS: dict[tuple, list] = {}
BLOCKS_KEPT = 256


def _reuse(document, key: tuple, build) -> None:
    """Append the body elements `build(document)` would add, built once per key."""
    blocks = _BLOCKS.get(key)
    if blocks is None:
        scratch = _document()
        build(scratch)
        body = scratch.element.body
        blocks = [child for child in body if child is not body.sectPr]
        if len(_BLOCKS) >= BLOCKS_KEPT:
            _BLOCKS.clear()
        _BLOCKS[key] = blocks
    end = document.element.body.sectPr
    for block in blocks:
        end.addprevious(copy.deepcopy(block))


def _cell_text(cell, lines, *, bold=(), italic=(), size=13, underline=()):
    cell.text = ""
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(line)
        if size != 13:
            run.font.size = Pt(size)
        # Only what is on: setting a property to False writes an element too.
        if index in bold:
            run.bold = True
        if index in italic:
            run.italic = True
        if index in underline:
            run.underline = True


def _heading(document, unit: Unit, *, symbol: str, day: date, issuer=None) -> None:
    """Issuer and number on the left, the national motto and the date on the right."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Cm(6.5), Cm(9.5)
    top, name = issuer or issuer_lines(unit)
    _cell_text(
        left,
        [top, name, "", f"Số:        /{symbol}"],
        bold=(1,),
        underline=(1,),
        size=13,
    )
    _cell_text(
        right,
        [MOTTO, MOTTO_2, "", date_line(unit, day)],
        bold=(0, 1),
        italic=(3,),
        underline=(1,),
        size=13,
    )


def _title(document, title: str, subtitle: str = "") -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(12)
    run = paragraph.add_run(title)
    run.bold = True
    run.font.size = Pt(14)
    if subtitle:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(subtitle)
        run.bold = True
        run.font.size = Pt(14)


def _para(document, text: str, *, bold=False, italic=False, indent=True):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    run = paragraph.add_run(text)
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    return paragraph


def _table(document, header: list[str], rows: list[list], widths=None) -> None:
    """A bordered table, filled in one pass (a dossier's tables are most of the time
    spent writing it: no run or width per cell, the grid's widths once)."""
    table = document.add_table(rows=len(rows) + 1, cols=len(header))
    # The style by its id: setting it by name or object first scans every style
    # for the default one (a third of a report's time, measured).
    table._tbl.tblStyle_val = "TableGrid"
    for index, row in enumerate(table.rows):
        values = header if index == 0 else rows[index - 1]
        for cell, value in zip(row.cells, values, strict=True):
            # Into the cell's empty paragraph (cell.text = … empties and rebuilds it).
            run = cell.paragraphs[0].add_run(str(value))
            if index == 0:
                run.bold = True
    if widths:
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)


def _signatures(document, left: tuple[str, str], right: tuple[str, str]) -> None:
    document.add_paragraph()
    table = document.add_table(rows=1, cols=2)
    for cell, (title, name) in zip(table.rows[0].cells, (left, right), strict=True):
        _cell_text(
            cell,
            [title, "(Ký, ghi rõ họ tên)", "", "", "", name],
            bold=(0, 5),
            italic=(1,),
        )


def _bytes(document) -> bytes:
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _points(value) -> str:
    return f"{int(value):,}".replace(",", ".")


def nominee_rows(nominations) -> list[list]:
    return [
        [
            index,
            n.nominee_name,
            n.nominee_unit.name,
            n.award_type.name,
            (n.justification or n.basis)[:400],
        ]
        for index, n in enumerate(nominations, start=1)
    ]


def submission_letter(
    *, unit: Unit, authority: Unit, nominations, day: date, title: str
) -> bytes:
    """The nominating unit's letter (tờ trình) asking the authority to commend."""
    document = _document()
    _heading(document, unit, symbol="TTr", day=day)
    _title(document, "TỜ TRÌNH", f"Về việc đề nghị khen thưởng {title}")
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(f"Kính gửi: Hội đồng Thi đua – Khen thưởng {authority.name}")
    _para(
        document,
        "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15/6/2022 và các văn "
        "bản hướng dẫn thi hành; căn cứ kết quả thi đua được ghi nhận trên nền tảng "
        f"Thi Đua Số, {unit.name} kính đề nghị xét khen thưởng cho "
        f"{len(nominations)} tập thể, cá nhân có thành tích như sau:",
    )
    _table(
        document,
        ["STT", "Tập thể / cá nhân", "Đơn vị", "Hình thức đề nghị", "Thành tích"],
        nominee_rows(nominations),
        widths=[1.1, 3.6, 3.2, 3.6, 4.5],
    )
    _para(
        document,
        "Hồ sơ kèm theo: báo cáo thành tích của từng tập thể, cá nhân, tổng hợp từ "
        "sổ điểm, huy hiệu và minh chứng trên nền tảng.",
    )
    _para(document, f"{unit.name} kính trình xem xét, quyết định./.")
    _signatures(document, ("Nơi nhận:", ""), (f"TM. {unit.name.upper()}", ""))
    return _bytes(document)


def _thumbnail(evidence_id: int) -> io.BytesIO | None:
    evidence = Evidence.objects.filter(pk=evidence_id, kind=Evidence.Kind.PHOTO).first()
    if evidence is None:
        return None
    try:
        with evidence.file.open("rb") as stored, Image.open(stored) as image:
            image.thumbnail((480, 480))
            output = io.BytesIO()
            image.convert("RGB").save(output, format="JPEG", quality=80)
    except (OSError, ValueError):
        return None
    output.seek(0)
    return output


def achievement_report(nomination, facts: dict) -> bytes:
    """The nominee's achievement report, from the dossier's facts."""
    document = _document()
    unit = nomination.nominating_unit
    day = timezone.localdate(nomination.proposed_at)
    award = nomination.award_type.name
    _reuse(
        document,
        ("report", unit.pk, unit.name, day, award),
        lambda scratch: (
            _heading(scratch, unit, symbol="BC", day=day),
            _title(scratch, "BÁO CÁO THÀNH TÍCH", f"Đề nghị tặng {award}"),
        ),
    )
    competition = nomination.review.competition.name if nomination.review_id else ""
    document.add_paragraph().add_run("I. SƠ LƯỢC").bold = True
    who = "Họ và tên" if nomination.person_id else "Tên tập thể"
    _para(document, f"{who}: {nomination.nominee_name}", indent=False)
    _para(document, f"Đơn vị: {nomination.nominee_unit.name}", indent=False)
    if competition:
        _para(document, f"Phong trào thi đua: {competition}", indent=False)
    document.add_paragraph().add_run("II. THÀNH TÍCH ĐẠT ĐƯỢC").bold = True
    if nomination.basis:
        _para(document, nomination.basis)
    if nomination.justification:
        _para(document, nomination.justification)
    _para(
        document,
        f"Tổng điểm thi đua ghi trong sổ điểm: {_points(facts.get('points', 0))} điểm; "
        f"{facts.get('achievements', 0)} thành tích được duyệt.",
    )
    if facts.get("by_activity"):
        _para(document, "1. Điểm theo hoạt động", bold=True, indent=False)
        _table(
            document,
            ["Hoạt động", "Số lần", "Điểm"],
            [
                [r["activity"], r["entries"], _points(r["points"])]
                for r in facts["by_activity"]
            ],
            widths=[9, 3, 3],
        )
    if facts.get("by_month"):
        _para(document, "2. Điểm theo tháng", bold=True, indent=False)
        _table(
            document,
            ["Tháng", "Điểm"],
            [[r["month"], _points(r["points"])] for r in facts["by_month"]],
            widths=[6, 4],
        )
    if facts.get("recent"):
        _para(
            document, "3. Thành tích tiêu biểu đã được duyệt", bold=True, indent=False
        )
        _table(
            document,
            ["Ngày", "Hoạt động", "Số lượng", "Mô tả"],
            [
                [r["on"], r["activity"], r["quantity"], r["description"]]
                for r in facts["recent"]
            ],
            widths=[2.5, 5, 2, 6],
        )
    if facts.get("badges"):
        _para(
            document,
            "4. Huy hiệu của nền tảng (ghi nhận của nền tảng, không phải hình thức "
            "khen thưởng của Nhà nước)",
            bold=True,
            indent=False,
        )
        for badge in facts["badges"]:
            _para(document, f"– {badge['name']} ({badge['on']})", indent=False)
    pictures = [_thumbnail(pk) for pk in facts.get("evidence", [])]
    pictures = [p for p in pictures if p is not None]
    if pictures:
        _para(document, "5. Minh chứng (ảnh)", bold=True, indent=False)
        for picture in pictures:
            document.add_picture(picture, width=Cm(7))
    reporter = (
        "NGƯỜI BÁO CÁO"
        if nomination.person_id
        else f"TM. {nomination.nominee_name.upper()}"
    )
    _reuse(
        document,
        ("signatures", reporter),
        lambda scratch: _signatures(
            scratch, ("XÁC NHẬN CỦA THỦ TRƯỞNG ĐƠN VỊ", ""), (reporter, "")
        ),
    )
    return _bytes(document)


def minutes(session, rows) -> bytes:
    """The council's minutes (biên bản) with each nomination's tally and result.

    `rows` is [(item, count)] as councils.count gives them.
    """
    document = _document()
    unit = session.council.unit
    _heading(
        document,
        unit,
        symbol="BB-HĐTĐKT",
        day=session.held_on,
        issuer=("HỘI ĐỒNG THI ĐUA – KHEN THƯỞNG", unit.name.upper()),
    )
    _title(document, "BIÊN BẢN", f"Họp {session.council.name}")
    _para(document, f"Nội dung: {session.title}.")
    members = rows[0][1].members if rows else session.members_total
    present = list(session.present.all())
    _para(
        document,
        f"Thành phần: có mặt {len(present)}/{members} thành viên Hội đồng: "
        + ", ".join(m.name for m in present)
        + ".",
    )
    _para(document, "Kết quả biểu quyết:", bold=True, indent=False)
    table_rows = []
    for index, (item, tally) in enumerate(rows, start=1):
        ballot = "Phiếu kín" if item.ballot == "secret" else "Biểu quyết công khai"
        rule = (
            f"{'>' if tally.threshold_strict else '≥'} {tally.threshold_percent}% "
            f"{'số thành viên có mặt' if tally.denominator == 'present' else 'tổng số thành viên'}"
        )
        result = {"passed": "Đạt", "failed": "Không đạt"}.get(
            item.result, "Đang biểu quyết"
        )
        table_rows.append(
            [
                index,
                item.nomination.nominee_name,
                item.nomination.award_type.name,
                ballot,
                f"{tally.yes}/{tally.counted_against}",
                tally.no,
                tally.abstain,
                f"{tally.share:.1f}% ({rule})",
                result,
            ]
        )
    _table(
        document,
        [
            "STT",
            "Tập thể / cá nhân",
            "Hình thức",
            "Cách bỏ phiếu",
            "Tán thành",
            "Không tán thành",
            "Không biểu quyết",
            "Tỷ lệ",
            "Kết quả",
        ],
        table_rows,
    )
    if any(item.ballot == "secret" for item, _tally in rows):
        _para(
            document,
            "Phiếu kín: nền tảng chỉ lưu số phiếu và việc mỗi thành viên đã bỏ phiếu, "
            "không lưu ai chọn gì.",
            italic=True,
        )
    _para(document, "Biên bản được lập và thông qua tại cuộc họp./.")
    _signatures(document, ("THƯ KÝ HỘI ĐỒNG", ""), ("CHỦ TỊCH HỘI ĐỒNG", ""))
    return _bytes(document)


# --- spreadsheets --------------------------------------------------------------------


def _sheet(title: str, header: list[str], rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True, name=FONT)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(row)
    for column, width in zip(
        "ABCDEFGHIJ", [6, 32, 28, 40, 50, 14, 14, 14, 14, 14], strict=False
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def nominees_xlsx(nominations) -> bytes:
    return _sheet(
        "Danh sách đề nghị",
        [
            "STT",
            "Tập thể / cá nhân",
            "Đơn vị",
            "Hình thức đề nghị",
            "Thành tích",
            "Trạng thái",
            "Đơn vị quyết định",
        ],
        [
            [
                i,
                n.nominee_name,
                n.nominee_unit.name,
                n.award_type.name,
                (n.justification or n.basis)[:1000],
                str(n.get_status_display()),
                n.authority_unit.name,
            ]
            for i, n in enumerate(nominations, start=1)
        ],
    )


def decision_annex_xlsx(decision, awards, *, names=None) -> bytes:
    """The decision's annex: the recipients, their award and reward multiple
    (`names`: as the reader may see them, an anonymous person's kept hidden)."""
    names = names or [a.recipient_name for a in awards]
    return _sheet(
        f"Phụ lục {decision.number}".replace("/", "-"),
        [
            "STT",
            "Tập thể / cá nhân",
            "Đơn vị",
            "Hình thức khen thưởng",
            "Thành tích",
            "Mức thưởng (× lương cơ sở)",
            "Số quyết định",
            "Ngày ký",
        ],
        [
            [
                i,
                name,
                a.recipient_unit.name,
                a.award_type.name,
                a.citation[:1000],
                float(a.reward_multiplier),
                decision.number,
                decision.signed_on.strftime("%d/%m/%Y"),
            ]
            for i, (a, name) in enumerate(zip(awards, names, strict=True), start=1)
        ],
    )


def docx_response_name(stem: str) -> str:
    return f"{stem}.docx"


BASE_URL = getattr(settings, "BADGES_BASE_URL", "")
