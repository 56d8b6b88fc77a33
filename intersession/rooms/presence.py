"""Attendance from presence: time in the live room fills the register's detected columns.

An interval is closed when its socket leaves. A web process that dies leaves no such word, so each
open interval carries when its socket was last seen (the room page's heartbeat, `seen`), and a
periodic task ends those not seen for PRESENCE_TIMEOUT_SECONDS at that moment (`close_unseen`).
Both live in the database: any web instance may hold the socket, any worker may sweep.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update

from intersession.core.db import db, utcnow
from intersession.lessons.access import is_invited
from intersession.lessons.models import Lesson, Presence, PresenceInterval, PresenceSource


def joined(lesson: Lesson, user_id: int, via_classroom: bool = False) -> int | None:
    """Open an interval for an invited pupil; returns its id (None for anyone else)."""
    if not is_invited(user_id, lesson):
        return None
    now = utcnow()
    interval = PresenceInterval(lesson_id=lesson.id, user_id=user_id, joined_at=now, seen_at=now,
                                via_classroom=via_classroom,
                                instance=current_app.extensions.get("room_instance"))  # fmt: skip
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


def seen(interval_ids: list[int]) -> dict[int, int | None]:
    """A live socket's heartbeat for the intervals it holds: each is marked seen now. One the sweep
    ended meanwhile (the socket was only slow) is followed by a new one from now, if the pupil is
    still invited. Returns each id given with the id to hold from now on (None: nothing)."""
    now = utcnow()
    kept: dict[int, int | None] = {}
    for interval_id in interval_ids:
        interval = db.session.get(PresenceInterval, interval_id)
        if interval is None:
            kept[interval_id] = None
        elif interval.left_at is None:
            interval.seen_at = now
            kept[interval_id] = interval_id
        else:
            lesson = db.session.get(Lesson, interval.lesson_id)
            assert lesson is not None
            kept[interval_id] = joined(lesson, interval.user_id, interval.via_classroom)
    db.session.commit()
    return kept


def close_unseen(timeout: timedelta) -> set[int]:
    """End the open intervals whose socket has not been seen for `timeout`, at the moment it was
    last seen, and bring their rows up to date; returns the ids of those ended. Run twice, or by
    two workers at once, it ends each interval once: the update itself asks that it is still open
    and still unseen, so a heartbeat that comes in between keeps its interval open."""
    last_seen = func.coalesce(PresenceInterval.seen_at, PresenceInterval.joined_at)
    return _close_where(PresenceInterval.left_at.is_(None), last_seen < utcnow() - timeout)


def close_held_by_gone(living: set[str]) -> set[int]:
    """End, when last seen, the open intervals held by web instances no longer among the living
    (they stopped beating: killed, or their machine lost): without waiting out the heartbeat's
    timeout, and whatever the rooms' shared state still says."""
    return _close_where(
        PresenceInterval.left_at.is_(None),
        PresenceInterval.instance.is_not(None),
        PresenceInterval.instance.not_in(living),
    )


def _close_where(*open_and: Any) -> set[int]:
    last_seen = func.coalesce(PresenceInterval.seen_at, PresenceInterval.joined_at)
    found = db.session.execute(
        select(PresenceInterval.id, PresenceInterval.lesson_id, PresenceInterval.user_id)
        .where(*open_and)
    ).all()  # fmt: skip
    if not found:
        return set()
    ended = db.session.scalars(
        update(PresenceInterval)
        .where(PresenceInterval.id.in_([row.id for row in found]), *open_and)
        .values(left_at=last_seen)
        .returning(PresenceInterval.id)
        .execution_options(synchronize_session="fetch")
    ).all()
    for lesson_id, user_id in {(row.lesson_id, row.user_id) for row in found}:
        lesson = db.session.get(Lesson, lesson_id)
        if lesson is not None:
            update_row(lesson, user_id)
    db.session.commit()
    return set(ended)


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
