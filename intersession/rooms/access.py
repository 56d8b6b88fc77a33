"""Who may see a lesson and which rows of its register (shared ACCESS.md)."""

from __future__ import annotations

from sqlalchemy import Select, exists, select

from intersession.auth.models import Role, User
from intersession.rooms.models import AttendanceRow, Lesson


def lesson_hub_id(lesson: Lesson) -> int:
    return lesson.advisor.hub_id


def can_view_lesson(viewer: User, lesson: Lesson) -> bool:
    """Coordinator: the hub's lessons; advisor: their own; tutor: those their school's pupils are
    invited to; pupil: those they are invited to."""
    if viewer.hub_id != lesson_hub_id(lesson):
        return False
    if viewer.role is Role.COORDINATOR:
        return True
    if viewer.role is Role.ADVISOR:
        return lesson.advisor_id == viewer.id
    return any(can_view_row(viewer, row) for row in lesson.register)


def can_view_row(viewer: User, row: AttendanceRow) -> bool:
    if viewer.role is Role.COORDINATOR:
        return viewer.hub_id == lesson_hub_id(row.lesson)
    if viewer.role is Role.ADVISOR:
        return row.lesson.advisor_id == viewer.id
    if viewer.role is Role.TUTOR:
        return row.pupil.school_id == viewer.school_id
    return row.pupil_id == viewer.id


def visible_lessons(viewer: User) -> Select[Lesson]:
    """The lessons this viewer may see, as a query to narrow further."""
    query = select(Lesson).join(Lesson.advisor)
    if viewer.role is Role.ADVISOR:
        return query.where(Lesson.advisor_id == viewer.id)
    if viewer.role is Role.COORDINATOR:
        from intersession.schools.models import School

        return query.join(School, School.id == User.school_id).where(
            (School.id == viewer.hub_id) | (School.hub_id == viewer.hub_id)
        )
    invited = (
        select(AttendanceRow.id)
        .join(AttendanceRow.pupil)
        .where(AttendanceRow.lesson_id == Lesson.id)
    )
    if viewer.role is Role.TUTOR:
        invited = invited.where(User.school_id == viewer.school_id)
    else:
        invited = invited.where(AttendanceRow.pupil_id == viewer.id)
    return query.where(exists(invited))
