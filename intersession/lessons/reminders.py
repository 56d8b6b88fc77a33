"""Reminders before lessons, and word of a cancellation, to invited pupils and their tutors."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from intersession.auth.models import Role, User
from intersession.core.db import db, utcnow
from intersession.core.web import path_for
from intersession.lessons.models import Lesson, LessonKind, LessonState
from intersession.notifications.services import notify_once, register_text

# (kind, how long before the start): the nearer reminder wins when both are due at once.
REMINDERS = (("lesson-15m", timedelta(minutes=15)), ("lesson-24h", timedelta(hours=24)))


def _when(params: dict[str, Any]) -> str:
    return format_datetime(datetime.fromisoformat(params["starts_at"]), "d MMMM, HH:mm")


register_text(
    "lesson-24h",
    lambda p: _("Lesson soon: %(lesson)s, %(when)s.", lesson=p["lesson"], when=_when(p)),
)
register_text("lesson-15m", lambda p: _("In 15 minutes: %(lesson)s.", lesson=p["lesson"]))
register_text(
    "lesson-cancelled",
    lambda p: _(
        "Cancelled: %(lesson)s, %(when)s. %(reason)s",
        lesson=p["lesson"],
        when=_when(p),
        reason=p["reason"],
    ),
)


def recipients(lesson: Lesson) -> list[int]:
    """The invited pupils and the tutors of their schools, each once; for a teachers' event, the
    teachers taking part alone (their schools' tutors have no part in it)."""
    pupils = [row.pupil for row in lesson.register if row.pupil.active]
    if lesson.kind is LessonKind.TEACHER_EVENT:
        return sorted({person.id for person in pupils})
    schools = {pupil.school_id for pupil in pupils}
    tutors = db.session.scalars(
        select(User.id).where(
            User.role == Role.TUTOR, User.active.is_(True), User.school_id.in_(schools)
        )
    ).all()
    return sorted({pupil.id for pupil in pupils} | set(tutors))


def _params(lesson: Lesson) -> dict[str, Any]:
    return {"lesson": lesson.heading, "starts_at": lesson.starts_at.isoformat()}


def send_lesson_reminders(now: datetime | None = None) -> int:
    """Send every reminder that is due and not yet sent; returns how many were sent. Runs every
    minute; a run missed while the worker was down is made up by the next one."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Lesson).where(
            Lesson.state == LessonState.SCHEDULED,
            Lesson.starts_at > now,
            Lesson.starts_at <= now + REMINDERS[-1][1],
        )
    )
    sent = 0
    for lesson in due:
        kind = next(kind for kind, ahead in REMINDERS if lesson.starts_at <= now + ahead)
        link = path_for("lessons.lesson", lesson_id=lesson.id)
        for user_id in recipients(lesson):
            sent += notify_once(
                user_id, kind, f"{kind}:{lesson.id}:{user_id}", _params(lesson), link
            )
    db.session.commit()
    return sent


def tell_about_cancellation(lesson: Lesson) -> None:
    link = path_for("lessons.lesson", lesson_id=lesson.id)
    params = _params(lesson) | {"reason": lesson.cancel_reason or ""}
    for user_id in recipients(lesson):
        notify_once(
            user_id, "lesson-cancelled", f"lesson-cancelled:{lesson.id}:{user_id}", params, link
        )
