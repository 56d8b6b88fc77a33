"""Who may see a lesson and which rows of its register (shared ACCESS.md)."""

from __future__ import annotations

from sqlalchemy import Select, exists, select

from intersession.auth.models import Role, User
from intersession.rooms.models import AttendanceRow, ConsultationRequest, Lesson


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
    if any(can_view_row(viewer, row) for row in lesson.register):
        return True
    if viewer.role is Role.PUPIL and lesson.capacity is not None:
        from intersession.rooms.consultations import bookable

        return bookable(viewer, lesson)
    return False


def can_view_request(viewer: User, request: ConsultationRequest) -> bool:
    """Coordinator: the hub's; advisor: addressed to them; tutor: their own and their pupils';
    pupil: those they are in."""
    if viewer.hub_id != request.advisor.hub_id:
        return False
    if viewer.role is Role.COORDINATOR:
        return True
    if viewer.role is Role.ADVISOR:
        return request.advisor_id == viewer.id
    if viewer.role is Role.TUTOR:
        return request.requested_by_id == viewer.id or any(
            p.school_id == viewer.school_id for p in request.pupils
        )
    return any(p.id == viewer.id for p in request.pupils)


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
        from intersession.schools.models import School, in_hub

        return query.join(School, School.id == User.school_id).where(in_hub(viewer.hub_id))
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
