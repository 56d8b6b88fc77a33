"""Pupils by pieces of work: the data of the grading queue, the tutor's view and the gradebook,
read with a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, select
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
    assignment_ids: list[int], pupil_ids: list[int] | None = None
) -> dict[tuple[int, int], Submission]:
    """The latest sent attempt of each pupil at each piece of work."""
    if not assignment_ids:
        return {}
    query: Select[Submission] = (
        select(Submission)
        .where(
            Submission.assignment_id.in_(assignment_ids), Submission.state != SubmissionState.DRAFT
        )
        .options(
            selectinload(Submission.files), selectinload(Submission.pupil).selectinload(User.school)
        )
        .order_by(Submission.attempt)
    )
    if pupil_ids is not None:
        query = query.where(Submission.pupil_id.in_(pupil_ids))
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
