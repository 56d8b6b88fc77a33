"""Saving the register: the advisor marks, the tutor confirms, each for the rows they may touch."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from intersession.auth.models import Role
from intersession.core.errors import DomainError, Forbidden
from intersession.lessons import attendance
from intersession.lessons.access import can_view_row
from intersession.lessons.models import AbsenceReason, Presence
from intersession.lessons.views import bp
from intersession.lessons.views.lessons import _lesson, render_lesson


def _choice(enum_cls: type, value: str) -> object:
    if not value:
        return None
    try:
        return enum_cls(value)
    except ValueError:
        abort(400)


@bp.post("/lessons/<int:lesson_id>/register")
@login_required
def save_register(lesson_id: int) -> ResponseReturnValue:
    lesson = _lesson(lesson_id)
    marking = lesson.advisor_id == current_user.id  # the advisor, or a teachers' event's presenter
    if not marking and current_user.role is not Role.TUTOR:
        abort(403)
    marks, errors = [], {}
    for row in lesson.register:
        if not can_view_row(current_user, row) or f"status-{row.id}" not in request.form:
            continue
        minutes_text = request.form.get(f"minutes-{row.id}", "").strip()
        minutes = request.form.get(f"minutes-{row.id}", type=int) if minutes_text else None
        if minutes_text and minutes is None:
            errors[row.id] = _("Minutes must be a whole number.")
        marks.append(
            attendance.Mark(
                row=row,
                status=_choice(Presence, request.form.get(f"status-{row.id}", "")),  # type: ignore[arg-type]
                minutes=minutes,
                reason=_choice(AbsenceReason, request.form.get(f"reason-{row.id}", "")),  # type: ignore[arg-type]
                reason_text=request.form.get(f"reason_text-{row.id}"),
            )
        )
    if errors:
        return render_lesson(lesson, 400, row_errors=errors)
    try:
        if marking:
            attendance.mark_register(current_user, lesson, marks)
        else:
            attendance.confirm_register(current_user, lesson, marks)
    except Forbidden:
        abort(403)
    except attendance.RegisterErrors as problem:
        flash(problem.message, "error")
        return render_lesson(lesson, 400, row_errors=problem.rows)
    except DomainError as problem:
        flash(problem.message, "error")
        return render_lesson(lesson, 409)
    flash(_("The register has been saved."), "success")
    return redirect(url_for("lessons.lesson", lesson_id=lesson.id))
