"""The one place that writes XLSX workbooks (openpyxl), beside csvfiles.py's CSV.

A workbook opens in columns whatever the spreadsheet's language (a CSV needs the right separator
for that), keeps numbers as numbers and dates as dates, and has its header row in bold and frozen
with the first column. Written row by row (openpyxl's write-only mode), so a large export does
not grow the process. A text that a spreadsheet would run as a formula is kept as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE_MAX = 31  # Excel's limit
TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
BOLD = Font(bold=True)


def _cell(sheet: WriteOnlyWorksheet, value: object, header: bool) -> WriteOnlyCell:
    if value is None:
        value = ""
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)  # Excel has no zones: the caller gives local times
    if not isinstance(value, int | float | Decimal | date):
        value = str(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"  # "=1+1" typed as a pupil's name stays a name
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    if header:
        cell.font = BOLD
    return cell


@dataclass(frozen=True)
class Sheet:
    title: str
    rows: Iterable[Iterable[object]]  # the first is the header
    widths: Iterable[int] = ()
    frozen: str = "B2"


class OpenSheet:
    """A sheet of a workbook being written: rows go straight to its temporary file, so several
    sheets can grow side by side while memory stays flat."""

    def __init__(self, book: Workbook, sheet: Sheet) -> None:
        self.written = book.create_sheet(
            (sheet.title.translate(TITLE_FORBIDDEN).strip() or "Sheet")[:SHEET_TITLE_MAX]
        )
        self.written.freeze_panes = sheet.frozen
        for index, width in enumerate(sheet.widths, start=1):
            self.written.column_dimensions[get_column_letter(index)].width = width
        self.rows = 0

    def append(self, row: Iterable[object]) -> None:
        self.written.append([_cell(self.written, value, self.rows == 0) for value in row])
        self.rows += 1


def _add_sheet(book: Workbook, sheet: Sheet) -> None:
    opened = OpenSheet(book, sheet)
    for row in sheet.rows:
        opened.append(row)


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """A workbook of several sheets, each written row by row."""
    book = Workbook(write_only=True)
    for sheet in sheets:
        _add_sheet(book, sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def workbook_file(sheets: Iterable[Sheet], path: str) -> None:
    """A workbook written to a file: memory stays flat whatever the number of rows."""
    book = Workbook(write_only=True)
    for sheet in sheets:
        _add_sheet(book, sheet)
    book.save(path)


def xlsx_bytes(
    rows: Iterable[Iterable[object]], title: str, widths: Iterable[int] = (), frozen: str = "B2"
) -> bytes:
    """The rows (the first is the header) as a one-sheet workbook."""
    return workbook_bytes([Sheet(title, rows, widths, frozen)])


def xlsx_download(content: bytes, filename: str) -> Response:
    """An XLSX download; `filename` is ASCII, made by the caller from ids and fixed words."""
    return Response(
        content,
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def xlsx_response(
    rows: Iterable[Iterable[object]], filename: str, title: str, widths: Iterable[int] = ()
) -> Response:
    """A one-sheet XLSX download; `filename` is ASCII, made from ids and fixed words."""
    return xlsx_download(xlsx_bytes(rows, title, widths), filename)
