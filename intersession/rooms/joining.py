"""Who may be in a lesson's room, and when: the room's opening hours and each person's part in it
(used by the room's events, its page, the lesson's page and the home page)."""

from __future__ import annotations

from datetime import timedelta

from flask_login import current_user

from intersession.auth.models import Role as UserRole
from intersession.core.db import utcnow
from intersession.lessons.access import is_invited
from intersession.lessons.models import Lesson, LessonKind
from intersession.rooms.live import Role

ADVISOR_EARLY = timedelta(minutes=15)
LATE_MARGIN = timedelta(minutes=30)


def room_open_for(lesson: Lesson, is_advisor: bool) -> bool:
    """From 15 minutes before the start (the advisor) or the start (everyone else) until half an
    hour after the end, unless cancelled or ended by the advisor."""
    return room_opens_in(lesson, is_advisor) == 0


def room_opens_in(lesson: Lesson, is_advisor: bool) -> float | None:
    """Seconds until the room opens for the person, or None if it will not open again."""
    if lesson.room_ended_at is not None or lesson.cancelled:
        return None
    now = utcnow()
    opens = lesson.starts_at - (ADVISOR_EARLY if is_advisor else timedelta(0))
    if now > lesson.ends_at + LATE_MARGIN:
        return None
    return max(0.0, (opens - now).total_seconds())


def role_in(lesson: Lesson) -> str | None:
    """The signed-in person's part in the lesson's room, None when they have none."""
    if lesson.advisor_id == current_user.id:
        return Role.ADVISOR
    if lesson.kind is LessonKind.TEACHER_EVENT:  # the teachers taking part join as pupils do
        if is_invited(current_user.id, lesson):
            return Role.PUPIL
        return Role.OBSERVER if current_user.role is UserRole.COORDINATOR else None
    if current_user.role is UserRole.PUPIL:
        return Role.PUPIL if is_invited(current_user.id, lesson) else None
    if current_user.role is UserRole.TUTOR:
        return Role.CLASSROOM
    if current_user.role is UserRole.COORDINATOR:
        return Role.OBSERVER
    return None
