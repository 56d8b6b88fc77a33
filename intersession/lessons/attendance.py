"""The attendance register: marks of what happened, and the tutor's confirmation with reasons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from intersession.auth.models import Role, User
from intersession.core.db import db, utcnow
from intersession.core.errors import DomainError, Forbidden
from intersession.core.kazakh import DATIVE, with_case
from intersession.lessons.access import can_view_row
from intersession.lessons.models import (
    AbsenceReason,
    AttendanceRow,
    Lesson,
    LessonKind,
    LessonState,
    Presence,
    PresenceSource,
)


@dataclass
class Mark:
    row: AttendanceRow
    status: Presence | None
    minutes: int | None = None
    reason: AbsenceReason | None = None
    reason_text: str | None = None


class RegisterErrors(DomainError):
    """Problems with some rows; nothing was saved. `rows` maps a row id to its message."""

    def __init__(self, rows: dict[int, str]) -> None:
        super().__init__(_("Some rows need correcting; nothing was saved."))
        self.rows = rows


def _require_started(lesson: Lesson) -> None:
    if lesson.cancelled:
        raise DomainError(_("The lesson was cancelled; there is nothing to mark."))
    if lesson.starts_at > utcnow():
        raise DomainError(_("The register opens when the lesson starts."))


def mark_register(advisor: User, lesson: Lesson, marks: list[Mark]) -> None:
    """The advisor marks who took part (until the live room does it): all rows or none."""
    presenter = lesson.kind is LessonKind.TEACHER_EVENT  # any teacher may present one
    if lesson.advisor_id != advisor.id or not (presenter or advisor.role is Role.ADVISOR):
        raise Forbidden(_("Only the lesson's advisor may mark its register."))
    _require_started(lesson)
    errors: dict[int, str] = {}
    for mark in marks:
        if mark.row.lesson_id != lesson.id:
            raise Forbidden(_("This row belongs to another lesson."))
        if mark.minutes is not None and not 0 <= mark.minutes <= lesson.duration_minutes:
            errors[mark.row.id] = _(
                "Minutes must be from 0 to %(most)s.",
                most=with_case(str(lesson.duration_minutes), DATIVE),
            )
    if errors:
        raise RegisterErrors(errors)
    for mark in marks:
        if mark.status is None:
            continue
        mark.row.status, mark.row.source = mark.status, PresenceSource.ADVISOR
        mark.row.minutes = _minutes(mark, lesson)
    db.session.commit()


def _minutes(mark: Mark, lesson: Lesson) -> int | None:
    if mark.minutes is not None:
        return mark.minutes
    return {Presence.PRESENT: lesson.duration_minutes, Presence.ABSENT: 0}.get(mark.status)  # type: ignore[arg-type]


def confirm_register(tutor: User, lesson: Lesson, marks: list[Mark]) -> None:
    """The tutor confirms or corrects their own school's pupils' rows, with a reason for every
    absence: all rows or none."""
    if tutor.role is not Role.TUTOR:
        raise Forbidden(_("Only a tutor confirms the register."))
    if lesson.kind is LessonKind.TEACHER_EVENT:  # teachers' attendance is the presenter's to mark
        raise Forbidden(_("Only the lesson's advisor may mark its register."))
    _require_started(lesson)
    errors: dict[int, str] = {}
    for mark in marks:
        if mark.row.lesson_id != lesson.id or not can_view_row(tutor, mark.row):
            raise Forbidden(_("You may confirm only your own school's pupils."))
        text = (mark.reason_text or "").strip() or None
        mark.reason_text = text
        if mark.status is None:
            continue
        if mark.status is Presence.ABSENT and mark.reason is None:
            errors[mark.row.id] = _("Choose the reason for the absence.")
        elif mark.reason is AbsenceReason.OTHER and not text:
            errors[mark.row.id] = _("Describe the other reason.")
        elif mark.status is Presence.PRESENT and mark.reason is not None:
            errors[mark.row.id] = _("A pupil who was present needs no reason for absence.")
        elif text and len(text) > 300:
            errors[mark.row.id] = _("Keep the reason under 300 characters.")
    if errors:
        raise RegisterErrors(errors)
    now = utcnow()
    for mark in marks:
        if mark.status is None:
            continue
        row = mark.row
        row.confirmed_status, row.reason = mark.status, mark.reason
        row.reason_text = mark.reason_text if mark.reason is AbsenceReason.OTHER else None
        row.confirmed_by_id, row.confirmed_at = tutor.id, now
        if row.status is None:  # nothing was detected: the tutor's word is all there is
            row.source = PresenceSource.TUTOR
    db.session.commit()


def registers_to_confirm(tutor: User, days: int = 14) -> list[tuple[Lesson, int]]:
    """Lessons held in the last `days` days with rows of the tutor's pupils not yet confirmed,
    with how many such rows each has, the oldest first."""
    now = utcnow()
    query = (
        select(Lesson, func.count(AttendanceRow.id))
        .join(AttendanceRow, AttendanceRow.lesson_id == Lesson.id)
        .join(User, User.id == AttendanceRow.pupil_id)
        .where(
            User.school_id == tutor.school_id,
            User.role
            == Role.PUPIL,  # a teacher's row of a teachers' event is not the tutor's to confirm
            AttendanceRow.confirmed_status.is_(None),
            Lesson.state == LessonState.SCHEDULED,
            Lesson.starts_at <= now,
            Lesson.starts_at >= now - timedelta(days=days),
        )
        .group_by(Lesson.id)
        .order_by(Lesson.starts_at)
    )
    return [(lesson, count) for lesson, count in db.session.execute(query)]
