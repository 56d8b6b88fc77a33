"""Grading: scores and feedback, rework, release. Two advisors saving the same work at once: the
second save is refused, nothing is overwritten."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from blinker import Namespace
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm.exc import StaleDataError

from intersession.assignments.access import can_edit_assignment
from intersession.assignments.models import (
    Assignment,
    CriterionScore,
    Scale,
    Submission,
    SubmissionState,
)
from intersession.assignments.notices import tell_released
from intersession.auth.models import User
from intersession.core.db import db, utcnow
from intersession.core.errors import Conflict, DomainError, NotFound
from intersession.core.formatting import format_decimal
from intersession.core.inputs import decimal_number
from intersession.core.kazakh import ABLATIVE, DATIVE, with_case

MAX_FEEDBACK = 20_000
signals = Namespace()
# Sent with the submission (and `worth_portfolio`) once a grade is saved; the portfolio listens
# (assignments do not know it).
work_graded = signals.signal("work-graded")


def parse_points(value: object) -> Decimal:
    """A number from a form: finite, at most two decimals; anything else is refused."""
    try:
        number = decimal_number(value)  # finite and bounded: quantize cannot overflow
    except ValueError:
        raise DomainError(_("Enter a number."), "grade") from None
    return number.quantize(Decimal("0.01"))


def _check_owner(advisor: User, submission: Submission) -> None:
    if not can_edit_assignment(advisor, submission.assignment):
        raise NotFound(_("There is no such work."))


def _check_version(submission: Submission, version: int) -> None:
    if version != submission.version:
        raise Conflict(
            _("Someone else saved this work a moment ago. Reload the page to see their changes.")
        )


def _grade_from(
    assignment: Assignment, grade: object, scores: Mapping[int, object]
) -> tuple[Decimal, list[CriterionScore]]:
    if assignment.scale is Scale.RUBRIC:
        given: list[CriterionScore] = []
        for criterion in assignment.criteria:
            points = parse_points(scores.get(criterion.id, ""))
            if not 0 <= points <= criterion.max_points:
                raise DomainError(
                    ngettext(
                        "%(name)s: from 0 to %(max)s point.",
                        "%(name)s: from 0 to %(max)s points.",
                        # A fraction of a point takes the form of "2" in Russian (4,5 балла).
                        int(criterion.max_points) if criterion.max_points % 1 == 0 else 2,
                        name=criterion.name,
                        max=format_decimal(criterion.max_points),
                    ),
                    "grade",
                )
            given.append(CriterionScore(criterion=criterion, points=points))
        return sum((s.points for s in given), Decimal(0)), given
    value = parse_points(grade)
    low = Decimal(1) if assignment.scale is Scale.FIVE else Decimal(0)
    if not low <= value <= assignment.max_grade or (
        assignment.scale is Scale.FIVE and value != value.to_integral_value()
    ):
        raise DomainError(
            _(
                "The grade is from %(low)s to %(high)s.",
                low=with_case(format_decimal(low), ABLATIVE),
                high=with_case(format_decimal(assignment.max_grade), DATIVE),
            ),
            "grade",
        )
    return value, []


def _save(submission: Submission) -> Submission:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(
            _("Someone else saved this work a moment ago. Reload the page to see their changes.")
        ) from None
    tell_released(submission)
    return submission


def grade(
    advisor: User,
    submission: Submission,
    version: int,
    feedback: str,
    grade: object = None,
    scores: Mapping[int, object] | None = None,
    worth_portfolio: bool = False,
) -> Submission:
    """Grade a sent piece of work; released at once when the work says so. Marked worth the
    portfolio, it goes there whatever the grade (listeners of `work_graded` are told)."""
    _check_owner(advisor, submission)
    _check_version(submission, version)
    if submission.state is SubmissionState.DRAFT:
        raise DomainError(_("This work has not been sent yet."))
    if len(feedback) > MAX_FEEDBACK:
        raise DomainError(_("The feedback is too long."), "feedback")
    value, given = _grade_from(submission.assignment, grade, scores or {})
    submission.scores = given
    submission.grade, submission.feedback = value, feedback.strip()
    submission.state = SubmissionState.GRADED
    submission.graded_by_id, submission.graded_at = advisor.id, utcnow()
    if submission.assignment.release_at_once:
        submission.released_at = submission.graded_at
    _save(submission)
    work_graded.send(submission, worth_portfolio=worth_portfolio)
    return submission


def return_for_rework(
    advisor: User, submission: Submission, version: int, feedback: str
) -> Submission:
    """Send the work back with feedback: the pupil sees it at once and may make a new attempt."""
    _check_owner(advisor, submission)
    _check_version(submission, version)
    if submission.state is SubmissionState.DRAFT:
        raise DomainError(_("This work has not been sent yet."))
    if not feedback.strip():
        raise DomainError(_("Say what to rework."), "feedback")
    submission.feedback = feedback.strip()[:MAX_FEEDBACK]
    submission.state = SubmissionState.RETURNED
    submission.released_at = utcnow()
    return _save(submission)


def release(advisor: User, submissions: list[Submission]) -> int:
    """Show the grades of these graded submissions to their pupils and tutors; returns how many."""
    now, shown = utcnow(), []
    for submission in submissions:
        _check_owner(advisor, submission)
        if submission.state is SubmissionState.GRADED and submission.released_at is None:
            submission.released_at = now
            shown.append(submission)
    db.session.commit()
    for submission in shown:
        tell_released(submission)
    return len(shown)
