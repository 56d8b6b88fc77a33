"""What is due: the pupil's work soonest first; the advisor's, tutor's and coordinator's lists."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from intersession.assignments.access import can_view_assignment
from intersession.assignments.models import Assignment, AssignmentState
from intersession.assignments.services import deadlines
from intersession.assignments.submitting import attempts_of
from intersession.assignments.views import bp
from intersession.auth.models import Role, User
from intersession.core.db import db, utcnow
from intersession.schools.models import AcademicYear, Cohort, cohort_pupil


def _candidates() -> list[Assignment]:
    query = (
        select(Assignment)
        .join(Cohort)
        .join(AcademicYear)
        .where(AcademicYear.hub_id == current_user.hub_id)
    )
    if current_user.role is Role.ADVISOR:
        query = query.where(Assignment.advisor_id == current_user.id)
    elif current_user.role is not Role.COORDINATOR:
        query = query.where(Assignment.state == AssignmentState.PUBLISHED)
        pupils = select(cohort_pupil.c.cohort_id).join(User, User.id == cohort_pupil.c.pupil_id)
        if current_user.role is Role.TUTOR:
            pupils = pupils.where(User.school_id == current_user.school_id)
        else:
            pupils = pupils.where(User.id == current_user.id)
        query = query.where(Assignment.cohort_id.in_(pupils))
    return list(db.session.scalars(query.order_by(Assignment.due_at.desc())))


@bp.get("/work")
@login_required
def work_list() -> ResponseReturnValue:
    """For a pupil: their work, what is due soonest first, done and past work below."""
    work = [a for a in _candidates() if can_view_assignment(current_user, a)]
    if current_user.role is not Role.PUPIL:
        return render_template("assignments/list.html", work=work, rows=None)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for assignment in work:
        due, cutoff = deadlines(assignment, current_user.id)
        attempts = attempts_of(assignment, current_user.id)
        latest = attempts[-1] if attempts else None
        open_ = latest is None or latest.state.value in ("draft", "returned")
        rows.append({"assignment": assignment, "due": due, "cutoff": cutoff, "latest": latest,
                     "to_do": open_ and (cutoff is None or now <= cutoff)})  # fmt: skip
    rows.sort(key=lambda r: (not r["to_do"], r["due"] if r["to_do"] else -r["due"].timestamp()))
    return render_template("assignments/list.html", work=work, rows=rows)
