"""Who may watch a lesson's recording: those invited to the lesson (shared ACCESS.md), and of the
pupils only those still in its cohort — a pupil who left the cohort loses the recordings."""

from __future__ import annotations

from sqlalchemy import exists, select

from intersession.auth.models import Role, User
from intersession.core.db import db
from intersession.rooms.access import can_view_lesson
from intersession.rooms.models import Lesson
from intersession.schools.models import cohort_pupil


def can_watch(viewer: User, lesson: Lesson) -> bool:
    if lesson.cancelled or not can_view_lesson(viewer, lesson):
        return False
    if viewer.role is Role.PUPIL and lesson.cohort_id is not None:
        member = exists().where(
            cohort_pupil.c.cohort_id == lesson.cohort_id, cohort_pupil.c.pupil_id == viewer.id
        )
        return bool(db.session.scalar(select(member)))
    return True
