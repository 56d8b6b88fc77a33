"""Reading CSV files as people save them from Excel or LibreOffice: UTF-8 (with or without a
byte-order mark), comma or semicolon separated, header names in English, Russian or Kazakh."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext as _

from intersession.core.errors import DomainError


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


def read_table(data: bytes, aliases: dict[str, str], required: tuple[str, ...]) -> Table:
    """Decode and split the file; raise DomainError for a file that cannot be read at all."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DomainError(
            _(
                "The file is not in UTF-8. In Excel choose “Save as → CSV UTF-8”; "
                "in LibreOffice choose the character set “Unicode (UTF-8)”."
            ),
            field="file",
        ) from None
    if "\x00" in text:
        raise DomainError(_("This is not a CSV text file."), field="file")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DomainError(_("The file is empty or has no header row."), field="file")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [_canonical(name, aliases) for name in next(reader)]
    missing = [name for name in required if name not in header]
    if missing:
        raise DomainError(
            _("Columns missing from the header row: %(names)s.", names=", ".join(missing)),
            field="file",
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        record = {
            name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)
        }
        rows.append((reader.line_num, record))
    if not rows:
        raise DomainError(_("The file has a header row but no data rows."), field="file")
    return Table(rows)
