"""How the portfolio hears of the rest of the platform."""

from __future__ import annotations

from intersession.assignments.grading import work_graded
from intersession.assignments.models import Submission
from intersession.portfolio.services import from_graded_work


def on_work_graded(submission: Submission, worth_portfolio: bool = False) -> None:
    """Well-graded work, or work the advisor marked worth it, becomes a draft graded-work entry
    with the work and the feedback."""
    if submission.grade is None:
        return
    assignment = submission.assignment
    entry = from_graded_work(submission.id, submission.grade, assignment.max_grade, assignment.title,
                             submission.pupil_id, assignment.subject_id, submission.feedback,
                             worth_portfolio)  # fmt: skip
    if entry is not None and submission.files:
        from intersession.core.db import db

        entry.evidence = list(submission.files)
        db.session.commit()


def connect() -> None:
    work_graded.connect(on_work_graded, weak=False)
