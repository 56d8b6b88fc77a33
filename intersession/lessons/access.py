"""Who may see a lesson and which rows of its register (shared ACCESS.md).

A pupil is *invited* while they have a row in the lesson's register and, for a cohort's lesson, are
still in the cohort: one who leaves loses the lesson's page, materials, room, recording and its
place in calendars and feeds at once, while the row stays theirs to read (reports). That rule is
`invited_clause`, and every check of a pupil's access to a lesson goes through it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, exists, false, or_, select

from intersession.auth.models import Role, User
from intersession.core.db import db
from intersession.lessons.models import (
    MAX_MINUTES,
    AttendanceRow,
    ConsultationRequest,
    Lesson,
    LessonKind,
)
from intersession.schools.models import cohort_pupil


def lesson_hub_id(lesson: Lesson) -> int:
    return lesson.advisor.hub_id


def invited_clause(
    pupil_id: SQLColumnExpression[int] | int,
    lesson_id: SQLColumnExpression[int] | int = Lesson.id,
    cohort_id: SQLColumnExpression[int | None] | int | None = Lesson.cohort_id,
) -> ColumnElement[bool]:
    """SQL: the pupil is invited to the lesson — a row in its register and, for a cohort's lesson,
    still one of the cohort. The lesson is `Lesson` of the enclosing query unless its id and
    cohort are given."""
    row = exists().where(AttendanceRow.lesson_id == lesson_id, AttendanceRow.pupil_id == pupil_id)
    if cohort_id is None:  # a consultation: its pupils are invited by name
        return row
    member = exists().where(
        cohort_pupil.c.cohort_id == cohort_id, cohort_pupil.c.pupil_id == pupil_id
    )
    if isinstance(cohort_id, int):
        return and_(row, member)
    return and_(row, or_(cohort_id.is_(None), member))


def is_invited(pupil_id: int, lesson: Lesson) -> bool:
    """The pupil is invited to this lesson now (asked of the database, not of loaded rows, so a
    change to the cohort made by another process counts at once)."""
    return bool(db.session.scalar(select(invited_clause(pupil_id, lesson.id, lesson.cohort_id))))


def invited_pupils(lesson: Lesson) -> list[User]:
    """The pupils invited to the lesson now, by name."""
    query = select(User).where(invited_clause(User.id, lesson.id, lesson.cohort_id))
    return list(db.session.scalars(query.order_by(User.full_name)))


def takes_part(viewer: User, lesson: Lesson) -> bool:
    """A teachers' event: its presenter, or a teacher with a row in its register."""
    return lesson.advisor_id == viewer.id or any(r.pupil_id == viewer.id for r in lesson.register)


def can_view_lesson(viewer: User, lesson: Lesson) -> bool:
    """Coordinator: the hub's lessons; advisor: their own; tutor: those their school's pupils are
    invited to; pupil: those they are invited to (and open consultation slots they may book); a
    teachers' event: its presenter and the teachers taking part (and the coordinator)."""
    if viewer.hub_id != lesson_hub_id(lesson):
        return False
    if viewer.role is Role.COORDINATOR:
        return True
    if lesson.kind is LessonKind.TEACHER_EVENT:
        return viewer.role in (Role.ADVISOR, Role.TUTOR) and takes_part(viewer, lesson)
    if viewer.role is Role.ADVISOR:
        return lesson.advisor_id == viewer.id
    if viewer.role is Role.TUTOR:
        return any(can_view_row(viewer, row) for row in lesson.register)
    if viewer.role is not Role.PUPIL:
        return False
    if is_invited(viewer.id, lesson):
        return True
    if lesson.capacity is not None:
        from intersession.lessons.consultations import bookable

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
    if row.lesson.kind is LessonKind.TEACHER_EVENT:  # a teacher's own row, and the presenter's
        return viewer.id in (row.pupil_id, row.lesson.advisor_id)
    if viewer.role is Role.ADVISOR:
        return row.lesson.advisor_id == viewer.id
    if viewer.role is Role.TUTOR:
        return row.pupil.school_id == viewer.school_id
    return row.pupil_id == viewer.id


def visible_lessons(viewer: User) -> Select[Lesson]:
    """The lessons this viewer may see, as a query to narrow further."""
    query = select(Lesson).join(Lesson.advisor)
    own_row = exists().where(
        AttendanceRow.lesson_id == Lesson.id, AttendanceRow.pupil_id == viewer.id
    )
    event = Lesson.kind == LessonKind.TEACHER_EVENT
    if viewer.role is Role.ADVISOR:
        return query.where(or_(Lesson.advisor_id == viewer.id, and_(event, own_row)))
    if viewer.role is Role.COORDINATOR:
        from intersession.schools.models import School, in_hub

        return query.join(School, School.id == User.school_id).where(in_hub(viewer.hub_id))
    if viewer.role is Role.PUPIL:
        return query.where(invited_clause(viewer.id))
    if viewer.role is not Role.TUTOR:
        return query.where(false())
    school_pupils = (
        select(AttendanceRow.id)
        .join(AttendanceRow.pupil)
        .where(
            AttendanceRow.lesson_id == Lesson.id,
            User.school_id == viewer.school_id,
            User.role == Role.PUPIL,
        )
    )
    return query.where(
        or_(
            and_(~event, exists(school_pupils)),
            and_(event, or_(Lesson.advisor_id == viewer.id, own_row)),
        )
    )


def running_between(query: Select[Lesson], opens: datetime, closes: datetime) -> list[Lesson]:
    """The query's lessons held at some moment of [opens, closes), by start: one begun before
    `opens` and still going on counts, so a lesson across midnight is on both days' lists."""
    earliest = opens - timedelta(minutes=MAX_MINUTES)
    found = db.session.scalars(
        query.where(Lesson.starts_at > earliest, Lesson.starts_at < closes).order_by(
            Lesson.starts_at
        )
    )
    return [lesson for lesson in found if lesson.held_until > opens]
