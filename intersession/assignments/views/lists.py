"""What is due: the pupil's work soonest first; the advisor's, tutor's and coordinator's lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from intersession.assignments.access import can_view_assignment
from intersession.assignments.models import (
    Assignment,
    AssignmentState,
    Extension,
    Submission,
    SubmissionState,
)
from intersession.assignments.services import deadlines_with
from intersession.assignments.views import bp
from intersession.auth.models import Role, User
from intersession.core.db import db, utcnow
from intersession.core.fragments import fragment, render_partial
from intersession.core.offline import keep_offline
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
    query = query.options(selectinload(Assignment.chosen_pupils), selectinload(Assignment.subject))
    return list(db.session.scalars(query.order_by(Assignment.due_at.desc())))


@bp.get("/work")
@login_required
def work_list() -> ResponseReturnValue:
    """For a pupil: their work, what is due soonest first, done and past work below."""
    if current_user.role is not Role.PUPIL:
        work = [a for a in _candidates() if can_view_assignment(current_user, a)]
        return render_template("assignments/list.html", work=work, pupil_work=None)
    keep_offline()
    pupil_work = fragment(("pupil-work", current_user.id), _pupil_work)
    return render_template("assignments/list.html", pupil_work=pupil_work)


def _pupil_work() -> tuple[Markup, datetime | None]:
    """The pupil's list, and when it next changes by itself (the next cut-off of work to do)."""
    rows = pupil_work_rows()
    cutoffs = [r["cutoff"] for r in rows if r["to_do"] and r["cutoff"] is not None]
    html = render_partial("assignments/_pupil_work.html", rows=rows)
    return html, min(cutoffs) if cutoffs else None


def pupil_work_rows() -> list[dict[str, Any]]:
    """The signed-in pupil's work: what is to do, the soonest due first, then the rest."""
    # A fixed number of queries whatever the amount of work: the work, the pupil's attempts and
    # extensions, each read once.
    work = [a for a in _candidates() if not a.chosen_pupils or current_user in a.chosen_pupils]
    ids = [a.id for a in work]
    latest: dict[int, Submission] = {}
    for attempt in db.session.scalars(
        select(Submission)
        .where(Submission.pupil_id == current_user.id, Submission.assignment_id.in_(ids))
        .order_by(Submission.attempt)
    ):
        latest[attempt.assignment_id] = attempt
    extended = {e.assignment_id: e for e in db.session.scalars(
        select(Extension).where(Extension.pupil_id == current_user.id, Extension.assignment_id.in_(ids))
    )}  # fmt: skip
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for assignment in work:
        due, cutoff = deadlines_with(assignment, extended.get(assignment.id))
        found = latest.get(assignment.id)
        open_ = found is None or found.state in (SubmissionState.DRAFT, SubmissionState.RETURNED)
        rows.append({"assignment": assignment, "due": due, "cutoff": cutoff, "latest": found,
                     "to_do": open_ and (cutoff is None or now <= cutoff)})  # fmt: skip
    rows.sort(key=lambda r: (not r["to_do"], r["due"] if r["to_do"] else -r["due"].timestamp()))
    return rows
