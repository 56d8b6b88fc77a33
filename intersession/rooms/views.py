"""The live room's page, and opening it again after the advisor ended it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required

from intersession.core.access import get_visible_or_404
from intersession.core.forms import ButtonForm
from intersession.lessons.access import can_view_lesson
from intersession.lessons.models import Lesson

bp = Blueprint("rooms", __name__, template_folder="templates")


def _lesson(lesson_id: int) -> Lesson:
    return get_visible_or_404(
        Lesson, lesson_id, lambda lesson: can_view_lesson(current_user, lesson)
    )


@bp.get("/lessons/<int:lesson_id>/room")
@login_required
def live_room(lesson_id: int) -> ResponseReturnValue:
    """The live room: the advisor teaches; pupils, classrooms and the coordinator take part."""
    from intersession.rooms.events import role_in, room_open_for, room_opens_in

    lesson = _lesson(lesson_id)
    role = role_in(lesson)
    if role is None:
        abort(404)
    return render_template(
        "rooms/room.html",
        lesson=lesson,
        room_role=role,
        open_now=room_open_for(lesson, role == "advisor"),
        opens_in=room_opens_in(lesson, role == "advisor"),
        reopen_form=ButtonForm(),
        # Three heartbeats inside the timeout: one lost on a weak link does not end the presence.
        heartbeat_seconds=max(5, int(current_app.config["PRESENCE_TIMEOUT_SECONDS"]) // 3),
        end_warning_minutes=int(current_app.config["LESSON_END_WARNING_MINUTES"]),
        page_timezone=str(get_timezone()),
    )


@bp.post("/lessons/<int:lesson_id>/room/reopen")
@login_required
def reopen_room(lesson_id: int) -> ResponseReturnValue:
    """The advisor opens the room of a lesson they ended, to go on."""
    from intersession.rooms import room_state

    lesson = _lesson(lesson_id)
    if lesson.advisor_id != current_user.id:
        abort(403)
    if ButtonForm().validate_on_submit() and lesson.room_ended_at is not None:
        room_state.reopen(lesson)
        flash(_("The room is open again."), "success")
    return redirect(url_for("rooms.live_room", lesson_id=lesson.id))
