"""A pupil's verified portfolio as a printable PDF, or a ZIP of that PDF with the evidence files.

Built by a Celery task (`tasks.build_export`) that counts its steps into the export's row, so the
page can show the progress. Only verified entries go in. The file is written under a temporary
name and renamed when whole; a task run again (a worker lost mid-way) builds it afresh, and a
finished export is left as it is.
"""

from __future__ import annotations

import os
import secrets
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from intersession.auth.models import Role, User
from intersession.core import files, pictures, storage
from intersession.core.db import db, utcnow
from intersession.core.documents import FONT, with_fonts
from intersession.core.errors import DomainError
from intersession.core.kazakh import LOCATIVE, with_case
from intersession.portfolio.labels import KIND_LABELS, LEVEL_LABELS, RESULT_LABELS
from intersession.portfolio.models import (
    EntryState,
    ExportKind,
    ExportState,
    PortfolioEntry,
    PortfolioExport,
)

AREA = "exports"
PRINT_SIDE = 1600  # pixels on the longest side: about 500 dpi at the 80 mm the PDF gives a picture


def can_export(viewer: User, pupil: User) -> bool:
    """The pupil, their tutor and the hub's coordinator."""
    if pupil.role is not Role.PUPIL or viewer.hub_id != pupil.hub_id:
        return False
    if viewer.role is Role.PUPIL:
        return viewer.id == pupil.id
    if viewer.role is Role.TUTOR:
        return viewer.school_id == pupil.school_id
    return viewer.role is Role.COORDINATOR


def request_export(viewer: User, pupil: User, kind: ExportKind) -> PortfolioExport:
    """A queued export; the caller hands its id to the task once this is committed."""
    if not can_export(viewer, pupil):
        raise DomainError(_("You cannot export this portfolio."))
    export = PortfolioExport(pupil_id=pupil.id, requested_by_id=viewer.id, kind=kind)
    db.session.add(export)
    db.session.commit()
    return export


def exports_of(pupil: User, limit: int = 5) -> list[PortfolioExport]:
    """The pupil's latest exports, newest first, for their page."""
    query = (
        select(PortfolioExport)
        .where(PortfolioExport.pupil_id == pupil.id)
        .order_by(PortfolioExport.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def verified_entries(pupil_id: int) -> list[PortfolioEntry]:
    query = (
        select(PortfolioEntry)
        .where(PortfolioEntry.pupil_id == pupil_id, PortfolioEntry.state == EntryState.VERIFIED)
        .options(selectinload(PortfolioEntry.evidence), selectinload(PortfolioEntry.subject))
        .order_by(PortfolioEntry.happened_on.desc(), PortfolioEntry.id.desc())
    )
    return list(db.session.scalars(query))


def purge_old_exports(days: int) -> int:
    """Remove exports made more than `days` ago, file and row (a new one takes a minute to make);
    returns how many went."""
    old = list(
        db.session.scalars(
            select(PortfolioExport).where(
                PortfolioExport.created_at < utcnow() - timedelta(days=days)
            )
        )
    )
    for found in old:
        db.session.delete(found)
    db.session.commit()
    for found in old:  # files after the commit: a failed commit keeps rows and files together
        if found.stored_name:
            storage.delete_file(AREA, found.stored_name)
    return len(old)


def download_name(export: PortfolioExport) -> str:
    return f"{_('Portfolio')} — {export.pupil.full_name}.{export.kind.value}"


def run_export(export_id: int, language: str) -> None:
    """Build the file of a queued (or interrupted) export, counting the steps as it goes."""
    export = db.session.get(PortfolioExport, export_id)
    if export is None or export.state is ExportState.DONE:
        return
    entries = verified_entries(export.pupil_id)
    evidence = [f for e in entries for f in e.evidence] if export.kind is ExportKind.ZIP else []
    export.state, export.done, export.total = ExportState.RUNNING, 0, len(entries) + len(evidence)
    export.entries, export.error = len(entries), ""
    db.session.commit()
    stored_name = secrets.token_hex(16)
    target = storage.media_path(AREA, stored_name)
    partial = storage.partial_path(target)

    def step() -> None:
        export.done += 1
        db.session.commit()

    try:
        with force_locale(language):
            pdf = portfolio_pdf(export.pupil, entries, step)
            if export.kind is ExportKind.PDF:
                pdf.output(str(partial))
            else:
                _write_zip(partial, pdf, entries, step)
        os.replace(partial, target)
    except Exception as error:
        partial.unlink(missing_ok=True)
        db.session.rollback()
        export.state, export.error, export.finished_at = ExportState.FAILED, str(error), utcnow()
        db.session.commit()
        raise
    export.stored_name, export.size = stored_name, target.stat().st_size
    export.state, export.finished_at = ExportState.DONE, utcnow()
    db.session.commit()


def _write_zip(
    path: Path, pdf: FPDF, entries: list[PortfolioEntry], step: Callable[[], None]
) -> None:
    """The PDF first, then each entry's evidence in a folder of its own, under the names sent."""
    with zipfile.ZipFile(path, "x", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{_('Portfolio')}.pdf", bytes(pdf.output()))
        for number, entry in enumerate(entries, start=1):
            folder = f"{number:02d} {files.clean_name(entry.title)[:60]}".strip()
            for stored in entry.evidence:
                source = storage.media_path(files.AREA, stored.stored_name)
                archive.write(
                    source, f"{folder}/{stored.id}-{files.clean_name(stored.original_name)}"
                )
                step()


def portfolio_pdf(
    pupil: User, entries: list[PortfolioEntry], step: Callable[[], None] = lambda: None
) -> FPDF:
    """The printable portfolio: who, then each verified entry with what was achieved."""
    pdf = with_fonts(FPDF(format="A4"))
    pdf.set_title(f"{_('Portfolio')} — {pupil.full_name}")
    pdf.set_author("Intersession")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 9, _("Portfolio"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 8, pupil.full_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    school = pupil.school.name if pupil.school else ""
    grade = _("grade %(n)s", n=pupil.grade) if pupil.grade else ""
    pdf.multi_cell(0, 6, " · ".join(p for p in (school, grade) if p), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        6,
        _(
            "Verified entries: %(n)d. Made on %(day)s.",
            n=len(entries),
            day=date.today().isoformat(),
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    for entry in entries:
        _entry_block(pdf, entry)
        step()
    return pdf


def _entry_block(pdf: FPDF, entry: PortfolioEntry) -> None:
    pdf.set_draw_color(200, 200, 200)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)
    pdf.set_font(FONT, "", 9)
    kind = str(KIND_LABELS.get(entry.kind.value, entry.kind.value))
    pdf.multi_cell(0, 5, f"{kind} · {entry.happened_on.isoformat()}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 7, entry.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    facts = []
    if entry.level is not None:
        facts.append(str(LEVEL_LABELS[entry.level.value]))
    if entry.result is not None:
        result = str(RESULT_LABELS[entry.result.value])
        facts.append(f"{result}, {_('place %(n)d', n=entry.place)}" if entry.place else result)
    if entry.subject is not None:
        facts.append(entry.subject.name)
    if facts:
        pdf.multi_cell(0, 6, " · ".join(facts), new_x="LMARGIN", new_y="NEXT")
    if entry.description:
        pdf.multi_cell(0, 5, entry.description, new_x="LMARGIN", new_y="NEXT")
    for link in entry.links.split():
        pdf.set_text_color(0, 0, 160)
        pdf.multi_cell(0, 5, link, link=link, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    names = ", ".join(f.original_name for f in entry.evidence)
    if names:
        pdf.multi_cell(0, 5, _("Evidence: %(names)s", names=names), new_x="LMARGIN", new_y="NEXT")
    if entry.verified_at is not None:
        pdf.set_font(FONT, "", 8)
        day = entry.verified_at.date().isoformat()
        pdf.multi_cell(
            0,
            5,
            _("Verified by the tutor on %(day)s.", day=with_case(day, LOCATIVE)),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    for stored in entry.evidence:
        if stored.content_type in pictures.KINDS:
            _image(pdf, stored)
    pdf.ln(3)


def _image(pdf: FPDF, stored: files.StoredFile) -> None:
    """A picture of the evidence, 80 mm wide, decoded within the picture budget and scaled down
    first (fpdf2 given the file itself would decode it whole); one too large or unreadable is
    left out with a note, and stays in the ZIP as sent."""
    path = storage.media_path(files.AREA, stored.stored_name)
    try:
        picture = pictures.open_scaled(path, stored.content_type, PRINT_SIDE)
    except pictures.TooLarge as error:
        note = ngettext(
            "The picture “%(name)s” is %(width)d × %(num)d pixel, too large to print here.",
            "The picture “%(name)s” is %(width)d × %(num)d pixels, too large to print here.",
            error.height,
            name=stored.original_name,
            width=error.width,
        )
    except pictures.Unreadable:
        note = _("The picture “%(name)s” cannot be read.", name=stored.original_name)
    else:
        pdf.image(picture, w=80)
        return
    pdf.set_font(FONT, "", 8)
    pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
