"""The one CSV reader and writer in core: formulas neutralised, numbers kept, and no module
reading or writing CSV past them."""

from __future__ import annotations

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask

from intersession.core.csvfiles import csv_text, safe_cell

PACKAGE = Path(__file__).resolve().parent.parent / "intersession"
HELPER = PACKAGE / "core" / "csvfiles.py"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("@SUM(1)", "'@SUM(1)"),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        ("Сәрсенбаев Әлихан", "Сәрсенбаев Әлихан"),
        ("a=1", "a=1"),
        ("-5", "-5"),
        ("+7", "+7"),
        ("-2.5", "-2.5"),
        ("4,5", "4,5"),
        (-3, -3),
        (Decimal("-4.50"), Decimal("-4.50")),
        (None, ""),
    ],
)
def test_formulas_are_neutralised_and_numbers_stay_numbers(value: object, written: object) -> None:
    assert safe_cell(value) == written


def test_the_text_reads_back_cell_for_cell(app: Flask) -> None:
    from flask_babel import force_locale

    rows = [["Name", "Rate"], ["=1+1", 50], ['a,"b"', "-1"], ["Half", Decimal("4.5")]]
    for language, delimiter, half in (("en", ",", "4.5"), ("ru", ";", "4,5"), ("kk", ";", "4,5")):
        with app.test_request_context(), force_locale(language):
            text = csv_text(rows)
        assert text.startswith("\ufeff")
        assert list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter)) == [
            ["Name", "Rate"],
            ["'=1+1", "50"],
            ['a,"b"', "-1"],
            ["Half", half],  # the decimal mark the reader's spreadsheet expects
        ], language


def test_no_module_but_the_helper_uses_the_csv_module() -> None:
    """Every export and import goes through core/csvfiles.py, so a new one cannot forget the
    formula guard or the field limit."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path == HELPER:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(name == "csv" or name.startswith("csv.") for name in names):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert offenders == []
