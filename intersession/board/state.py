"""The board of a live room: which page is shown, who turns pages and who draws, and the checks
of what a page is sent. Kept in the room (rooms/store.py), so every instance agrees; the pages
shown and the strokes are also written to the database, on the lesson's timeline."""

from __future__ import annotations

import json
import math
from typing import Any

from sqlalchemy import select

from intersession.auth.models import User
from intersession.board.models import BLANK_PAGES, BoardStroke, BoardTurn, DeckState
from intersession.board.slides import deck_of
from intersession.core.db import db, utcnow
from intersession.lessons.models import Lesson
from intersession.rooms.live import LiveRoom, Participant, Role

TOOLS = frozenset({"pen", "highlighter", "text"})
COLOURS = frozenset({"black", "red", "blue", "green", "orange", "yellow"})
WIDTHS = frozenset({2, 4, 8, 16, 24})
SCALE = 10000  # coordinates are 0..SCALE of the page's width and height
MAX_NUMBERS = 240  # x and y of at most 120 points in one message (a long line comes in several)
MAX_TEXT = 200
MAX_LINES_PER_PAGE = 3000
LINE_ID_LENGTH = 16
INK_BURST = 30  # messages a person may draw …
INK_SECONDS = 5.0  # … in this many seconds (a line sent every 200 ms is 25)


class BoardRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def current(room: LiveRoom, lesson: Lesson) -> dict[str, Any]:
    """The page shown: kept in the room; a room forgotten (every instance restarted) finds it
    again in the lesson's timeline."""
    if "page" not in room.board:
        last = db.session.scalar(
            select(BoardTurn).where(BoardTurn.lesson_id == lesson.id)
            .order_by(BoardTurn.at.desc(), BoardTurn.id.desc()).limit(1)
        )  # fmt: skip
        room.board.update(deck=last.deck_id if last else None, page=last.page if last else 0)
    room.board.setdefault("drawers", [])
    room.board.setdefault("turner", None)
    return room.board


def public(room: LiveRoom, lesson: Lesson) -> dict[str, Any]:
    """What every page is told of the board."""
    current(room, lesson)
    return rights(room)


def rights(room: LiveRoom) -> dict[str, Any]:
    """The page shown as the room keeps it, and who turns pages and draws, by their id in the
    room (the rights are kept by person, so a reconnect keeps them)."""
    board = room.board
    drawers = set(board.get("drawers", []))
    return {
        "deck": board.get("deck"),
        "page": board.get("page", 0),
        "turner": next(
            (
                p.pid
                for p in room.participants.values()
                if p.user_id == board.get("turner") and p.floor
            ),
            None,
        ),
        "drawers": [p.pid for p in room.participants.values() if p.user_id in drawers],
    }


def may_turn(room: LiveRoom, lesson: Lesson, person: Participant) -> bool:
    """The advisor, or the pupil they handed page turning to while that pupil has the floor."""
    if person.role == Role.ADVISOR:
        return True
    return person.floor and current(room, lesson)["turner"] == person.user_id


def may_draw(room: LiveRoom, lesson: Lesson, person: Participant) -> bool:
    if person.role == Role.ADVISOR:
        return True
    allowed = person.role in (Role.PUPIL, Role.CLASSROOM)
    return allowed and person.user_id in current(room, lesson)["drawers"]


def turn(room: LiveRoom, lesson: Lesson, deck_id: Any, page: Any) -> None:
    """Show a deck's page, a blank page (deck None), or nothing (page 0: the board put away);
    written on the lesson's timeline."""
    if type(page) is not int:
        raise BoardRefused("bad-request")
    if deck_id is None:
        if not 0 <= page <= BLANK_PAGES:
            raise BoardRefused("no-page")
    else:
        deck = deck_of(lesson, deck_id)
        if deck is None or deck.state is not DeckState.READY:
            raise BoardRefused("no-deck")
        if not 1 <= page <= deck.page_count:
            raise BoardRefused("no-page")
    board = current(room, lesson)
    if board["deck"] == deck_id and board["page"] == page:
        return
    board.update(deck=deck_id, page=page)
    db.session.add(BoardTurn(lesson_id=lesson.id, deck_id=deck_id, page=page))
    db.session.commit()


def strokes_of(lesson_id: int, deck_id: int | None, page: int) -> list[dict[str, Any]]:
    """The page's drawing as it stands (what was removed is left out), oldest first."""
    query = _on_page(lesson_id, deck_id, page).order_by(BoardStroke.id)
    return [as_dict(s) for s in db.session.scalars(query)]


def as_dict(stroke: BoardStroke) -> dict[str, Any]:
    return {"id": stroke.id, "line": stroke.line, "tool": stroke.tool, "colour": stroke.colour,
            "width": stroke.width, "points": json.loads(stroke.points), "text": stroke.text,
            "deck": stroke.deck_id, "page": stroke.page}  # fmt: skip


def _points(raw: Any, tool: str) -> list[int]:
    if not isinstance(raw, list) or len(raw) % 2 or not 2 <= len(raw) <= MAX_NUMBERS:
        raise BoardRefused("bad-points")
    if tool == "text" and len(raw) != 2:
        raise BoardRefused("bad-points")
    points = []
    for value in raw:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BoardRefused("bad-points")
        if not math.isfinite(value) or not 0 <= value <= SCALE:
            raise BoardRefused("bad-points")
        points.append(round(value))
    return points


def checked_stroke(data: Any) -> dict[str, Any]:
    """A stroke as the page sends it, checked field by field; a clear code for anything else."""
    if not isinstance(data, dict):
        raise BoardRefused("bad-request")
    line, tool, colour, width = (data.get(k) for k in ("line", "tool", "colour", "width"))
    if not isinstance(line, str) or not 1 <= len(line) <= LINE_ID_LENGTH or not line.isalnum():
        raise BoardRefused("bad-line")
    if not isinstance(tool, str) or tool not in TOOLS:
        raise BoardRefused("bad-tool")
    if not isinstance(colour, str) or colour not in COLOURS:
        raise BoardRefused("bad-colour")
    if type(width) is not int or width not in WIDTHS:
        raise BoardRefused("bad-width")
    text = data.get("text")
    if tool == "text":
        if not isinstance(text, str):
            raise BoardRefused("bad-text")
        text = "".join(ch for ch in text if ch.isprintable()).strip()
        if not text or len(text) > MAX_TEXT:
            raise BoardRefused("bad-text")
    else:
        text = None
    return {"line": line, "tool": tool, "colour": colour, "width": width,
            "points": _points(data.get("points"), tool), "text": text}  # fmt: skip


def draw(room: LiveRoom, lesson: Lesson, author: User, stroke: dict[str, Any]) -> dict[str, Any]:
    """Keep a checked stroke on the page shown now; returns it as the room is sent it."""
    board = current(room, lesson)
    if board["page"] == 0:
        raise BoardRefused("no-page")
    on_page = _on_page(lesson.id, board["deck"], board["page"])
    kept_here = db.session.scalar(select(db.func.count()).select_from(on_page.subquery())) or 0
    if kept_here >= MAX_LINES_PER_PAGE:
        raise BoardRefused("page-full")
    kept = BoardStroke(lesson_id=lesson.id, deck_id=board["deck"], page=board["page"],
                       author_id=author.id, line=stroke["line"], tool=stroke["tool"],
                       colour=stroke["colour"], width=stroke["width"],
                       points=json.dumps(stroke["points"], separators=(",", ":")),
                       text=stroke["text"])  # fmt: skip
    db.session.add(kept)
    db.session.commit()
    return as_dict(kept)


def _on_page(lesson_id: int, deck_id: int | None, page: int) -> Any:
    return select(BoardStroke).where(
        BoardStroke.lesson_id == lesson_id,
        BoardStroke.deck_id.is_(None) if deck_id is None else BoardStroke.deck_id == deck_id,
        BoardStroke.page == page, BoardStroke.removed_at.is_(None),
    )  # fmt: skip


def remove(
    room: LiveRoom, lesson: Lesson, person: Participant, which: str | list[str]
) -> list[str]:
    """Take lines off the page shown: "last" (the person's undo), "all" (the advisor's clear),
    or the lines the eraser touched (an advisor's any, another's their own). Returns them."""
    board = current(room, lesson)
    query = _on_page(lesson.id, board["deck"], board["page"])
    if person.role != Role.ADVISOR or which == "last":
        query = query.where(BoardStroke.author_id == person.user_id)
    if which == "last":
        last = db.session.scalar(query.order_by(BoardStroke.id.desc()).limit(1))
        if last is None:
            return []
        query = query.where(BoardStroke.line == last.line)
    elif isinstance(which, list):
        query = query.where(BoardStroke.line.in_(which))
    gone = list(db.session.scalars(query))
    now = utcnow()
    for stroke in gone:
        stroke.removed_at = now
    db.session.commit()
    return sorted({s.line for s in gone})


def checked_lines(raw: Any) -> list[str]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= 200:
        raise BoardRefused("bad-request")
    lines = []
    for line in raw:
        if not isinstance(line, str) or not 1 <= len(line) <= LINE_ID_LENGTH or not line.isalnum():
            raise BoardRefused("bad-line")
        lines.append(line)
    return lines
