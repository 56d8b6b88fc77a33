"""A piece of work's page: the pupil does it here; the advisor and the tutor follow it."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from intersession.assignments import submitting, tables
from intersession.assignments.access import can_edit_assignment, can_see_grade
from intersession.assignments.forms import DraftForm, ExtensionForm
from intersession.assignments.markdown import render
from intersession.assignments.models import Assignment, SubmissionState
from intersession.assignments.services import deadlines
from intersession.assignments.views import bp, visible_assignment
from intersession.auth.models import Role
from intersession.core import seen
from intersession.core.collation import sorted_by_name
from intersession.core.errors import Conflict, DomainError, NotFound
from intersession.core.files import send_stored
from intersession.core.forms import ButtonForm
from intersession.core.inputs import number_or_none
from intersession.core.offline import keep_offline
from intersession.core.resumable.forms import sent_files


def _pupil_rows(assignment: Assignment) -> list[dict[str, Any]]:
    """Each pupil the work is for (a tutor: those of their school) with their latest attempt."""
    pupils = sorted_by_name(assignment.pupils, lambda p: p.full_name)
    if current_user.role is Role.TUTOR:
        pupils = [p for p in pupils if p.school_id == current_user.school_id]
    table = tables.grid([assignment], pupils)  # a fixed number of queries for any class size
    return [{"pupil": p, "latest": table.cell(p, assignment), "due": table.due_for(p, assignment)}
            for p in pupils]  # fmt: skip


@bp.get("/work/<int:assignment_id>")
@login_required
def assignment(assignment_id: int) -> ResponseReturnValue:
    work = visible_assignment(assignment_id)
    context = {"work": work, "instructions": render(work.instructions), "button": ButtonForm()}
    if current_user.role is not Role.PUPIL:
        extension = ExtensionForm(formdata=None)
        pupils = sorted_by_name(work.pupils, lambda p: p.full_name)
        extension.pupil.choices = [SelectChoice(p.id, p.full_name) for p in pupils]
        return render_template("assignments/overview.html", rows=_pupil_rows(work), extension=extension,
                               can_edit=can_edit_assignment(current_user, work), **context)  # fmt: skip
    keep_offline()
    seen.mark_seen(current_user.id, seen.WORK, work.id)  # its grades and feedback are read now
    return _do_page(work)


def _do_page(
    work: Assignment, status: int = 200, error: str = "", text: str | None = None
) -> ResponseReturnValue:
    """The pupil's page; after a refused save it keeps what they wrote and says why."""
    attempts = submitting.attempts_of(work, current_user.id)
    draft = attempts[-1] if attempts and attempts[-1].state is SubmissionState.DRAFT else None
    kept = text if text is not None else (draft.text if draft else "")
    form = DraftForm(formdata=None, text=kept, version=draft.version if draft else "")
    due, cutoff = deadlines(work, current_user.id)
    may_work = draft is not None or submitting.may_start_attempt(work, attempts)
    return render_template(
        "assignments/do.html", work=work, instructions=render(work.instructions), attempts=attempts,
        draft=draft, form=form, due=due, cutoff=cutoff, may_work=may_work, error=error,
        can_see_grade=lambda s: can_see_grade(current_user, s),
    ), status  # fmt: skip


@bp.post("/work/<int:assignment_id>/draft")
@login_required
def save_work(assignment_id: int) -> ResponseReturnValue:
    """Save the pupil's text and files; with the send button, hand the work in as well."""
    work = visible_assignment(assignment_id)
    if current_user.role is not Role.PUPIL:
        abort(403)
    form = DraftForm()
    if not form.validate_on_submit():
        message = _(
            "Nothing was saved: the form was not sent whole, or the text is too long. Try again."
        )
        return _do_page(work, 400, message, form.text.data)
    remove: list[int] = request.form.getlist("remove", type=int)
    try:
        return _save_and_maybe_send(work, form, remove)
    finally:
        for upload in request.files.getlist("files"):
            upload.close()  # a large upload is spooled to a temporary file: let it go now


def _save_and_maybe_send(
    work: Assignment, form: DraftForm, remove: list[int]
) -> ResponseReturnValue:
    sending = "send" in request.form
    version = number_or_none(form.version.data)
    try:
        uploads = sent_files("files", f"work:{work.id}")
        if sending:
            submitting.check_sendable(current_user, work, form.text.data, uploads, remove, version)
        draft = submitting.save_draft(current_user, work, form.text.data, uploads, remove)
        if sending:
            submitting.submit(current_user, draft, version)
            flash(_("Your work has been sent."), "success")
        else:
            flash(_("Your draft is saved."), "success")
    except NotFound:
        abort(404)
    except Conflict as error:
        return _do_page(work, 409, error.message)
    except DomainError as error:
        return _do_page(work, 400, error.message, form.text.data)
    return redirect(url_for("assignments.assignment", assignment_id=work.id)), 303


@bp.get("/work/<int:assignment_id>/files/<int:file_id>")
@login_required
def assignment_file(assignment_id: int, file_id: int) -> ResponseReturnValue:
    work = visible_assignment(assignment_id)
    stored = next((f for f in work.files if f.id == file_id), None)
    if stored is None:
        abort(404)
    return send_stored(stored)


def upload_limit() -> None:
    """Before anything reads the body (the CSRF check included): a pupil's upload may be as large as
    the work allows, other requests keep the site's limit. 413 past it, before the body is read."""
    if request.endpoint != "assignments.save_work" or request.view_args is None:
        return
    from intersession.core.db import db

    work = db.session.get(Assignment, request.view_args.get("assignment_id"))
    if work is not None:
        request.max_content_length = (work.max_files * work.max_file_mb + 1) * 1024 * 1024
