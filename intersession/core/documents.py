"""Printable A4 documents (fpdf2): the fonts with Cyrillic and Kazakh letters, and a page frame
with the hub's name, the document's title, the day it was made and the page numbers."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
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
