"""The thematic plan against the lessons: for each cohort and subject taught, each topic planned
for a window and whether a lesson covered it."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from intersession.auth.models import User
from intersession.core.db import db, utcnow
from intersession.lessons.models import AttendanceRow, Lesson, LessonState, Presence
from intersession.lessons.scheduling import academic_week
from intersession.recordings.models import Recording, RecordingState
from intersession.schools.models import (
    AcademicYear,
    Cohort,
    PlanTopic,
    TeachingAssignment,
    cohort_pupil,
)


class Covered(enum.StrEnum):
    """The best a topic's lessons reached, in this order."""

    RECORDED = "recorded"  # held, and its recording can be watched
    HELD = "held"
    PLANNED = "planned"  # a lesson is scheduled, not held yet
    CANCELLED = "cancelled"  # its only lessons were cancelled
    NONE = "none"


ORDER = list(Covered)


@dataclass(frozen=True)
class TopicLine:
    cohort_id: int
    cohort: str
    subject_id: int
    subject: str
    topic_id: int
    title: str
    week: int
    state: Covered
    lesson_id: int | None  # the lesson that reached the state


def _state(lesson: Lesson, recorded: set[int], now: datetime) -> Covered:
    if lesson.state is LessonState.CANCELLED:
        return Covered.CANCELLED
    if lesson.starts_at >= now:
        return Covered.PLANNED
    return Covered.RECORDED if lesson.id in recorded else Covered.HELD


def topic_lines(
    year: AcademicYear, first: date, last: date, cohort_ids: set[int] | None = None
) -> list[TopicLine]:
    """Topics of the weeks from `first` to `last` for every cohort of the year and subject it is
    taught (only `cohort_ids`, when given). A topic counts as covered by any lesson of that cohort
    on it, whenever it was held: a topic moved to the next week is still covered."""
    weeks = (academic_week(year, first), academic_week(year, last))
    teaching = db.session.execute(
        select(Cohort, TeachingAssignment.subject_id)
        .join(TeachingAssignment, TeachingAssignment.cohort_id == Cohort.id)
        .where(Cohort.year_id == year.id)
        .distinct()
    ).all()
    pairs = [(c, s) for c, s in teaching if cohort_ids is None or c.id in cohort_ids]
    if not pairs:
        return []
    topics = db.session.scalars(
        select(PlanTopic)
        .where(PlanTopic.year_id == year.id, PlanTopic.week.between(*weeks))
        .order_by(PlanTopic.subject_id, PlanTopic.grade, PlanTopic.week, PlanTopic.position)
    ).all()
    by_plan: dict[tuple[int, int], list[PlanTopic]] = defaultdict(list)
    for topic in topics:
        by_plan[(topic.subject_id, topic.grade)].append(topic)
    topic_ids = [t.id for t in topics]
    lessons = db.session.scalars(
        select(Lesson).where(Lesson.topic_id.in_(topic_ids), Lesson.cohort_id.is_not(None))
    ).all() if topic_ids else []  # fmt: skip
    recorded = set(db.session.scalars(
        select(Recording.lesson_id).where(
            Recording.lesson_id.in_([lesson.id for lesson in lessons]),
            Recording.state == RecordingState.READY,
        )
    )) if lessons else set()  # fmt: skip
    now = utcnow()
    best: dict[tuple[int, int], tuple[Covered, int]] = {}  # (cohort, topic) -> state, lesson
    for lesson in lessons:
        key = (lesson.cohort_id or 0, lesson.topic_id or 0)
        state = _state(lesson, recorded, now)
        if key not in best or ORDER.index(state) < ORDER.index(best[key][0]):
            best[key] = (state, lesson.id)
    lines = []
    for cohort, subject_id in sorted(pairs, key=lambda p: (p[0].name, p[1])):
        for topic in by_plan.get((subject_id, cohort.grade), []):
            state, lesson_id = best.get((cohort.id, topic.id), (Covered.NONE, None))
            lines.append(TopicLine(cohort.id, cohort.name, subject_id, topic.subject.name,
                                   topic.id, topic.title, topic.week, state, lesson_id))  # fmt: skip
    return lines


@dataclass
class PlanRow:
    """One topic of a subject's plan for a grade: the best its lessons reached in the hub, and in
    each magnet school how many of its pupils of the grade's cohorts took part (or caught up)."""

    topic_id: int
    title: str
    week: int
    state: Covered
    lesson_id: int | None
    reached: dict[int, int]  # school id -> pupils who attended a held lesson on it or caught up


@dataclass
class PlanCoverage:
    rows: list[PlanRow]
    pupils: dict[int, int]  # school id -> pupils of the grade's cohorts


def plan_coverage(
    year: AcademicYear, subject_id: int, grade: int, first: date, last: date
) -> PlanCoverage:
    """The plan of a subject and grade for the weeks from `first` to `last`, against the lessons
    of every cohort of that grade."""
    cohort_ids = set(db.session.scalars(
        select(Cohort.id).where(Cohort.year_id == year.id, Cohort.grade == grade)
    ))  # fmt: skip
    lines = [
        t for t in topic_lines(year, first, last, cohort_ids)
        if t.subject_id == subject_id
    ]  # fmt: skip
    pupils: dict[int, set[int]] = defaultdict(set)
    for pupil_id, school_id in db.session.execute(
        select(User.id, User.school_id)
        .join(cohort_pupil, cohort_pupil.c.pupil_id == User.id)
        .where(cohort_pupil.c.cohort_id.in_(cohort_ids))
    ):
        pupils[school_id].add(pupil_id)
    topic_ids = {t.topic_id for t in lines}
    reached: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    if topic_ids:
        attended = (Presence.PRESENT, Presence.PARTLY)
        query = (
            select(Lesson.topic_id, User.school_id, User.id, AttendanceRow)
            .join(AttendanceRow, AttendanceRow.lesson_id == Lesson.id)
            .join(User, User.id == AttendanceRow.pupil_id)
            .where(Lesson.topic_id.in_(topic_ids), Lesson.state == LessonState.SCHEDULED,
                   Lesson.starts_at < utcnow(), Lesson.cohort_id.in_(cohort_ids))
        )  # fmt: skip
        for topic_id, school_id, pupil_id, row in db.session.execute(query):
            if row.final_status in attended or row.caught_up_at is not None:
                reached[topic_id or 0][school_id].add(pupil_id)
    best: dict[int, TopicLine] = {}
    for line in lines:  # the topic's best state over the grade's cohorts
        known = best.get(line.topic_id)
        if known is None or ORDER.index(line.state) < ORDER.index(known.state):
            best[line.topic_id] = line
    rows = [
        PlanRow(t.topic_id, t.title, t.week, t.state, t.lesson_id,
                {school: len(ids) for school, ids in reached[t.topic_id].items()})
        for t in best.values()  # in the plan's order: each cohort of the grade has the same
    ]  # fmt: skip
    return PlanCoverage(rows, {school: len(ids) for school, ids in pupils.items()})
