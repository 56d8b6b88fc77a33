"""Attendance from presence: time in the live room fills the register's detected columns."""

from __future__ import annotations

import math
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from intersession.core.db import db, utcnow
from intersession.rooms.access import is_invited
from intersession.rooms.models import Lesson, Presence, PresenceInterval, PresenceSource


def joined(lesson: Lesson, user_id: int, via_classroom: bool = False) -> int | None:
    """Open an interval for an invited pupil; returns its id (None for anyone else)."""
    if not is_invited(user_id, lesson):
        return None
    interval = PresenceInterval(
        lesson_id=lesson.id, user_id=user_id, joined_at=utcnow(), via_classroom=via_classroom
    )
    db.session.add(interval)
    db.session.commit()
    return interval.id


def left(interval_id: int) -> None:
    """Close the interval and bring the pupil's row up to date."""
    interval = db.session.get(PresenceInterval, interval_id)
    if interval is None or interval.left_at is not None:
        return
    interval.left_at = utcnow()
    lesson = db.session.get(Lesson, interval.lesson_id)
    assert lesson is not None
    update_row(lesson, interval.user_id)
    db.session.commit()


def minutes_present(lesson: Lesson, intervals: list[PresenceInterval], now: datetime) -> int:
    """Minutes inside the lesson's time covered by the intervals, overlaps counted once."""
    spans = sorted(
        (max(i.joined_at, lesson.starts_at), min(i.left_at or now, lesson.ends_at))
        for i in intervals
    )
    total, cursor = 0.0, lesson.starts_at
    for start, end in spans:
        start = max(start, cursor)
        if end > start:
            total += (end - start).total_seconds()
            cursor = end
    return math.ceil(total / 60)  # a pupil who was there at all was there for a minute


def update_row(lesson: Lesson, user_id: int) -> None:
    """Presence decides the detected status unless someone marked the row by hand."""
    row = next((r for r in lesson.register if r.pupil_id == user_id), None)
    if row is None or row.source not in (None, PresenceSource.ONLINE, PresenceSource.CLASSROOM):
        return
    intervals = list(
        db.session.scalars(
            select(PresenceInterval).where(
                PresenceInterval.lesson_id == lesson.id, PresenceInterval.user_id == user_id
            )
        )
    )
    minutes = minutes_present(lesson, intervals, utcnow())
    share = float(current_app.config["ATTENDANCE_PRESENT_SHARE"])
    row.minutes = min(minutes, lesson.duration_minutes)
    classroom = any(i.via_classroom for i in intervals)
    row.source = PresenceSource.CLASSROOM if classroom else PresenceSource.ONLINE
    if minutes >= share * lesson.duration_minutes:
        row.status = Presence.PRESENT
    elif minutes > 0:
        row.status = Presence.PARTLY
    else:
        row.status = Presence.ABSENT
