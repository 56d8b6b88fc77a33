"""Setting work: create, edit, publish, and extensions. The rules live here; views only call them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from intersession.assignments.access import can_edit_assignment
from intersession.assignments.models import (
    Assignment,
    AssignmentState,
    Criterion,
    Extension,
    Scale,
    Submission,
)
from intersession.auth.models import User
from intersession.core import files
from intersession.core.db import db, utcnow
from intersession.core.errors import DomainError, NotFound
from intersession.schools.models import Cohort, PlanTopic, Subject, TeachingAssignment

FILE_KINDS = ("pdf", "image", "office", "text")


@dataclass
class CriterionPlan:
    name: str
    max_points: Decimal
    levels: str = ""


@dataclass
class WorkPlan:
    """What the advisor's form says about a piece of work."""

    cohort: Cohort
    subject: Subject
    title: str
    opens_at: datetime
    due_at: datetime
    cutoff_at: datetime | None = None
    topic: PlanTopic | None = None
    instructions: str = ""
    accepts_files: bool = True
    accepts_text: bool = True
    file_kinds: tuple[str, ...] = FILE_KINDS
    max_file_mb: int = 20
    max_files: int = 5
    attempts: int | None = 1
    scale: Scale = Scale.FIVE
    release_at_once: bool = True
    pupils: list[User] = field(default_factory=list)  # empty: the whole cohort
    criteria: list[CriterionPlan] = field(default_factory=list)


def _teaches(advisor: User, cohort: Cohort, subject: Subject) -> bool:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(TeachingAssignment)
            .where(
                TeachingAssignment.advisor_id == advisor.id,
                TeachingAssignment.cohort_id == cohort.id,
                TeachingAssignment.subject_id == subject.id,
            )
        )
        or 0
    ) > 0


def check_plan(advisor: User, plan: WorkPlan) -> None:
    """Every rule of a plan, each broken one as a message on its field."""
    if not _teaches(advisor, plan.cohort, plan.subject):
        raise DomainError(_("You do not teach this subject to this cohort."), "cohort")
    if not plan.title.strip():
        raise DomainError(_("Give the work a title."), "title")
    if plan.due_at <= plan.opens_at:
        raise DomainError(_("The due date must come after the opening date."), "due_at")
    if plan.cutoff_at is not None and plan.cutoff_at < plan.due_at:
        raise DomainError(_("The cut-off date cannot come before the due date."), "cutoff_at")
    if not (plan.accepts_files or plan.accepts_text):
        raise DomainError(_("Allow files, text, or both."), "accepts_files")
    kinds = set(plan.file_kinds)
    if plan.accepts_files and (not kinds or not kinds <= set(FILE_KINDS)):
        raise DomainError(_("Choose the kinds of files the pupils may send."), "file_kinds")
    if not 1 <= plan.max_files <= 20 or not 1 <= plan.max_file_mb <= 200:
        raise DomainError(_("Up to 20 files of up to 200 MB each."), "max_files")
    if plan.attempts is not None and not 1 <= plan.attempts <= 10:
        raise DomainError(_("Between 1 and 10 attempts."), "attempts")
    if any(p.id not in {c.id for c in plan.cohort.pupils} for p in plan.pupils):
        raise DomainError(_("Choose pupils of this cohort."), "pupils")
    if plan.scale is Scale.RUBRIC:
        if not plan.criteria:
            raise DomainError(_("A rubric needs at least one criterion."), "criteria")
        for criterion in plan.criteria:
            if not criterion.name.strip() or not 0 < criterion.max_points <= 100:
                raise DomainError(
                    _("Each criterion needs a name and from 0.5 to 100 points."), "criteria"
                )


def _apply(assignment: Assignment, plan: WorkPlan) -> None:
    assignment.cohort, assignment.subject, assignment.topic = plan.cohort, plan.subject, plan.topic
    assignment.title, assignment.instructions = plan.title.strip(), plan.instructions.strip()
    assignment.opens_at, assignment.due_at = plan.opens_at, plan.due_at
    assignment.cutoff_at = plan.cutoff_at
    assignment.accepts_files, assignment.accepts_text = plan.accepts_files, plan.accepts_text
    assignment.file_kinds = ",".join(k for k in FILE_KINDS if k in plan.file_kinds)
    assignment.max_file_mb, assignment.max_files = plan.max_file_mb, plan.max_files
    assignment.attempts, assignment.release_at_once = plan.attempts, plan.release_at_once
    assignment.chosen_pupils = list(plan.pupils)


def _criteria(plan: WorkPlan) -> list[Criterion]:
    if plan.scale is not Scale.RUBRIC:
        return []
    return [Criterion(position=n, name=c.name.strip(), max_points=c.max_points, levels=c.levels.strip())
            for n, c in enumerate(plan.criteria, start=1)]  # fmt: skip


def create_assignment(advisor: User, plan: WorkPlan) -> Assignment:
    """A draft: nobody but its advisor sees it until it is published."""
    check_plan(advisor, plan)
    assignment = Assignment(advisor=advisor, scale=plan.scale)
    _apply(assignment, plan)
    assignment.criteria = _criteria(plan)
    db.session.add(assignment)
    db.session.commit()
    return assignment


def has_submissions(assignment: Assignment) -> bool:
    query = select(func.count()).where(Submission.assignment_id == assignment.id)
    return (db.session.scalar(query.select_from(Submission)) or 0) > 0


def update_assignment(advisor: User, assignment: Assignment, plan: WorkPlan) -> Assignment:
    """Edit, also after publishing; once pupils have begun, the way of grading stays as it was,
    so no grade given or to come changes its meaning."""
    if not can_edit_assignment(advisor, assignment):
        raise NotFound(_("There is no such work."))
    check_plan(advisor, plan)
    if has_submissions(assignment):
        same_scale = plan.scale is assignment.scale
        same_criteria = [(c.name.strip(), c.max_points) for c in plan.criteria] == [
            (c.name, c.max_points) for c in assignment.criteria
        ] or plan.scale is not Scale.RUBRIC
        if not same_scale or not same_criteria:
            raise DomainError(
                _(
                    "Pupils have begun this work: the grading scale and criteria can no longer change."
                ),
                "scale",
            )
        _apply(assignment, plan)
    else:
        _apply(assignment, plan)
        assignment.scale = plan.scale
        assignment.criteria = _criteria(plan)
    db.session.commit()
    return assignment


def publish(advisor: User, assignment: Assignment) -> None:
    if not can_edit_assignment(advisor, assignment):
        raise NotFound(_("There is no such work."))
    if assignment.state is AssignmentState.PUBLISHED:
        return
    assignment.state = AssignmentState.PUBLISHED
    assignment.published_at = utcnow()
    db.session.commit()
    from intersession.assignments.notices import tell_published

    tell_published(assignment)


def deadlines(assignment: Assignment, pupil_id: int) -> tuple[datetime, datetime | None]:
    """The pupil's due date and cut-off, an extension included."""
    extension = db.session.scalar(
        select(Extension).where(
            Extension.assignment_id == assignment.id, Extension.pupil_id == pupil_id
        )
    )
    return deadlines_with(assignment, extension)


def deadlines_with(
    assignment: Assignment, extension: Extension | None
) -> tuple[datetime, datetime | None]:
    """Due date and cut-off given the pupil's extension (None: none); the cut-off moves with an
    extension that would pass it."""
    if extension is None:
        return assignment.due_at, assignment.cutoff_at
    cutoff = extension.cutoff_at
    if cutoff is None and assignment.cutoff_at is not None:
        cutoff = max(assignment.cutoff_at, extension.due_at)
    return extension.due_at, cutoff


def grant_extension(
    advisor: User, assignment: Assignment, pupil: User, due_at: datetime, cutoff_at: datetime | None
) -> Extension:
    if not can_edit_assignment(advisor, assignment):
        raise NotFound(_("There is no such work."))
    if pupil.id not in {p.id for p in assignment.pupils}:
        raise NotFound(_("This pupil was not given this work."))
    if due_at <= assignment.due_at:
        raise DomainError(_("An extension must end after the due date."), "due_at")
    if cutoff_at is not None and cutoff_at < due_at:
        raise DomainError(_("The cut-off date cannot come before the due date."), "cutoff_at")
    extension = db.session.scalar(
        select(Extension).where(
            Extension.assignment_id == assignment.id, Extension.pupil_id == pupil.id
        )
    )
    if extension is None:
        extension = Extension(assignment_id=assignment.id, pupil_id=pupil.id, due_at=due_at)
        db.session.add(extension)
    extension.due_at, extension.cutoff_at, extension.granted_by_id = due_at, cutoff_at, advisor.id
    db.session.commit()
    return extension


def attach_files(
    advisor: User, assignment: Assignment, uploads: list[FileStorage], remove_ids: list[int]
) -> None:
    """Add files for the pupils (any allowed type, up to the site's limit) and take some away; a
    refused file keeps nothing of this save."""
    if not can_edit_assignment(advisor, assignment):
        raise NotFound(_("There is no such work."))
    gone = [f for f in assignment.files if f.id in set(remove_ids)]
    with files.kept_uploads(uploads, advisor.id) as kept:
        for stored in gone:
            assignment.files.remove(stored)
            db.session.delete(stored)
        assignment.files.extend(kept)
        db.session.commit()
    files.discard(gone)
