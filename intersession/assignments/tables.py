"""Pupils by pieces of work: the data of the grading queue, the tutor's view and the gradebook,
read with a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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


@dataclass
class Grid:
    """Rows of pupils, columns of work, and in each cell the latest sent attempt (or None)."""

    work: list[Assignment]
    pupils: list[User]
    cells: dict[tuple[int, int], Submission] = field(default_factory=dict)  # (pupil, work)
    due: dict[tuple[int, int], datetime] = field(default_factory=dict)

    def cell(self, pupil: User, assignment: Assignment) -> Submission | None:
        return self.cells.get((pupil.id, assignment.id))

    def given(self, pupil: User, assignment: Assignment) -> bool:
        return (pupil.id, assignment.id) in self.due

    def due_for(self, pupil: User, assignment: Assignment) -> datetime:
        return self.due.get((pupil.id, assignment.id), assignment.due_at)


def latest_sent(
    assignment_ids: list[int], pupil_ids: list[int] | None = None, only_waiting: bool = False
) -> dict[tuple[int, int], Submission]:
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
    query: Select[Submission] = (
        select(Submission)
        .join(latest, and_(Submission.assignment_id == latest.c.assignment_id,
                           Submission.pupil_id == latest.c.pupil_id,
                           Submission.attempt == latest.c.attempt))
        .options(selectinload(Submission.pupil).selectinload(User.school))
    )  # fmt: skip
    if only_waiting:
        query = query.where(Submission.state == SubmissionState.SUBMITTED)
    return {(s.pupil_id, s.assignment_id): s for s in db.session.scalars(query)}


def grid(work: list[Assignment], pupils: list[User]) -> Grid:
    """Which pupil each piece of work is for, their due dates with extensions, their latest work."""
    table = Grid(work=work, pupils=pupils)
    ids = [a.id for a in work]
    pupil_ids = {p.id for p in pupils}
    for assignment in work:
        chosen = {p.id for p in assignment.chosen_pupils}
        for pupil in pupils:
            if (not chosen and pupil in assignment.cohort.pupils) or pupil.id in chosen:
                table.due[(pupil.id, assignment.id)] = assignment.due_at
    if ids:
        for extension in db.session.scalars(
            select(Extension).where(Extension.assignment_id.in_(ids))
        ):
            key = (extension.pupil_id, extension.assignment_id)
            if key in table.due:
                table.due[key] = extension.due_at
    table.cells = {key: s for key, s in latest_sent(ids, sorted(pupil_ids)).items()}
    return table


def published(query: Select[Assignment]) -> list[Assignment]:
    return list(
        db.session.scalars(
            query.where(Assignment.state == AssignmentState.PUBLISHED)
            .options(selectinload(Assignment.chosen_pupils), selectinload(Assignment.criteria))
            .order_by(Assignment.due_at, Assignment.id)
        )
    )
