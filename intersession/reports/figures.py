"""Each pupil's attendance and work over a window of the year, read in bulk.

The progress page asks for one pupil, the readiness report for a whole hub: both read the same
rows with a fixed number of queries, so a figure on one and on the other can never disagree.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from intersession.assignments.models import (
    Assignment,
    AssignmentState,
    Extension,
    SubmissionState,
)
from intersession.assignments.tables import latest_sent
from intersession.core.db import db, utcnow
from intersession.lessons.models import (
    AbsenceReason,
    AttendanceRow,
    Lesson,
    LessonState,
    Presence,
)
from intersession.polls.records import answered_in
from intersession.schools.models import Subject, cohort_pupil

FIVE = Decimal(5)


@dataclass(frozen=True)
class Window:
    """Local dates, both inclusive, in the hub's zone."""

    first: date
    last: date
    zone: str

    def bounds(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(self.zone)
        opens = datetime.combine(self.first, time()).replace(tzinfo=zone)
        closes = datetime.combine(self.last + timedelta(days=1), time()).replace(tzinfo=zone)
        return opens, closes

    def holds(self, moment: datetime) -> bool:
        return self.first <= moment.astimezone(ZoneInfo(self.zone)).date() <= self.last


@dataclass(frozen=True)
class LessonRow:
    lesson_id: int
    starts_at: datetime
    subject: str
    title: str
    status: Presence | None
    reason: AbsenceReason | None
    reason_text: str | None
    caught_up: bool
    polls: tuple[str, ...] = ()  # the pupil's answers in the lesson's polls, "question: answer"


@dataclass
class Attendance:
    rows: list[LessonRow] = field(default_factory=list)

    def count(self, status: Presence | None) -> int:
        return sum(1 for r in self.rows if r.status is status)

    @property
    def held(self) -> int:
        return len(self.rows)

    def excused(self, reasons: frozenset[AbsenceReason]) -> list[LessonRow]:
        return [r for r in self.rows if r.status is Presence.ABSENT and r.reason in reasons]

    @property
    def caught_up(self) -> int:
        return sum(1 for r in self.rows if r.caught_up and r.status is not Presence.PRESENT)

    def rate(self, excused: frozenset[AbsenceReason], count_caught_up: bool) -> float | None:
        """Lessons attended over lessons that count. An absence excused by its reason is left
        out; a partial attendance counts half; a lesson not marked is not attended; with
        `count_caught_up`, a lesson missed (or half missed) and then watched counts in full."""
        counted = 0
        attended = 0.0
        for row in self.rows:
            if row.status is Presence.ABSENT and row.reason in excused and not row.caught_up:
                continue
            counted += 1
            if row.status is Presence.PRESENT or (count_caught_up and row.caught_up):
                attended += 1
            elif row.status is Presence.PARTLY:
                attended += 0.5
        return attended / counted if counted else None


class WorkState(enum.StrEnum):
    GRADED = "graded"
    WAITING = "waiting"  # sent, not graded yet
    RETURNED = "returned"  # sent back for rework
    MISSING = "missing"  # not sent and past its cut-off (or its due date, without one)
    OPEN = "open"  # not sent, still time


@dataclass(frozen=True)
class WorkRow:
    assignment_id: int
    title: str
    subject: str
    due_at: datetime
    closes_at: datetime  # the cut-off, or the due date when there is none
    state: WorkState
    late: bool
    grade: Decimal | None
    max_grade: Decimal
    cohort_id: int = 0

    @property
    def sent(self) -> bool:
        return self.state in (WorkState.GRADED, WorkState.WAITING, WorkState.RETURNED)

    @property
    def on_five(self) -> Decimal | None:
        """The grade on the school's five-point scale, to average work graded on any scale."""
        if self.grade is None or not self.max_grade:
            return None
        return self.grade * FIVE / self.max_grade


@dataclass
class Work:
    rows: list[WorkRow] = field(default_factory=list)

    def count(self, *states: WorkState) -> int:
        return sum(1 for r in self.rows if r.state in states)

    @property
    def given(self) -> int:
        return len(self.rows)

    @property
    def sent(self) -> int:
        return sum(1 for r in self.rows if r.sent)

    @property
    def late(self) -> int:
        return sum(1 for r in self.rows if r.sent and r.late)

    def _means(self) -> dict[str, Decimal]:
        grades: dict[str, list[Decimal]] = defaultdict(list)
        for row in self.rows:
            if row.on_five is not None:
                grades[row.subject].append(row.on_five)
        return {s: sum(g, Decimal(0)) / len(g) for s, g in sorted(grades.items())}

    def averages(self) -> dict[str, Decimal]:
        """The average grade of each subject, on the five-point scale, to one decimal."""
        return {subject: one_decimal(mean) for subject, mean in self._means().items()}

    def average(self) -> Decimal | None:
        """The mean of the subjects' averages: a subject with many small pieces of work does
        not outweigh the others."""
        means = list(self._means().values())
        return one_decimal(sum(means, Decimal(0)) / len(means)) if means else None


def one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize() + 0


def attendance(pupil_ids: list[int], window: Window) -> dict[int, Attendance]:
    """The register rows of lessons held (not cancelled, already begun) in the window."""
    opens, closes = window.bounds()
    closes = min(closes, utcnow())
    found: dict[int, Attendance] = {p: Attendance() for p in pupil_ids}
    if not pupil_ids:
        return found
    query = (
        select(AttendanceRow, Lesson.starts_at, Lesson.title, Subject.name)
        .join(Lesson, Lesson.id == AttendanceRow.lesson_id)
        .join(Subject, Subject.id == Lesson.subject_id)
        .where(
            AttendanceRow.pupil_id.in_(pupil_ids),
            Lesson.state == LessonState.SCHEDULED,
            Lesson.starts_at >= opens,
            Lesson.starts_at < closes,
        )
        .order_by(Lesson.starts_at)
    )
    found_rows = list(db.session.execute(query))
    answers = answered_in(pupil_ids, {row.lesson_id for row, *_ in found_rows})
    for row, starts_at, title, subject in found_rows:
        found[row.pupil_id].rows.append(
            LessonRow(
                row.lesson_id,
                starts_at,
                subject,
                title,
                row.final_status,
                row.reason,
                row.reason_text,
                row.caught_up_at is not None,
                tuple(answers.get((row.pupil_id, row.lesson_id), ())),
            )
        )
    return found


def work(pupil_ids: list[int], window: Window) -> dict[int, Work]:
    """Each pupil's published work due (their own due date, extensions counted) in the window."""
    found: dict[int, Work] = {p: Work() for p in pupil_ids}
    if not pupil_ids:
        return found
    members: dict[int, set[int]] = defaultdict(set)  # cohort -> the pupils asked about in it
    for cohort_id, pupil_id in db.session.execute(
        select(cohort_pupil.c.cohort_id, cohort_pupil.c.pupil_id).where(
            cohort_pupil.c.pupil_id.in_(pupil_ids)
        )
    ):
        members[cohort_id].add(pupil_id)
    opens, closes = window.bounds()
    # Every published piece of the cohorts: an extension can move a due date into the window.
    query = (
        select(Assignment)
        .where(
            Assignment.cohort_id.in_(list(members)),
            Assignment.state == AssignmentState.PUBLISHED,
        )
        .options(
            selectinload(Assignment.chosen_pupils),
            selectinload(Assignment.criteria),
            selectinload(Assignment.subject),
        )
        .order_by(Assignment.due_at, Assignment.id)
    )
    assignments = list(db.session.scalars(query)) if members else []
    ids = [a.id for a in assignments]
    extensions = {
        (e.pupil_id, e.assignment_id): e
        for e in db.session.scalars(select(Extension).where(Extension.assignment_id.in_(ids)))
    } if ids else {}  # fmt: skip
    sent = latest_sent(ids, pupil_ids)
    now = utcnow()
    for assignment in assignments:
        chosen = {p.id for p in assignment.chosen_pupils}
        given = (chosen & set(pupil_ids)) if chosen else members[assignment.cohort_id]
        for pupil_id in sorted(given):
            extension = extensions.get((pupil_id, assignment.id))
            due = extension.due_at if extension else assignment.due_at
            if not opens <= due < closes:
                continue
            cutoff = (extension.cutoff_at if extension else None) or assignment.cutoff_at
            closes_at = max(cutoff or due, due)
            latest = sent.get((pupil_id, assignment.id))
            if latest is None:
                state = WorkState.MISSING if closes_at < now else WorkState.OPEN
            elif latest.state is SubmissionState.GRADED:
                state = WorkState.GRADED
            elif latest.state is SubmissionState.RETURNED:
                state = WorkState.RETURNED
            else:
                state = WorkState.WAITING
            found[pupil_id].rows.append(
                WorkRow(
                    assignment.id,
                    assignment.title,
                    assignment.subject.name,
                    due,
                    closes_at,
                    state,
                    bool(latest and latest.counts_late),
                    latest.grade if latest and state is WorkState.GRADED else None,
                    assignment.max_grade,
                    assignment.cohort_id,
                )
            )
    return found
