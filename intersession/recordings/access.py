"""Who may watch a lesson's recording: those invited to the lesson (shared ACCESS.md). Pupils by
the lessons' own rule (lessons/access.py): one who left the cohort loses the recordings with the
lesson, and an open consultation slot a pupil might book shows no recording."""

from __future__ import annotations

from intersession.auth.models import Role, User
from intersession.lessons.access import can_view_lesson, is_invited
from intersession.lessons.models import Lesson


def can_watch(viewer: User, lesson: Lesson) -> bool:
    if lesson.cancelled or not can_view_lesson(viewer, lesson):
        return False
    return viewer.role is not Role.PUPIL or is_invited(viewer.id, lesson)
