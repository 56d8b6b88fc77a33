"""Signalling for the live room (Socket.IO namespace /room): who may join which lesson, and the
offers and answers between browsers and the media engine. Every event checks who asks, from the
server's own record of the connection."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, request
from flask_login import current_user
from flask_socketio import Namespace, emit, join_room, leave_room

from intersession.auth.models import Role
from intersession.core.db import db, utcnow
from intersession.rooms import chat, presence
from intersession.rooms.access import can_view_lesson
from intersession.rooms.media.engine import EngineError, MediaEngine
from intersession.rooms.models import Lesson

ADVISOR_EARLY = timedelta(minutes=15)
LATE_MARGIN = timedelta(minutes=30)
MAX_SDP = 64 * 1024


def engine() -> MediaEngine:
    """The app's media engine, started on first use."""
    extensions = current_app.extensions
    if "media_engine" not in extensions:
        extensions["media_engine"] = MediaEngine(
            current_app.config["MEDIA_ICE_SERVERS"], current_app.config["MEDIA_HOST_ADDRESSES"]
        )
    return extensions["media_engine"]


def room_open_for(lesson: Lesson, is_advisor: bool) -> bool:
    now = utcnow()
    opens = lesson.starts_at - (ADVISOR_EARLY if is_advisor else timedelta(0))
    return not lesson.cancelled and opens <= now <= lesson.ends_at + LATE_MARGIN


def _sdp(data: Any) -> str | None:
    sdp = data.get("sdp") if isinstance(data, dict) else None
    if not isinstance(sdp, str) or not sdp.startswith("v=0") or len(sdp) > MAX_SDP:
        return None
    return sdp


class RoomNamespace(Namespace):
    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.joined: dict[str, int] = {}  # sid -> lesson id
        self.intervals: dict[str, int] = {}  # sid -> open presence interval
        self.chat_limiter = chat.RateLimiter()

    def _lesson(self) -> Lesson | None:
        """The lesson this connection joined, if its person may still be there."""
        lesson_id = self.joined.get(request.sid)  # type: ignore[attr-defined]
        if lesson_id is None or not current_user.is_authenticated:
            return None
        lesson = db.session.get(Lesson, lesson_id)
        if lesson is None or not can_view_lesson(current_user, lesson):
            return None
        return lesson

    def on_connect(self, auth: Any = None) -> bool:
        return bool(current_user.is_authenticated)

    def on_join(self, data: Any) -> dict[str, Any]:
        lesson_id = data.get("lesson") if isinstance(data, dict) else None
        if not current_user.is_authenticated or not isinstance(lesson_id, int):
            return {"error": "bad-request"}
        lesson = db.session.get(Lesson, lesson_id)
        if lesson is None or not can_view_lesson(current_user, lesson):
            return {"error": "not-found"}
        is_advisor = lesson.advisor_id == current_user.id
        if not room_open_for(lesson, is_advisor):
            return {"error": "closed"}
        sid = request.sid  # type: ignore[attr-defined]
        self.joined[sid] = lesson.id
        if sid not in self.intervals and (interval := presence.joined(lesson, current_user.id)):
            self.intervals[sid] = interval
        join_room(f"lesson-{lesson.id}")
        media = engine()
        publishing = media.call(lambda: _has_publisher(media, lesson.id))
        return {
            "role": "publisher" if is_advisor else "listener",
            "publishing": publishing,
            "chat": chat.history(lesson),
        }

    def on_chat(self, data: Any) -> dict[str, Any]:
        lesson = self._lesson()
        if lesson is None:
            return {"error": "not-allowed"}
        text = data.get("text") if isinstance(data, dict) else None
        try:
            line = chat.post(lesson, current_user, text, self.chat_limiter)
        except chat.ChatRefused as refused:
            return {"error": refused.code}
        emit("chat", line, to=f"lesson-{lesson.id}")
        return {"ok": True}

    def on_publish(self, data: Any) -> dict[str, Any]:
        lesson = self._lesson()
        if (
            lesson is None
            or lesson.advisor_id != current_user.id
            or current_user.role is not Role.ADVISOR
        ):
            return {"error": "not-allowed"}
        sdp = _sdp(data)
        if sdp is None:
            return {"error": "bad-sdp"}
        media = engine()
        try:
            answer = media.call(lambda: media.room(lesson.id).publish(sdp))
        except (EngineError, ValueError) as error:
            return {"error": "engine", "detail": str(error)[:200]}
        emit("publisher-ready", {}, to=f"lesson-{lesson.id}", include_self=False)
        return {"sdp": answer}

    def on_subscribe(self, data: Any = None) -> dict[str, Any]:
        lesson = self._lesson()
        if lesson is None:
            return {"error": "not-allowed"}
        media, sid = engine(), request.sid  # type: ignore[attr-defined]
        try:
            offer = media.call(lambda: media.room(lesson.id).subscribe(sid))
        except EngineError as error:
            return {"error": "engine", "detail": str(error)[:200]}
        return {"sdp": offer}

    def on_answer(self, data: Any) -> dict[str, Any]:
        lesson = self._lesson()
        sdp = _sdp(data)
        if lesson is None:
            return {"error": "not-allowed"}
        if sdp is None:
            return {"error": "bad-sdp"}
        media, sid = engine(), request.sid  # type: ignore[attr-defined]
        try:
            media.call(lambda: media.room(lesson.id).accept_answer(sid, sdp))
        except (EngineError, KeyError, ValueError) as error:
            return {"error": "engine", "detail": str(error)[:200]}
        return {"ok": True}

    def on_disconnect(self, reason: Any = None) -> None:
        sid = request.sid  # type: ignore[attr-defined]
        lesson_id = self.joined.pop(sid, None)
        if (interval := self.intervals.pop(sid, None)) is not None:
            presence.left(interval)
        if lesson_id is None:
            return
        leave_room(f"lesson-{lesson_id}")
        media = current_app.extensions.get("media_engine")
        if media is not None:
            media.call(lambda: media.room(lesson_id).leave(sid))


async def _has_publisher(media: MediaEngine, lesson_id: int) -> bool:
    room = media.rooms.get(lesson_id)
    return bool(room and room.fanouts)
