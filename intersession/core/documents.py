"""Printable A4 documents (fpdf2): the fonts with Cyrillic and Kazakh letters, and a page frame
with the hub's name, the document's title, the day it was made and the page numbers."""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app
from fpdf import FPDF

FONT = "DejaVu"


def fonts_folder() -> Path:
    folder = Path(current_app.static_folder or "static") / "vendor" / "fonts"
    if not (folder / "DejaVuSans.ttf").exists():
        raise RuntimeError("The PDF font is missing from static/vendor/fonts: run `make setup`.")
    return folder


def with_fonts(pdf: FPDF) -> FPDF:
    fonts = fonts_folder()
    pdf.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    return pdf


class FramedDocument(FPDF):
    """Every page says whose it is and which page it is: `running` is the header's line, and
    `page_words` the footer's text with %(page)s and %(pages)s (already translated)."""

    def __init__(self, running: str, page_words: str, landscape: bool = False) -> None:
        super().__init__(orientation="L" if landscape else "P", format="A4")
        self.running = running
        self.page_words = page_words
        with_fonts(self)
        self.set_author("Intersession")
        self.set_auto_page_break(auto=True, margin=15)

    def header(self) -> None:
        self.set_font(FONT, "", 8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, self.running, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(110, 110, 110)
        # "{nb}" is fpdf's alias for the number of pages, put in when the document is closed.
        text = self.page_words % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 5, text, align="C")
        self.set_text_color(0, 0, 0)


def table_document(
    title: str,
    running: str,
    page_words: str,
    header: list[str],
    rows: list[list[str]],
    widths: tuple[int, ...],
    subtitle: str = "",
    landscape: bool = True,
) -> bytes:
    """A report that is one table: its title, a line under it, and the table with its header
    repeated on every page."""
    pdf = FramedDocument(running, page_words, landscape=landscape)
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    if subtitle:
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 6, subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "", 8)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.5) as table:
        table.row(header)
        for row in rows:
            table.row(row)
    return bytes(pdf.output())


def pdf_download(content: bytes, filename: str) -> Response:
    """A PDF download; `filename` is ASCII, made by the caller from ids and fixed words."""
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
