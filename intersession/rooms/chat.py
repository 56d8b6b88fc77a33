"""The lesson's chat: plain text, kept with the lesson, a few lines per person at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from intersession.auth.models import User
from intersession.core.db import db
from intersession.lessons.models import ChatMessage, Lesson

MAX_LENGTH = 1000
BURST = 5  # at most this many lines …
BURST_SECONDS = 10.0  # … in this many seconds, per person
HISTORY = 50


class ChatRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def clean(text: Any) -> str:
    if not isinstance(text, str):
        raise ChatRefused("bad-text")
    text = "".join(ch for ch in text if ch.isprintable() or ch == "\n").strip()
    if not text:
        raise ChatRefused("empty")
    if len(text) > MAX_LENGTH:
        raise ChatRefused("too-long")
    return text


def post(lesson: Lesson, author: User, text: Any, allow: Callable[[int], bool]) -> dict[str, Any]:
    """Keep a line and return it as it is sent to the room (shown as text, never as HTML).
    `allow` says whether the person may write now (the room store's limit, BURST per
    BURST_SECONDS, on every instance)."""
    line = clean(text)
    if not allow(author.id):
        raise ChatRefused("too-fast")
    message = ChatMessage(lesson_id=lesson.id, user_id=author.id, text=line)
    db.session.add(message)
    db.session.commit()
    return as_dict(message)


def as_dict(message: ChatMessage) -> dict[str, Any]:
    return {"id": message.id, "author": message.user.full_name, "text": message.text,
            "at": message.created_at.isoformat()}  # fmt: skip


def history(lesson: Lesson) -> list[dict[str, Any]]:
    query = (
        select(ChatMessage)
        .where(ChatMessage.lesson_id == lesson.id)
        .order_by(ChatMessage.id.desc())
        .limit(HISTORY)
    )
    return [as_dict(m) for m in reversed(db.session.scalars(query).all())]
