"""Pages of assignments: setting work, doing it, grading it."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from intersession.assignments.access import can_view_assignment, can_view_submission
from intersession.assignments.badges import grid_row, state_badge
from intersession.assignments.models import Assignment, Submission
from intersession.core.access import get_visible_or_404
from intersession.schools.teaching import hub_timezone

bp = Blueprint("assignments", __name__, template_folder="../templates")
bp.add_app_template_global(state_badge)
bp.add_app_template_global(grid_row)


def hub_zone() -> str:
    return hub_timezone(current_user)


def visible_assignment(assignment_id: int) -> Assignment:
    return get_visible_or_404(
        Assignment, assignment_id, lambda a: can_view_assignment(current_user, a)
    )


def visible_submission(submission_id: int) -> Submission:
    return get_visible_or_404(
        Submission, submission_id, lambda s: can_view_submission(current_user, s)
    )


from intersession.assignments.views import doing, grading, lists, setting, tables  # noqa: E402, F401
