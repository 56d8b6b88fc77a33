"""The room tells its people when the lesson's planned end is near and when it has passed.

From the server's clock and the lesson as planned now: a classroom computer's clock is often
wrong, and the advisor may have changed the lesson's length while it went on. A beat task
(rooms/tasks.py) runs this every minute; each moment is looked for over the last two minutes, so
a late beat misses nothing, and the page shows a repeated notice once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from intersession.core.db import db, utcnow
from intersession.lessons.models import Lesson, LessonState
from intersession.rooms import notices

LOOKBACK = timedelta(minutes=2)
LONGEST_LESSON = timedelta(hours=12)


def tell_lesson_time(now: datetime | None = None) -> int:
    """Tell the rooms whose lesson reached its warning or its planned end; returns how many."""
    now = now or utcnow()
    warning = int(current_app.config["LESSON_END_WARNING_MINUTES"])
    lessons = db.session.scalars(
        select(Lesson).where(
            Lesson.state == LessonState.SCHEDULED,
            Lesson.room_ended_at.is_(None),
            Lesson.starts_at <= now,
            Lesson.starts_at > now - LONGEST_LESSON,
        )
    )
    told = 0
    for lesson in lessons:
        for minutes in (warning, 0):
            moment = lesson.ends_at - timedelta(minutes=minutes)
            if moment > lesson.starts_at and now - LOOKBACK < moment <= now:
                notices.tell(
                    lesson.id,
                    "lesson-time",
                    {"minutes": minutes, "ends_at": lesson.ends_at.isoformat()},
                )
                told += 1
    return told
