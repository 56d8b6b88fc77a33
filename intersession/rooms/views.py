"""The live room's page, and opening it again after the advisor ended it."""

from __future__ import annotations

import os

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user, login_required

from intersession.core.access import get_visible_or_404
from intersession.core.forms import ButtonForm
from intersession.core.guard import UnusableInput
from intersession.core.kazakh import DATIVE, with_case
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
    from intersession.rooms.joining import role_in, room_open_for, room_opens_in

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


@bp.get("/link-check/sample")
@login_required
def link_sample() -> ResponseReturnValue:
    """Random bytes (they cannot be compressed on the way) for the pre-flight panel to time."""
    from intersession.rooms.link_check import SAMPLE_MAX_KB

    size = request.args.get("kb", "64")
    if not size.isascii() or not size.isdigit() or not 1 <= int(size) <= SAMPLE_MAX_KB:
        raise UnusableInput(
            _("The size of the sample must be a whole number of kilobytes from 1 to %(most)s.",
              most=with_case(str(SAMPLE_MAX_KB), DATIVE))
        )  # fmt: skip
    response = Response(os.urandom(int(size) * 1024), mimetype="application/octet-stream")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/link-check/sample")
@login_required
def link_sample_back() -> ResponseReturnValue:
    """The pre-flight panel's upload, timed by the page; what it sends is not kept."""
    from intersession.rooms.link_check import SAMPLE_MAX_KB

    received = len(request.get_data(cache=False))
    if received > SAMPLE_MAX_KB * 1024:
        raise UnusableInput(_("The sample is larger than %(most)d KB.", most=SAMPLE_MAX_KB))
    return Response(status=204)
