"""The one place that writes XLSX workbooks (openpyxl), beside csvfiles.py's CSV.

A workbook opens in columns whatever the spreadsheet's language (a CSV needs the right separator
for that), keeps numbers as numbers and dates as dates, and has its header row in bold and frozen
with the first column. Written row by row (openpyxl's write-only mode), so a large export does
not grow the process. A text that a spreadsheet would run as a formula is kept as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
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


def xlsx_bytes(
    rows: Iterable[Iterable[object]], title: str, widths: Iterable[int] = (), frozen: str = "B2"
) -> bytes:
    """The rows (the first is the header) as a one-sheet workbook."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(
        (title.translate(TITLE_FORBIDDEN).strip() or "Sheet")[:SHEET_TITLE_MAX]
    )
    sheet.freeze_panes = frozen
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for number, row in enumerate(rows):
        sheet.append([_cell(sheet, value, number == 0) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(
    rows: Iterable[Iterable[object]], filename: str, title: str, widths: Iterable[int] = ()
) -> Response:
    """An XLSX download; `filename` is ASCII, made by the caller from ids and fixed words."""
    return Response(
        xlsx_bytes(rows, title, widths),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
