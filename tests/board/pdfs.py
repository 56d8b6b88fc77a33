"""PDFs for the board's tests, made with fpdf2 (a dependency of the platform)."""

from __future__ import annotations

from fpdf import FPDF

POINT_MM = 25.4 / 72


def deck(pages: int = 3, size_points: tuple[float, float] = (842, 595)) -> bytes:
    """A deck whose page N says "Слайд N" in large letters on a coloured band."""
    pdf = FPDF(unit="pt", format=size_points)
    pdf.set_auto_page_break(False)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_fill_color(30 * number % 255, 120, 200)
        pdf.rect(0, 0, size_points[0], size_points[1] / 4, style="F")
        pdf.set_font("helvetica", size=max(12, size_points[1] / 10))
        pdf.set_xy(size_points[0] / 10, size_points[1] / 2)
        pdf.cell(text=f"Slide {number}")
    return bytes(pdf.output())


def encrypted() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=20)
    pdf.cell(text="secret")
    pdf.set_encryption(owner_password="owner", user_password="pupil")
    return bytes(pdf.output())


def blank_pages(pages: int) -> bytes:
    """A PDF of many small empty pages written by hand: 2,000 pages in about 150 KB (a test
    client's upload past 500 KB is spooled to a file it never closes)."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>",
               b"<</Type/Pages/Count %d/Kids[%s]>>"
               % (pages, b" ".join(b"%d 0 R" % (n + 3) for n in range(pages)))]  # fmt: skip
    objects += [b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>"] * pages
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


DAMAGED = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\nthis is not a PDF body\n"
