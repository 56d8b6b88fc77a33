"""What the room's board keeps: slide decks rendered from PDFs, the pages shown and the strokes
drawn on them, on the lesson's timeline (the light recording replays them with the sound)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intersession.core.db import Model, UTCDateTime, enum_column, utcnow
from intersession.core.files import StoredFile

MAX_PAGES = 200  # a deck for one lesson; a longer PDF is refused with a message
BLANK_PAGES = 20  # blank pages of the board (deck none), numbered from 1


class DeckState(enum.StrEnum):
    RENDERING = "rendering"  # a task is making its page images
    READY = "ready"
    FAILED = "failed"  # the PDF could not be rendered: no image is kept, the reason is


class SlideDeck(Model):
    """A PDF's pages as pictures at two sizes, for one lesson's room."""

    __tablename__ = "slide_deck"
    __table_args__ = (
        CheckConstraint(f"page_count BETWEEN 1 AND {MAX_PAGES}", name="page_count_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    # The lesson material it was made from: the pupils keep the PDF itself to read.
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(255))
    folder: Mapped[str] = mapped_column(String(40), unique=True)  # generated, under media/slides
    page_count: Mapped[int]
    state: Mapped[DeckState] = mapped_column(
        enum_column(DeckState, "deck_state"), default=DeckState.RENDERING
    )
    failure: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    file: Mapped[StoredFile | None] = relationship()


class BoardTurn(Model):
    """The board showed this page from this moment (the next turn ends it); page 0 with no deck
    is the board put away (the camera or the shared screen has the stage)."""

    __tablename__ = "board_turn"
    __table_args__ = (
        CheckConstraint(f"page BETWEEN 0 AND {MAX_PAGES}", name="page_range"),
        Index("ix_board_turn_lesson_at", "lesson_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"))
    deck_id: Mapped[int | None] = mapped_column(ForeignKey("slide_deck.id", ondelete="CASCADE"))
    page: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BoardStroke(Model):
    """A piece of a drawing on a page (a long line comes in several: one `line` holds them for
    undo and the eraser), or a text; removed, it stays on the timeline with its removal."""

    __tablename__ = "board_stroke"
    __table_args__ = (
        CheckConstraint(f"page BETWEEN 1 AND {MAX_PAGES}", name="page_range"),
        Index("ix_board_stroke_page", "lesson_id", "deck_id", "page"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"))
    deck_id: Mapped[int | None] = mapped_column(ForeignKey("slide_deck.id", ondelete="CASCADE"))
    page: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    line: Mapped[str] = mapped_column(String(16))  # the page's id for the whole line
    tool: Mapped[str] = mapped_column(String(16))
    colour: Mapped[str] = mapped_column(String(16))
    width: Mapped[int]
    points: Mapped[str] = mapped_column(Text)  # JSON [x, y, x, y, ...], 0..10000 of the page
    text: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
