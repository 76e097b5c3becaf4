"""Reading an uploaded table, CSV or XLSX, into rows of cells; anything else refused.

Officers download the MOOC platform's export and often re-save it in Excel: UTF-8
with or without a BOM, Windows-1258 from older Vietnamese installs, commas or the
semicolons Excel writes in a Vietnamese locale. The content decides the format, never
the file name, and every limit is checked before the work it bounds.
"""

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

# Enough for the columns of any export; a sheet claiming thousands is not one.
MAX_COLUMNS = 64

Cell = str | int | float | date | datetime | None

# Signatures of files that are surely not tables, each with what to say.
_NOT_TABLES = (
    (b"%PDF", "pdf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"RIFF", "image"),
    (b"\xd0\xcf\x11\xe0", "xls"),
)


class UnreadableFile(Exception):
    """The file as a whole cannot be read as a table; the message is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    file_format: str  # "csv" or "xlsx"
    encoding: str
    # (row number as a spreadsheet shows it, cells); blank rows left out.
    rows: list[tuple[int, list[Cell]]]


def _not_a_table() -> UnreadableFile:
    return UnreadableFile(
        _(
            "This file is neither a CSV nor an XLSX file. Export the list again as CSV or XLSX."
        )
    )


def _too_many_rows(limit: int) -> UnreadableFile:
    return UnreadableFile(
        _("The file has more than %(limit)s rows; split it into smaller files.")
        % {"limit": f"{limit:,}".replace(",", ".")}
    )


def _is_blank(cells: list[Cell]) -> bool:
    return all(
        cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells
    )


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in: UTF-8 (with or without BOM),
    else Windows-1258."""
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
        if data.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8-sig"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1258"), "cp1258"
        except UnicodeDecodeError:
            raise UnreadableFile(
                _("The file's text encoding is not recognised; save it as CSV UTF-8.")
            ) from None
    # Windows-1258 keeps tone marks as combining characters: compose them, so the
    # names stored look like the ones typed on a phone.
    return unicodedata.normalize("NFC", text), encoding


def _delimiter(text: str) -> str:
    """Comma, or the semicolon (or tab) Excel writes in some locales: whichever the
    header line has most of."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {mark: header.count(mark) for mark in (",", ";", "\t")}
    return max(counts, key=lambda mark: (counts[mark], mark == ","))


def _read_csv(data: bytes, *, max_rows: int) -> Table:
    text, encoding = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            cells = cells[:MAX_COLUMNS]
            if _is_blank(cells):
                continue
            if len(rows) > max_rows:
                raise _too_many_rows(max_rows)
            rows.append((number, cells))
    except csv.Error:
        raise UnreadableFile(
            _("The CSV file is damaged (a quote is not closed or a cell is too long).")
        ) from None
    return Table(file_format="csv", encoding=encoding, rows=rows)


def _check_zip(data: bytes, *, max_unzipped: int) -> None:
    """An XLSX file is a zip holding xl/workbook.xml; refuse zip bombs before opening."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_a_table() from None
    if not any(member.filename == "xl/workbook.xml" for member in members):
        raise _not_a_table()
    if len(members) > 10_000 or sum(m.file_size for m in members) > max_unzipped:
        raise UnreadableFile(
            _("The XLSX file unpacks to far more data than a completion list holds.")
        )


def _read_xlsx(data: bytes, *, max_rows: int, max_unzipped: int) -> Table:
    from openpyxl import load_workbook

    _check_zip(data, max_unzipped=max_unzipped)
    rows = []
    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
        try:
            sheet = workbook.worksheets[0]
            # The stored dimension is sometimes wrong (smaller than the data, or the
            # whole grid): read what the sheet holds instead.
            sheet.reset_dimensions()
            for number, values in enumerate(
                sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
            ):
                cells = [
                    unicodedata.normalize("NFC", cell)
                    if isinstance(cell, str)
                    else cell
                    for cell in values
                ]
                if _is_blank(cells):
                    continue
                if len(rows) > max_rows:
                    raise _too_many_rows(max_rows)
                rows.append((number, cells))
        finally:
            workbook.close()
    except UnreadableFile:
        raise
    except Exception:
        # openpyxl raises many kinds (KeyError, ValueError, XML errors) on a damaged
        # workbook; all mean the same to the officer.
        raise UnreadableFile(
            _(
                "The XLSX file is damaged or protected; open it in Excel and save it again."
            )
        ) from None
    return Table(file_format="xlsx", encoding="", rows=rows)


def read_table(data: bytes, *, max_rows: int, max_unzipped: int) -> Table:
    """The rows of an uploaded CSV or XLSX file, or UnreadableFile saying why not."""
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UnreadableFile(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(data, max_rows=max_rows, max_unzipped=max_unzipped)
    else:
        _refuse_other_formats(data)
        table = _read_csv(data, max_rows=max_rows)
    if not table.rows:
        raise UnreadableFile(_("The file is empty."))
    return table


def _refuse_other_formats(data: bytes) -> None:
    for signature, kind in _NOT_TABLES:
        if data.startswith(signature):
            if kind == "xls":
                raise UnreadableFile(
                    _(
                        "Old Excel files (.xls) are not read; save the list as XLSX or CSV."
                    )
                )
            raise _not_a_table()
    if b"\x00" in data[:8192]:
        raise _not_a_table()
