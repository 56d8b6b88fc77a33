"""Slides: a lesson's PDF checked when it is given, its pages rendered to pictures at two sizes by
a task (PDFium through pypdfium2, BSD/Apache licensed), kept in a folder of their own.

A PDF is checked while the advisor waits (opening it reads its cross-reference table, not its
pages): not a PDF, encrypted, damaged, empty or longer than MAX_PAGES is refused with a message
and nothing is kept. Rendering fits each page into a box, so a page of any size in points (the
format allows 200 inches; a file may claim more) gives a picture of bounded pixels."""

from __future__ import annotations

import secrets
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypdfium2 as pdfium
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from intersession.auth.models import User
from intersession.board.models import MAX_PAGES, DeckState, SlideDeck
from intersession.core import pictures, storage
from intersession.core.db import db, utcnow
from intersession.core.errors import DomainError, Forbidden, NotFound
from intersession.core.files import AREA as FILES_AREA
from intersession.core.files import StoredFile
from intersession.lessons.models import Lesson

AREA = "slides"
# Each page fits into these boxes (pixels): the large for the room, the small for a weak link.
SIZES = {"large": (1280, 960), "small": (640, 480)}
QUALITY = {"large": 80, "small": 70}
MAX_DECKS = 10
PDFIUM_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
# PDFium is not thread-safe: one call at a time in a process (web threads check, tasks render).
_pdfium = threading.Lock()


def folder_of(deck: SlideDeck) -> Path:
    return storage.media_path(AREA, deck.folder)


def page_path(deck: SlideDeck, page: int, size: str) -> Path:
    return folder_of(deck) / f"{page}-{size}.webp"


@contextmanager
def _opened(path: Path) -> Iterator[pdfium.PdfDocument]:
    with _pdfium:
        document = pdfium.PdfDocument(str(path))
        try:
            yield document
        finally:
            document.close()


def check_pdf(path: Path, name: str) -> int:
    """The number of pages of a PDF fit for slides, or a DomainError saying why it is not."""
    with path.open("rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF-"):
            raise DomainError(_("“%(name)s” is not a PDF: slides are made from a PDF.", name=name))
    try:
        with _opened(path) as document:
            pages = len(document)
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) == PDFIUM_PASSWORD_ERROR:
            raise DomainError(
                _(
                    "“%(name)s” is protected by a password. Save it without one, then send it again.",
                    name=name,
                )
            ) from None
        raise DomainError(
            _("“%(name)s” could not be read as a PDF: it may be damaged.", name=name)
        ) from None
    if pages < 1:
        raise DomainError(_("“%(name)s” has no pages.", name=name))
    if pages > MAX_PAGES:
        raise DomainError(
            ngettext(
                "“%(name)s” has %(pages)d pages: slides have at most %(num)d page.",
                "“%(name)s” has %(pages)d pages: slides have at most %(num)d pages.",
                MAX_PAGES,
                name=name,
                pages=pages,
            )
        )
    return pages


def decks_of(lesson: Lesson) -> list[SlideDeck]:
    return list(
        db.session.scalars(
            select(SlideDeck).where(SlideDeck.lesson_id == lesson.id).order_by(SlideDeck.id)
        )
    )


def deck_of(lesson: Lesson, deck_id: object) -> SlideDeck | None:
    if type(deck_id) is not int:
        return None
    deck = db.session.get(SlideDeck, deck_id)
    return deck if deck is not None and deck.lesson_id == lesson.id else None


def is_pdf(stored: StoredFile) -> bool:
    return stored.content_type == "application/pdf"


def new_deck(lesson: Lesson, stored: StoredFile) -> SlideDeck:
    """A deck to render from a PDF of the lesson, added to the session for the caller to commit
    (then `start_rendering`). A DomainError, and nothing added, if the PDF cannot make slides."""
    decks = decks_of(lesson)
    if stored.id is not None and any(d.file_id == stored.id for d in decks):
        raise DomainError(_("Slides are already made from this file."))
    if len(decks) + sum(isinstance(o, SlideDeck) for o in db.session.new) >= MAX_DECKS:
        raise DomainError(
            ngettext(
                "A lesson has at most %(num)d deck of slides.",
                "A lesson has at most %(num)d decks of slides.",
                MAX_DECKS,
            )
        )
    name = stored.original_name
    pages = check_pdf(storage.media_path(FILES_AREA, stored.stored_name), name)
    title = name[:-4] if name.lower().endswith(".pdf") else name
    deck = SlideDeck(lesson_id=lesson.id, file=stored, title=title[:255] or name,
                     folder=secrets.token_hex(16), page_count=pages)  # fmt: skip
    db.session.add(deck)
    return deck


def start_rendering(decks: list[SlideDeck]) -> None:
    from intersession.board.tasks import render_deck

    for deck in decks:
        render_deck.delay(deck.id)


def make_deck(advisor: User, lesson: Lesson, stored: StoredFile) -> SlideDeck:
    """Slides from one of the lesson's PDF materials, rendered by a task. Refused with a message
    (and nothing kept) when the PDF cannot make slides."""
    if lesson.advisor_id != advisor.id:
        raise Forbidden(_("Only the lesson's advisor may change it."))
    if stored not in lesson.materials:
        raise NotFound(_("There is no such file."))
    deck = new_deck(lesson, stored)
    db.session.commit()
    start_rendering([deck])
    return deck


def remove_deck(advisor: User, lesson: Lesson, deck: SlideDeck) -> None:
    """The deck, its pictures, and what was drawn on it go (the PDF stays among the materials)."""
    if lesson.advisor_id != advisor.id:
        raise Forbidden(_("Only the lesson's advisor may change it."))
    folder = folder_of(deck)
    db.session.delete(deck)
    db.session.commit()
    shutil.rmtree(folder, ignore_errors=True)


def render(deck_id: int) -> DeckState | None:
    """Render every page at both sizes into a temporary folder, then put it in place at once:
    a deck is ready with all its pictures or failed with none."""
    deck = db.session.get(SlideDeck, deck_id)
    if deck is None or deck.state is not DeckState.RENDERING:
        return None
    stored = deck.file
    target = folder_of(deck)
    partial = target.with_name(target.name + storage.PARTIAL_SUFFIX)
    shutil.rmtree(partial, ignore_errors=True)  # a worker killed mid-way left it
    try:
        if stored is None:
            raise DomainError(_("The PDF was removed before its slides were made."))
        _render_pages(storage.media_path(FILES_AREA, stored.stored_name), partial, deck.page_count)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
        deck.state, deck.rendered_at = DeckState.READY, utcnow()
    except Exception as error:
        shutil.rmtree(partial, ignore_errors=True)
        deck.state = DeckState.FAILED
        deck.failure = (
            error.message if isinstance(error, DomainError)
            else _("The slides could not be made from this PDF: %(error)s", error=str(error)[:200])
        )  # fmt: skip
    db.session.commit()
    return deck.state


def _render_pages(pdf: Path, folder: Path, pages: int) -> None:
    folder.mkdir(parents=True)
    with _opened(pdf) as document:
        if len(document) != pages:
            raise DomainError(_("The PDF changed before its slides were made."))
        for number in range(1, pages + 1):
            page = document[number - 1]
            try:
                width, height = page.get_size()
                for size, (box_w, box_h) in SIZES.items():
                    scale = min(box_w / max(width, 1.0), box_h / max(height, 1.0))
                    picture = page.render(scale=scale, may_draw_forms=True).to_pil()
                    pictures.save_webp(picture, folder / f"{number}-{size}.webp", QUALITY[size])
            finally:
                page.close()
