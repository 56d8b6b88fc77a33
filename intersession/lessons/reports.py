"""Attendance over a window: per pupil, per school, per cohort, with every absence and its reason."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from intersession.auth.models import Role, User
from intersession.core.collation import sorted_by_name
from intersession.core.db import db, utcnow
from intersession.lessons.models import (
    AbsenceReason,
    AttendanceRow,
    Lesson,
    LessonKind,
    LessonState,
    Presence,
)
from intersession.schools.models import Cohort, School, Subject


class Grouping(enum.StrEnum):
    PUPIL = "pupil"
    SCHOOL = "school"
    COHORT = "cohort"


@dataclass
class Absence:
    starts_at: datetime
    lesson: str
    pupil: str
    reason: AbsenceReason | None
    reason_text: str | None
    caught_up: bool = False  # watched the recording afterwards


@dataclass
class Line:
    """One pupil, school or cohort: lessons held, how many attended, and the absences."""

    key: int
    name: str
    school: str = ""
    held: int = 0
    present: int = 0
    partly: int = 0
    absent: int = 0
    unmarked: int = 0
    caught_up: int = 0  # of the absent and partly present: caught up on the recording
    absences: list[Absence] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        """Share of the lessons held that were attended, a partial attendance counting half. A
        lesson not marked is not attended as far as anyone knows (it is counted apart too): one
        present of six held, five unmarked, is not 100%."""
        return (self.present + self.partly / 2) / self.held if self.held else None


def attendance_lines(viewer: User, first: date, last: date, grouping: Grouping) -> list[Line]:
    """Lessons held (not cancelled, already begun) from `first` to `last` in the viewer's zone,
    limited to the rows the viewer may see, grouped as asked."""
    zone = ZoneInfo(viewer.school.timezone)
    opens = datetime.combine(first, time()).replace(tzinfo=zone)
    closes = min(datetime.combine(last + timedelta(days=1), time()).replace(tzinfo=zone), utcnow())
    pupil_school = aliased(School)
    status = func.coalesce(AttendanceRow.confirmed_status, AttendanceRow.status)
    query = (
        select(
            AttendanceRow.pupil_id, User.full_name, pupil_school.id, pupil_school.name,
            Cohort.id, Cohort.name, status, AttendanceRow.reason, AttendanceRow.reason_text,
            Lesson.starts_at, Subject.name, Lesson.title, AttendanceRow.caught_up_at,
        )
        .join(Lesson, Lesson.id == AttendanceRow.lesson_id)
        .join(User, User.id == AttendanceRow.pupil_id)
        .join(pupil_school, pupil_school.id == User.school_id)
        .join(Subject, Subject.id == Lesson.subject_id)
        .outerjoin(Cohort, Cohort.id == Lesson.cohort_id)
        .where(
            Lesson.state == LessonState.SCHEDULED,
            Lesson.kind != LessonKind.TEACHER_EVENT,  # its register holds teachers, not pupils
            Lesson.starts_at >= opens,
            Lesson.starts_at < closes,
            (pupil_school.id == viewer.hub_id) | (pupil_school.hub_id == viewer.hub_id),
        )
        .order_by(Lesson.starts_at)
    )  # fmt: skip
    if viewer.role is Role.ADVISOR:
        query = query.where(Lesson.advisor_id == viewer.id)
    elif viewer.role is Role.TUTOR:
        query = query.where(and_(User.school_id == viewer.school_id, User.role == Role.PUPIL))
    elif viewer.role is Role.PUPIL:
        query = query.where(AttendanceRow.pupil_id == viewer.id)
    lines: dict[int, Line] = {}
    for (pupil_id, pupil, school_id, school, cohort_id, cohort, final, reason, reason_text,
         starts_at, subject, title, caught_up_at) in db.session.execute(query):  # fmt: skip
        key, name = {
            Grouping.PUPIL: (pupil_id, pupil),
            Grouping.SCHOOL: (school_id, school),
            Grouping.COHORT: (cohort_id or 0, cohort or "—"),
        }[grouping]
        line = lines.setdefault(key, Line(key, name, school if grouping is Grouping.PUPIL else ""))
        line.held += 1
        presence = Presence(final) if final else None
        if caught_up_at is not None and presence is not Presence.PRESENT:
            line.caught_up += 1
        if presence is Presence.PRESENT:
            line.present += 1
        elif presence is Presence.PARTLY:
            line.partly += 1
        elif presence is Presence.ABSENT:
            line.absent += 1
            heading = subject if title == subject else f"{subject}: {title}"
            line.absences.append(
                Absence(
                    starts_at,
                    heading,
                    pupil,
                    AbsenceReason(reason) if reason else None,
                    reason_text,
                    caught_up_at is not None,
                )
            )
        else:
            line.unmarked += 1
    return sorted_by_name(lines.values(), lambda line: line.school, lambda line: line.name)


def totals(lines: list[Line]) -> Line:
    total = Line(0, "")
    for line in lines:
        total.held += line.held
        total.present += line.present
        total.partly += line.partly
        total.absent += line.absent
        total.unmarked += line.unmarked
        total.caught_up += line.caught_up
    return total


def absences_by_reason(lines: list[Line]) -> dict[AbsenceReason | None, int]:
    counts: dict[AbsenceReason | None, int] = defaultdict(int)
    for line in lines:
        for absence in line.absences:
            counts[absence.reason] += 1
    return dict(counts)
