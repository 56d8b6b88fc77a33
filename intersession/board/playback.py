"""The light recording: the pages the board showed and the strokes drawn on them, from the
lesson's timeline, in seconds of its recording. The writer places the sound on the same clock
(0 is the recording's `started_at`), so the watch page plays the light voice track with the
board in step, a lesson of slides for a few megabytes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from intersession.board import slides
from intersession.board.models import BoardStroke, BoardTurn, DeckState, SlideDeck
from intersession.core.db import db
from intersession.recordings.models import Recording


def _end(recording: Recording) -> datetime:
    return recording.started_at + timedelta(seconds=recording.duration_seconds or 0.0)


def has_board(recording: Recording) -> bool:
    """Whether the board showed a page before the recording ended."""
    shown = select(BoardTurn.id).where(
        BoardTurn.lesson_id == recording.lesson_id, BoardTurn.page > 0,
        BoardTurn.at <= _end(recording),
    )  # fmt: skip
    return db.session.scalar(shown.limit(1)) is not None


def _seconds(recording: Recording, moment: datetime) -> float:
    return round(max(0.0, (moment - recording.started_at).total_seconds()), 2)


def timeline(recording: Recording) -> dict[str, Any]:
    """The pages shown (each from its `at` to the next one's; page 0 is the board put away) and
    the strokes (each from its `at` until it was `gone`), in seconds of the recording; what was
    on the board when the recording started is there from 0."""
    duration = recording.duration_seconds or 0.0
    end = _end(recording)
    turns: list[dict[str, Any]] = []
    for turn in db.session.scalars(
        select(BoardTurn).where(BoardTurn.lesson_id == recording.lesson_id, BoardTurn.at <= end)
        .order_by(BoardTurn.at, BoardTurn.id)
    ):  # fmt: skip
        shown = {"at": _seconds(recording, turn.at), "deck": turn.deck_id, "page": turn.page}
        if turns and turns[-1]["at"] == shown["at"]:
            turns[-1] = shown  # the last of the turns before the start (or at one moment) stands
        else:
            turns.append(shown)
    if turns and all(t["page"] == 0 for t in turns):
        turns = []
    strokes = [
        {"at": _seconds(recording, s.at),
         "gone": None if s.removed_at is None else _seconds(recording, s.removed_at),
         "deck": s.deck_id, "page": s.page, "line": s.line, "tool": s.tool, "colour": s.colour,
         "width": s.width, "points": json.loads(s.points), "text": s.text}
        for s in db.session.scalars(
            select(BoardStroke).where(
                BoardStroke.lesson_id == recording.lesson_id, BoardStroke.at <= end,
                or_(BoardStroke.removed_at.is_(None), BoardStroke.removed_at > recording.started_at),
            ).order_by(BoardStroke.at, BoardStroke.id)
        )
    ]  # fmt: skip
    decks = {
        str(d.id): d.page_count
        for d in db.session.scalars(
            select(SlideDeck).where(
                SlideDeck.lesson_id == recording.lesson_id, SlideDeck.state == DeckState.READY
            )
        )
    }
    return {"duration": duration, "turns": turns, "strokes": strokes, "decks": decks}


def shown_at(line: dict[str, Any], second: float) -> dict[str, Any] | None:
    """The page the board showed at that second of the recording (None: nothing yet, or the
    board put away), as the watch page finds it."""
    current = None
    for turn in line["turns"]:
        if turn["at"] > second:
            break
        current = turn
    return current if current and current["page"] > 0 else None


def light_bytes(recording: Recording, line: dict[str, Any]) -> int:
    """What the light recording weighs: the voice track, the timeline, and each page shown once
    at the small size."""
    pages = {
        (t["deck"], t["page"]) for t in line["turns"] if t["deck"] is not None and t["page"] > 0
    }
    pictures = 0
    for deck_id, page in pages:
        deck = db.session.get(SlideDeck, deck_id)
        path = slides.page_path(deck, page, "small") if deck is not None else None
        if path is not None and path.exists():
            pictures += path.stat().st_size
    timeline_bytes = len(json.dumps(line, separators=(",", ":")).encode())
    return recording.audio_bytes + timeline_bytes + pictures
