"""Who may see assignments and submissions (shared ACCESS.md)."""

from __future__ import annotations

from intersession.assignments.models import Assignment, AssignmentState, Submission
from intersession.auth.models import Role, User


def _hub_of(assignment: Assignment) -> int:
    return assignment.cohort.year.hub_id


def can_view_assignment(viewer: User, assignment: Assignment) -> bool:
    """Coordinator: the hub's; advisor: their own (drafts included); tutor: published work given
    to their school's pupils; pupil: published work given to them."""
    if viewer.hub_id != _hub_of(assignment):
        return False
    if viewer.role is Role.COORDINATOR:
        return True
    if viewer.role is Role.ADVISOR:
        return assignment.advisor_id == viewer.id
    if assignment.state is not AssignmentState.PUBLISHED:
        return False
    if viewer.role is Role.TUTOR:
        return any(p.school_id == viewer.school_id for p in assignment.pupils)
    return any(p.id == viewer.id for p in assignment.pupils)


def can_edit_assignment(viewer: User, assignment: Assignment) -> bool:
    return viewer.role is Role.ADVISOR and assignment.advisor_id == viewer.id


def can_view_submission(viewer: User, submission: Submission) -> bool:
    """A pupil: their own; a tutor: their school's pupils'; the advisor: those to their work;
    the coordinator: the hub's."""
    assignment = submission.assignment
    if viewer.hub_id != _hub_of(assignment):
        return False
    if viewer.role is Role.COORDINATOR:
        return True
    if viewer.role is Role.ADVISOR:
        return assignment.advisor_id == viewer.id
    if viewer.role is Role.TUTOR:
        return submission.pupil.school_id == viewer.school_id
    return submission.pupil_id == viewer.id


def can_see_grade(viewer: User, submission: Submission) -> bool:
    """The advisor and the coordinator always; the pupil and their tutor after release."""
    if not can_view_submission(viewer, submission):
        return False
    return viewer.role in (Role.ADVISOR, Role.COORDINATOR) or submission.released
