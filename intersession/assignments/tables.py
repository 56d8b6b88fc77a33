"""Pupils by pieces of work: the data of the grading queue, the tutor's view and the gradebook,
read with a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import selectinload

from intersession.assignments.models import (
    Assignment,
    AssignmentState,
    Extension,
    Submission,
    SubmissionState,
)
from intersession.auth.models import User
from intersession.core.db import db
from intersession.schools.models import School


@dataclass(frozen=True, slots=True)
class Sent:
    """A latest sent attempt as the tables show it: its columns, without the ORM's bookkeeping
    (a gradebook reads hundreds of them on every load)."""

    id: int
    pupil_id: int
    assignment_id: int
    state: SubmissionState
    grade: Decimal | None
    submitted_at: datetime | None
    released_at: datetime | None
    late_seconds: int | None
    excused_by_id: int | None
    excuse_note: str | None
    feedback: str

    @property
    def counts_late(self) -> bool:
        return self.late_seconds is not None and self.excused_by_id is None

    @property
    def released(self) -> bool:
        return self.released_at is not None


_SENT_COLUMNS = [getattr(Submission, f.name) for f in fields(Sent)]


@dataclass
class Grid:
    """Rows of pupils, columns of work, and in each cell the latest sent attempt (or None)."""

    work: list[Assignment]
    pupils: list[User]
    cells: dict[tuple[int, int], Sent] = field(default_factory=dict)  # (pupil, work)
    due: dict[tuple[int, int], datetime] = field(default_factory=dict)

    def cell(self, pupil: User, assignment: Assignment) -> Sent | None:
        return self.cells.get((pupil.id, assignment.id))

    def given(self, pupil: User, assignment: Assignment) -> bool:
        return (pupil.id, assignment.id) in self.due

    def due_for(self, pupil: User, assignment: Assignment) -> datetime:
        return self.due.get((pupil.id, assignment.id), assignment.due_at)


def latest_sent(
    assignment_ids: list[int], pupil_ids: list[int] | None = None, only_waiting: bool = False
) -> dict[tuple[int, int], Sent]:
    """The latest sent attempt of each pupil at each piece of work (only those waiting for a grade,
    if asked), found by the database rather than by reading every attempt."""
    if not assignment_ids:
        return {}
    sent = [Submission.assignment_id.in_(assignment_ids), Submission.state != SubmissionState.DRAFT]
    if pupil_ids is not None:
        sent.append(Submission.pupil_id.in_(pupil_ids))
    latest = (
        select(
            Submission.assignment_id,
            Submission.pupil_id,
            func.max(Submission.attempt).label("attempt"),
        )
        .where(*sent)
        .group_by(Submission.assignment_id, Submission.pupil_id)
        .subquery()
    )
    query = select(*_SENT_COLUMNS).join(
        latest,
        and_(Submission.assignment_id == latest.c.assignment_id,
             Submission.pupil_id == latest.c.pupil_id,
             Submission.attempt == latest.c.attempt),
    )  # fmt: skip
    if only_waiting:
        query = query.where(Submission.state == SubmissionState.SUBMITTED)
    rows = (Sent(*row) for row in db.session.execute(query))
    return {(s.pupil_id, s.assignment_id): s for s in rows}


def grid(work: list[Assignment], pupils: list[User]) -> Grid:
    """Which pupil each piece of work is for, their due dates with extensions, their latest work."""
    table = Grid(work=work, pupils=pupils)
    ids = [a.id for a in work]
    pupil_ids = {p.id for p in pupils}
    members: dict[int, set[int]] = {}  # cohort id -> pupil ids, read once per cohort
    for assignment in work:
        chosen = {p.id for p in assignment.chosen_pupils}
        if not chosen and assignment.cohort_id not in members:
            members[assignment.cohort_id] = {p.id for p in assignment.cohort.pupils}
        given = chosen or members[assignment.cohort_id]
        for pupil_id in pupil_ids & given:
            table.due[(pupil_id, assignment.id)] = assignment.due_at
    if ids:
        for extension in db.session.scalars(
            select(Extension).where(Extension.assignment_id.in_(ids))
        ):
            key = (extension.pupil_id, extension.assignment_id)
            if key in table.due:
                table.due[key] = extension.due_at
    table.cells = latest_sent(ids, sorted(pupil_ids))
    return table


def pupil_names(pupil_ids: set[int]) -> dict[int, tuple[str, str]]:
    """Each pupil's full name and school name, in one query."""
    if not pupil_ids:
        return {}
    query = (
        select(User.id, User.full_name, School.name)
        .outerjoin(School, School.id == User.school_id)
        .where(User.id.in_(pupil_ids))
    )
    return {id_: (name, school or "") for id_, name, school in db.session.execute(query)}


def published(query: Select[Assignment]) -> list[Assignment]:
    return list(
        db.session.scalars(
            query.where(Assignment.state == AssignmentState.PUBLISHED)
            .options(selectinload(Assignment.chosen_pupils), selectinload(Assignment.criteria))
            .order_by(Assignment.due_at, Assignment.id)
        )
    )


@dataclass
class Queue:
    """The advisor's sent work in the order it came (the oldest waits longest), with filters."""

    every: list[Assignment]  # all the advisor's published work, for the filters
    work: list[Assignment]  # what the filters keep
    rows: list[Sent]


def grading_queue(
    advisor_id: int, cohort_id: int | None, work_id: int | None, pending: bool = True
) -> Queue:
    every = published(select(Assignment).where(Assignment.advisor_id == advisor_id))
    work = [a for a in every if (cohort_id is None or a.cohort_id == cohort_id)
            and (work_id is None or a.id == work_id)]  # fmt: skip
    sent = latest_sent([a.id for a in work], only_waiting=pending)
    far = datetime.max.replace(tzinfo=UTC)
    rows = sorted(sent.values(), key=lambda s: (s.submitted_at or far, s.id))
    return Queue(every=every, work=work, rows=rows)
