"""The one place that reads and writes CSV, so every import and every export gets the same care.

Reading: files as people save them from Excel or LibreOffice — UTF-8 (with or without a byte-order
mark), comma or semicolon separated, header names matched through aliases. Whatever cannot be read
(a workbook or a PDF sent instead, NUL bytes, bytes that are not UTF-8, a value too long, broken
quoting) is a DomainError naming the line, raised before the caller keeps anything.

Writing: cells that a spreadsheet would run as a formula are neutralised (OWASP, "CSV
Injection"): a text starting with = + - @ tab or CR gets a leading single quote; numbers stay
numbers. No other module imports `csv` (a test checks), so a new export is covered too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import filetype
from flask import Response
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from intersession.core.errors import DomainError

# No field of any import needs more; anything longer is a broken file (most often a quotation
# mark never closed, which swallows the rest of the file into one value).
MAX_FIELD = 10_000
SNIFF_BYTES = 8192
BOM = "\ufeff"


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class Table:
    rows: list[tuple[int, dict[str, str]]]  # (line number in the file, column -> value)


def _canonical(name: str, aliases: dict[str, str]) -> str:
    key = " ".join(name.strip().lower().replace("_", " ").split())
    return aliases.get(key, key)


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _not_csv(message: str) -> DomainError:
    return DomainError(message, field="file")


def _decode(data: bytes) -> str:
    """The file's text, or a DomainError saying what it is instead and where it goes wrong."""
    guess = filetype.guess(data[:SNIFF_BYTES])
    if guess is not None:
        raise _not_csv(
            _(
                "This is a %(kind)s file, not a CSV text file. In Excel choose “Save as → CSV "
                "UTF-8”; in LibreOffice “Save as → Text CSV”.",
                kind=str(guess.extension).upper(),
            )
        )
    if data.startswith(BOM.encode()):
        data = data[3:]
    if (nul := data.find(b"\x00")) >= 0:
        raise _not_csv(
            _(
                "Line %(line)d has a NUL character: this is not a CSV text file.",
                line=_line_at(data, nul),
            )
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _not_csv(
            _(
                "Line %(line)d is not in UTF-8. In Excel choose “Save as → CSV UTF-8”; "
                "in LibreOffice choose the character set “Unicode (UTF-8)”.",
                line=_line_at(data, error.start),
            )
        ) from None


def _too_long(line: int) -> DomainError:
    return _not_csv(
        ngettext(
            "Line %(line)d has a value longer than %(num)d character. Perhaps a quotation "
            "mark there is not closed.",
            "Line %(line)d has a value longer than %(num)d characters. Perhaps a quotation "
            "mark there is not closed.",
            MAX_FIELD,
            line=line,
        )
    )


def read_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """Every row of the file with the line it starts on; a DomainError for a file that cannot be
    read, naming the line."""
    text = _decode(data)
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise _not_csv(_("The file is empty or has no header row."))
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    while True:
        line = reader.line_num + 1  # a quoted value may span lines: the row starts here
        try:
            values = next(reader)
        except StopIteration:
            return rows
        except csv.Error as error:
            if "field limit" in str(error):
                raise _too_long(line) from None
            raise _not_csv(
                _("Line %(line)d cannot be read as CSV: check its quotation marks.", line=line)
            ) from None
        if any(len(value) > MAX_FIELD for value in values):
            raise _too_long(line)
        rows.append((line, values))


def read_table(data: bytes, aliases: dict[str, str], required: tuple[str, ...]) -> Table:
    """The data rows by canonical column name; a DomainError for a file that cannot be read at
    all or lacks a required column."""
    rows = read_rows(data)
    if not rows:
        raise _not_csv(_("The file is empty or has no header row."))
    header = [_canonical(name, aliases) for name in rows[0][1]]
    missing = [name for name in required if name not in header]
    if missing:
        raise _not_csv(
            _("Columns missing from the header row: %(names)s.", names=", ".join(missing))
        )
    table: list[tuple[int, dict[str, str]]] = []
    for line, values in rows[1:]:
        if not any(v.strip() for v in values):
            continue
        record = {
            name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)
        }
        table.append((line, record))
    if not table:
        raise _not_csv(_("The file has a header row but no data rows."))
    return Table(table)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """A cell a spreadsheet will show rather than run. Numbers, and texts that are plain numbers
    (a grade "4.00", a rate "-5"), are left alone so they still add up."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def reader_separators() -> tuple[str, str]:
    """The field separator and decimal mark a spreadsheet in the reader's language expects: a
    Russian or Kazakh Excel splits on ";" and reads "4,5" as a number (and "4.5" as a date)."""
    locale = get_locale()
    decimal = locale.number_symbols.get("latn", {}).get("decimal", ".") if locale else "."
    return (";", ",") if decimal == "," else (",", ".")


def _localised(cell: object, decimal: str) -> object:
    if decimal != "." and isinstance(cell, float | Decimal):
        return str(cell).replace(".", decimal)
    return cell


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """The rows as CSV text with every cell made safe, behind a byte-order mark so that Excel
    reads Cyrillic and Kazakh letters as UTF-8, separated as the reader's spreadsheet expects."""
    delimiter, decimal = reader_separators()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow([_localised(safe_cell(cell), decimal) for cell in row])
    return BOM + out.getvalue()


def csv_response(rows: Iterable[Iterable[object]], filename: str) -> Response:
    """A CSV download; `filename` is ASCII, made by the caller from ids and fixed words."""
    return Response(
        csv_text(rows).encode(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
