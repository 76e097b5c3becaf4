"""A report's numbers as files: XLSX (openpyxl's write-only mode, one sheet per
section, Vietnamese headers, set up for printing), CSV (UTF-8 with a BOM, so Excel
reads Vietnamese) and a .docx narrative in the administrative layout (the same
heading, title and signature blocks as the commendation dossier)."""

import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.page import PageMargins

from commendations import documents as admin
from units.models import Unit

FONT = admin.FONT
KIND_NAMES = {
    "month": "THÁNG",
    "quarter": "QUÝ",
    "half": "6 THÁNG",
    "year": "NĂM",
    "custom": "",
}


def _d(text: str) -> str:
    return date.fromisoformat(text).strftime("%d/%m/%Y")


def period_line(data: dict) -> str:
    return f"Từ ngày {_d(data['start'])} đến ngày {_d(data['end'])}"


def xlsx(data: dict) -> bytes:
    """One sheet per section; rows are streamed, so memory stays flat however many
    units the province has."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True, name=FONT)
    wrap = Alignment(wrap_text=True, vertical="top")
    used = set()
    for section in data["sections"]:
        title = section["title"][:31].replace("/", "-")
        while title in used:
            title = title[:28] + f" {len(used)}"
        used.add(title)
        sheet = workbook.create_sheet(title)
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = "9"  # A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_margins = PageMargins(left=0.6, right=0.4, top=0.6, bottom=0.6)
        sheet.print_title_rows = "1:3"
        sheet.freeze_panes = "A4"
        widths = [36] + [14] * (len(section["header"]) - 1)
        for index, width in enumerate(widths):
            sheet.column_dimensions[_column(index)].width = width
        heading = WriteOnlyCell(sheet, value=f"{section['title']} · {data['unit']}")
        heading.font = Font(bold=True, name=FONT, size=13)
        sheet.append([heading])
        sheet.append([WriteOnlyCell(sheet, value=period_line(data))])
        header = []
        for text in section["header"]:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            cell.alignment = wrap
            header.append(cell)
        sheet.append(header)
        for row in section["rows"]:
            sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def csv_bytes(data: dict) -> bytes:
    """Every section one after the other, each under its title, in UTF-8 with BOM."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([data["unit"], period_line(data)])
    for section in data["sections"]:
        writer.writerow([])
        writer.writerow([section["title"]])
        writer.writerow(section["header"])
        writer.writerows(section["rows"])
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def _n(value) -> str:
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def docx(data: dict, unit: Unit, *, kind: str) -> bytes:
    """The narrative report (báo cáo kết quả) with the numbers' tables."""
    document = admin._document()
    made = date.fromisoformat(data["made_on"])
    admin._heading(document, unit, symbol="BC", day=made)
    suffix = KIND_NAMES.get(kind, "")
    admin._title(
        document,
        "BÁO CÁO",
        f"Kết quả thực hiện Phong trào “Bình dân học vụ số” {suffix}".strip().upper()
        if suffix
        else "Kết quả thực hiện Phong trào “Bình dân học vụ số”".upper(),
    )
    admin._para(document, period_line(data), italic=True, indent=False)
    sections = {s["key"]: s for s in data["sections"]}
    kpi = sections.get("kpi")
    if kpi:
        total = kpi["rows"][-1]
        admin._para(
            document,
            f"Đến ngày {_d(data['as_of'])}, {data['unit']} có {_n(total[2])} người "
            f"đã hoàn thành ít nhất một khóa học kỹ năng số trên tổng số "
            f"{_n(total[1])} người thuộc các nhóm đối tượng ({_n(total[4])}%); "
            f"trong kỳ báo cáo có thêm {_n(total[3])} người.",
        )
    number = 0
    for section in data["sections"]:
        number += 1
        admin._para(document, f"{number}. {section['title']}", bold=True, indent=False)
        rows = section["rows"]
        if section["key"] == "units" and len(rows) > 60:
            admin._para(
                document,
                f"Bảng chi tiết {_n(len(rows))} đơn vị ở trang tính “{section['title']}” "
                "của tệp Excel kèm theo; dưới đây là 60 dòng đầu.",
                italic=True,
            )
            rows = rows[:60]
        if not rows:
            admin._para(document, "Không có số liệu trong kỳ.", italic=True)
            continue
        admin._table(
            document, section["header"], [[_n(v) for v in row] for row in rows]
        )
    admin._signatures(
        document,
        ("NGƯỜI LẬP BÁO CÁO", ""),
        (f"TM. {admin.issuer_lines(unit)[1]}", ""),
    )
    return admin._bytes(document)
