"""A submission's page: the advisor grades or returns it, the tutor attests a connection delay,
the pupil reads the feedback once released."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from intersession.assignments import grading, submitting, tables
from intersession.assignments.access import can_edit_assignment, can_see_grade
from intersession.assignments.forms import AttestForm, GradeForm
from intersession.assignments.models import Submission, SubmissionState
from intersession.assignments.views import bp, visible_assignment, visible_submission
from intersession.auth.models import Role
from intersession.core import seen
from intersession.core.db import db
from intersession.core.errors import Conflict, DomainError, NotFound
from intersession.core.files import INLINE, StoredFile, send_stored
from intersession.core.formatting import format_decimal
from intersession.core.forms import ButtonForm
from intersession.core.inputs import number_or_none
from intersession.core.previews import send_preview


def _queue_filters() -> tuple[int | None, int | None]:
    """The grading queue's filters the advisor came from (cohort, piece of work), carried along
    so that "grade the next" stays in the same queue."""
    source = request.form if request.method == "POST" else request.args
    return number_or_none(source.get("cohort")), number_or_none(source.get("work"))


def _waiting_after(submission: Submission) -> list[int]:
    """The ids of the other work waiting for a grade in the queue's order."""
    if not can_edit_assignment(current_user, submission.assignment):
        return []
    cohort_id, work_id = _queue_filters()
    queue = tables.grading_queue(current_user.id, cohort_id, work_id)
    return [s.id for s in queue.rows if s.id != submission.id]


def _page(submission: Submission, status: int = 200, error: str = "",
          form: GradeForm | None = None) -> ResponseReturnValue:  # fmt: skip
    work = submission.assignment
    cohort_id, work_id = _queue_filters()
    scores = {s.criterion_id: s.points for s in submission.scores}
    grade_form = form or GradeForm(formdata=None, version=submission.version,
                                   grade=str(submission.grade or ""), feedback=submission.feedback)  # fmt: skip
    return render_template(
        "assignments/submission.html", submission=submission, work=work, error=error,
        attempts=submitting.attempts_of(work, submission.pupil_id), scores=scores,
        grade_form=grade_form, attest_form=AttestForm(formdata=None), inline=INLINE,
        can_grade=can_edit_assignment(current_user, work),
        can_attest=current_user.role is Role.TUTOR and submission.counts_late,
        show_grade=can_see_grade(current_user, submission),
        waiting=_waiting_after(submission), queue_cohort=cohort_id, queue_work=work_id,
    ), status  # fmt: skip


@bp.get("/submissions/<int:submission_id>")
@login_required
def submission(submission_id: int) -> ResponseReturnValue:
    found = visible_submission(submission_id)
    if found.state is SubmissionState.DRAFT and current_user.id != found.pupil_id:
        abort(404)  # a draft is the pupil's own until sent
    if current_user.id == found.pupil_id:
        seen.mark_seen(current_user.id, seen.WORK, found.assignment_id)
    return _page(found)


@bp.post("/submissions/<int:submission_id>/grade")
@login_required
def grade_submission(submission_id: int) -> ResponseReturnValue:
    found = visible_submission(submission_id)
    if not can_edit_assignment(current_user, found.assignment):
        abort(403)
    form = GradeForm()
    if not form.validate_on_submit():
        return _page(
            found, 400, _("Nothing was saved: the form was not sent whole. Try again."), form
        )
    version = number_or_none(form.version.data)
    version = -1 if version is None else version
    scores = {c.id: request.form.get(f"score-{c.id}", "") for c in found.assignment.criteria}
    try:
        if "rework" in request.form:
            grading.return_for_rework(current_user, found, version, form.feedback.data or "")
            flash(_("The work went back to the pupil for rework."), "success")
        else:
            grading.grade(
                current_user,
                found,
                version,
                form.feedback.data or "",
                form.grade.data,
                scores,
                worth_portfolio=bool(form.worth_portfolio.data),
            )
            flash(
                _("The grade is saved: %(grade)s of %(max)s.",
                  grade=format_decimal(found.grade or 0), max=format_decimal(found.assignment.max_grade)),
                "success",
            )  # fmt: skip
            if "next" in request.form:
                return _to_next(found)
    except NotFound:
        abort(404)
    except Conflict as error:
        db.session.expire_all()
        return _page(found, 409, error.message)
    except DomainError as error:
        return _page(found, 400, error.message, form)
    cohort_id, work_id = _queue_filters()
    target = url_for(
        "assignments.submission", submission_id=found.id, cohort=cohort_id, work=work_id
    )
    return redirect(target), 303


def _to_next(graded: Submission) -> ResponseReturnValue:
    """On to the next work waiting in the queue (its filters kept), or back to the queue."""
    waiting = _waiting_after(graded)
    cohort_id, work_id = _queue_filters()
    if not waiting:
        flash(_("Nothing else in the queue waits for a grade."), "success")
        return redirect(url_for("assignments.grading_queue", cohort=cohort_id, work=work_id)), 303
    target = url_for(
        "assignments.submission", submission_id=waiting[0], cohort=cohort_id, work=work_id
    )
    return redirect(target), 303


@bp.post("/submissions/<int:submission_id>/attest")
@login_required
def attest_submission(submission_id: int) -> ResponseReturnValue:
    found = visible_submission(submission_id)
    form = AttestForm()
    if current_user.role is not Role.TUTOR:
        abort(403)
    if not form.validate_on_submit():
        return _page(found, 400, _("Nothing was saved: the form was not sent whole. Try again."))
    try:
        submitting.attest_connection(current_user, found, form.note.data or "")
    except NotFound:
        abort(404)
    except DomainError as error:
        return _page(found, 400, error.message)
    flash(_("Noted: this work does not count as late."), "success")
    return redirect(url_for("assignments.submission", submission_id=found.id)), 303


@bp.post("/work/<int:assignment_id>/release")
@login_required
def release_grades(assignment_id: int) -> ResponseReturnValue:
    work = visible_assignment(assignment_id)
    if not can_edit_assignment(current_user, work):
        abort(403)
    if ButtonForm().validate_on_submit():
        graded = db.session.scalars(select(Submission).where(Submission.assignment_id == work.id))
        count = grading.release(current_user, list(graded))
        flash(_("Grades shown to the pupils: %(n)d.", n=count), "success")
    return redirect(url_for("assignments.assignment", assignment_id=work.id)), 303


@bp.get("/submissions/<int:submission_id>/files/<int:file_id>")
@login_required
def submission_file(submission_id: int, file_id: int) -> ResponseReturnValue:
    return send_stored(_visible_file(submission_id, file_id))


@bp.get("/submissions/<int:submission_id>/files/<int:file_id>/preview")
@login_required
def submission_file_preview(submission_id: int, file_id: int) -> ResponseReturnValue:
    """A picture of the answer as the grading page shows it (core/previews.py)."""
    return send_preview(_visible_file(submission_id, file_id))


def _visible_file(submission_id: int, file_id: int) -> StoredFile:
    found = visible_submission(submission_id)
    if found.state is SubmissionState.DRAFT and current_user.id != found.pupil_id:
        abort(404)
    stored = next((f for f in found.files if f.id == file_id), None)
    if stored is None:
        abort(404)
    return stored
