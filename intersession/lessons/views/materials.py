"""Uploading, downloading and removing a lesson's materials."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from intersession.core.errors import DomainError, Forbidden
from intersession.core.files import StoredFile, send_stored
from intersession.core.forms import ButtonForm
from intersession.core.resumable.forms import sent_files
from intersession.lessons import materials
from intersession.lessons.models import Lesson
from intersession.lessons.views import bp
from intersession.lessons.views.lessons import _lesson, render_lesson


def _material(lesson: Lesson, file_id: int) -> StoredFile:
    found = next((f for f in lesson.materials if f.id == file_id), None)
    if found is None:
        abort(404)
    return found


@bp.post("/lessons/<int:lesson_id>/materials")
@login_required
def add_materials(lesson_id: int) -> ResponseReturnValue:
    lesson = _lesson(lesson_id)
    if lesson.advisor_id != current_user.id:
        abort(403)
    try:
        added = materials.add_materials(
            current_user,
            lesson,
            sent_files("files", f"materials:{lesson.id}"),
            as_slides=request.form.get("as_slides") == "1",
        )
    except Forbidden:
        abort(403)
    except DomainError as error:
        flash(error.message, "error")
        return render_lesson(lesson, 400)
    flash(_("Files added: %(n)d.", n=len(added)), "success")
    return redirect(url_for("lessons.lesson", lesson_id=lesson.id))


@bp.get("/lessons/<int:lesson_id>/materials/<int:file_id>")
@login_required
def material(lesson_id: int, file_id: int) -> ResponseReturnValue:
    return send_stored(_material(_lesson(lesson_id), file_id))


@bp.post("/lessons/<int:lesson_id>/materials/<int:file_id>/delete")
@login_required
def remove_material(lesson_id: int, file_id: int) -> ResponseReturnValue:
    lesson = _lesson(lesson_id)
    stored = _material(lesson, file_id)
    if lesson.advisor_id != current_user.id:
        abort(403)
    if ButtonForm().validate_on_submit():
        materials.remove_material(current_user, lesson, stored)
        flash(_("The file has been removed."), "success")
    return redirect(url_for("lessons.lesson", lesson_id=lesson.id))
