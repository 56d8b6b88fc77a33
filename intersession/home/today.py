"""Each role's day on the home page: what to join, to do, to catch up on and to look at.

The pupil: the coming lessons (with a "join" that opens with the room), the work due soonest,
lessons missed and not caught up on (with their recordings), grades and comments not yet read.
The tutor: today's lessons of their pupils with who was absent, work overdue by pupil, entries
waiting for verification. The advisor: today's lessons, the grading queue, consultation requests.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from intersession.assignments import tables
from intersession.assignments.models import Assignment, Submission
from intersession.auth.models import Role, User
from intersession.core import seen
from intersession.core.collation import sorted_by_name
from intersession.core.db import db, utcnow
from intersession.lessons.access import running_between, visible_lessons
from intersession.lessons.models import (
    MAX_MINUTES,
    AttendanceRow,
    ConsultationRequest,
    Lesson,
    LessonState,
    Presence,
    RequestState,
)
from intersession.portfolio.models import EntryState, PortfolioComment, PortfolioEntry
from intersession.recordings.models import Recording, RecordingState
from intersession.schools.models import cohort_pupil

COMING = 3  # lessons shown ahead
WORK_SHOWN = 5
LOOK_BACK = timedelta(days=30)  # missed lessons, new grades, overdue work


@dataclass
class ComingLesson:
    lesson: Lesson
    opens_in: float | None  # seconds until the person may enter its room; None: it will not open

    @property
    def opens_at(self) -> datetime | None:
        return None if self.opens_in is None else utcnow() + timedelta(seconds=self.opens_in)


@dataclass
class Day:
    coming: list[ComingLesson] = field(default_factory=list)
    today: list[ComingLesson] = field(default_factory=list)
    work: list[dict[str, Any]] = field(default_factory=list)
    missed: list[tuple[Lesson, bool]] = field(default_factory=list)  # with: a recording is ready
    new_grades: list[Submission] = field(default_factory=list)
    comments: list[tuple[PortfolioEntry, int]] = field(default_factory=list)
    absent_today: dict[int, list[User]] = field(default_factory=dict)  # lesson id -> pupils
    overdue: list[tuple[User, list[Assignment]]] = field(default_factory=list)
    to_verify: int = 0
    to_grade: int = 0
    requests: int = 0


def _with_room(user: User, lessons: list[Lesson]) -> list[ComingLesson]:
    from intersession.rooms.joining import room_opens_in

    # The lesson's own advisor (a teachers' event's presenter too): the room opens early for them.
    return [
        ComingLesson(lesson, room_opens_in(lesson, lesson.advisor_id == user.id))
        for lesson in lessons
    ]


def coming_lessons(user: User, limit: int = COMING) -> list[Lesson]:
    """Lessons not over yet (a lesson the advisor ended early is over), the soonest first."""
    now = utcnow()
    candidates = db.session.scalars(
        visible_lessons(user)
        .where(Lesson.state == LessonState.SCHEDULED)
        .where(Lesson.starts_at > now - timedelta(minutes=MAX_MINUTES))
        .order_by(Lesson.starts_at)
        .limit(limit + 20)
    )
    return [lesson for lesson in candidates if lesson.held_until > now][:limit]


def lessons_today(user: User) -> list[Lesson]:
    """The person's lessons held today in their school's time zone (one begun before midnight
    and still going on included), cancelled ones included."""
    zone = ZoneInfo(user.school.timezone)
    day = utcnow().astimezone(zone).date()
    start = datetime.combine(day, time(0), zone)
    return running_between(visible_lessons(user), start, start + timedelta(days=1))


def pupils_day(pupil: User) -> Day:
    from intersession.assignments.views.lists import pupil_work_rows

    day = Day(coming=_with_room(pupil, coming_lessons(pupil)))
    day.work = [row for row in pupil_work_rows() if row["to_do"]][:WORK_SHOWN]
    day.missed = _missed(pupil)
    day.new_grades = _new_grades(pupil)
    day.comments = _unread_comments(pupil)
    return day


def _missed(pupil: User) -> list[tuple[Lesson, bool]]:
    """Lessons of the last month the pupil was absent from, or partly, and has not caught up on."""
    now = utcnow()
    status = func.coalesce(AttendanceRow.confirmed_status, AttendanceRow.status)
    member = exists().where(
        cohort_pupil.c.cohort_id == Lesson.cohort_id, cohort_pupil.c.pupil_id == pupil.id
    )
    still_in_cohort = or_(Lesson.cohort_id.is_(None), member)
    rows = db.session.execute(
        select(Lesson, Recording.state)
        .join(AttendanceRow, AttendanceRow.lesson_id == Lesson.id)
        .outerjoin(Recording, Recording.lesson_id == Lesson.id)
        .where(
            AttendanceRow.pupil_id == pupil.id,
            still_in_cohort,  # one who left the cohort has no catching up to do
            status.in_([Presence.ABSENT, Presence.PARTLY]),
            AttendanceRow.caught_up_at.is_(None),
            Lesson.state == LessonState.SCHEDULED,
            Lesson.starts_at >= now - LOOK_BACK,
            Lesson.starts_at <= now,
        )
        .order_by(Lesson.starts_at.desc())
    )
    return [(lesson, state is RecordingState.READY) for lesson, state in rows]


def _new_grades(pupil: User) -> list[Submission]:
    """Grades shown to the pupil that they have not looked at since."""
    released = list(
        db.session.scalars(
            select(Submission)
            .where(
                Submission.pupil_id == pupil.id,
                Submission.released_at.is_not(None),
                Submission.released_at >= utcnow() - LOOK_BACK,
            )
            .options(selectinload(Submission.assignment))
            .order_by(Submission.released_at.desc())
        )
    )
    looked = seen.seen_times(pupil.id, seen.WORK, {s.assignment_id for s in released})
    return [
        s
        for s in released
        if s.released_at is not None
        and (s.assignment_id not in looked or looked[s.assignment_id] < s.released_at)
    ]


def _unread_comments(pupil: User) -> list[tuple[PortfolioEntry, int]]:
    """The pupil's entries with comments by others made after the pupil last opened them."""
    comments = db.session.execute(
        select(PortfolioComment.entry_id, PortfolioComment.created_at)
        .join(PortfolioEntry, PortfolioEntry.id == PortfolioComment.entry_id)
        .where(PortfolioEntry.pupil_id == pupil.id, PortfolioComment.author_id != pupil.id)
    ).all()
    looked = seen.seen_times(pupil.id, seen.ENTRY, {entry_id for entry_id, _ in comments})
    unread: dict[int, int] = defaultdict(int)
    for entry_id, created_at in comments:
        if entry_id not in looked or looked[entry_id] < created_at:
            unread[entry_id] += 1
    if not unread:
        return []
    entries = db.session.scalars(select(PortfolioEntry).where(PortfolioEntry.id.in_(unread)))
    return sorted(((e, unread[e.id]) for e in entries), key=lambda pair: -pair[0].id)


def tutors_day(tutor: User) -> Day:
    day = Day(today=_with_room(tutor, lessons_today(tutor)))
    started = [c.lesson.id for c in day.today if c.lesson.starts_at <= utcnow()]
    if started:
        status = func.coalesce(AttendanceRow.confirmed_status, AttendanceRow.status)
        absent = db.session.execute(
            select(AttendanceRow.lesson_id, User)
            .join(User, User.id == AttendanceRow.pupil_id)
            .where(
                AttendanceRow.lesson_id.in_(started),
                User.school_id == tutor.school_id,
                User.role == Role.PUPIL,
                status == Presence.ABSENT,
            )
            .order_by(User.full_name)
        )
        for lesson_id, pupil in absent:
            day.absent_today.setdefault(lesson_id, []).append(pupil)
    day.overdue = _overdue(tutor)
    day.to_verify = (
        db.session.scalar(
            select(func.count())
            .select_from(PortfolioEntry)
            .join(User, User.id == PortfolioEntry.pupil_id)
            .where(User.school_id == tutor.school_id, PortfolioEntry.state == EntryState.SUBMITTED)
        )
        or 0
    )
    return day


def _overdue(tutor: User) -> list[tuple[User, list[Assignment]]]:
    """Each pupil of the tutor's school with the work of the last month past its due date and
    not sent (an extension counts)."""
    now = utcnow()
    pupils = list(
        db.session.scalars(
            select(User).where(
                User.school_id == tutor.school_id, User.role == Role.PUPIL, User.active.is_(True)
            )
        )
    )
    cohorts = select(cohort_pupil.c.cohort_id).where(
        cohort_pupil.c.pupil_id.in_([p.id for p in pupils])
    )
    work = tables.published(
        select(Assignment).where(
            Assignment.cohort_id.in_(cohorts),
            Assignment.due_at >= now - LOOK_BACK,
            Assignment.due_at < now + LOOK_BACK,  # an extension may only move it later
        )
    )
    table = tables.grid(work, pupils)
    late = [
        (pupil, [a for a in work if table.given(pupil, a) and table.cell(pupil, a) is None
                 and table.due_for(pupil, a) < now])
        for pupil in pupils
    ]  # fmt: skip
    return sorted_by_name([(p, w) for p, w in late if w], lambda pair: pair[0].full_name)


def advisors_day(advisor: User) -> Day:
    day = Day(today=_with_room(advisor, lessons_today(advisor)))
    if not day.today:
        day.coming = _with_room(advisor, coming_lessons(advisor))
    day.to_grade = len(tables.grading_queue(advisor.id, None, None).rows)
    day.requests = (
        db.session.scalar(
            select(func.count())
            .select_from(ConsultationRequest)
            .where(
                ConsultationRequest.advisor_id == advisor.id,
                ConsultationRequest.state == RequestState.OPEN,
            )
        )
        or 0
    )
    return day
