"""Recordings: the page to watch or listen to a lesson, its files through short-lived signed links
(seekable: range requests), the player's progress, and the coordinator's space and retention."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from intersession.auth.models import Role, User
from intersession.core.access import get_visible_or_404
from intersession.core.collation import sorted_by_name
from intersession.core.db import db
from intersession.core.errors import DomainError
from intersession.core.forms import ButtonForm, apply
from intersession.lessons.access import can_view_row
from intersession.lessons.models import Lesson, Presence
from intersession.recordings import catchup, services
from intersession.recordings.access import can_watch
from intersession.recordings.finishing import AUDIO_FILE, POSTER_FILE, VIDEO_FILE
from intersession.recordings.forms import RetentionForm
from intersession.recordings.labels import STATE_LABELS
from intersession.recordings.models import Recording
from intersession.schools.models import School

bp = Blueprint("recordings", __name__, template_folder="templates")
FILES = {
    "video": (VIDEO_FILE, "video/webm", "webm"),
    "audio": (AUDIO_FILE, "audio/webm", "webm"),
    "poster": (POSTER_FILE, "image/jpeg", "jpg"),
}


def _links() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="recording-file")


def file_link(recording: Recording, kind: str, download: bool = False) -> str:
    """A link to one of the recording's files that works for this person for a few hours."""
    token = _links().dumps({"r": recording.id, "k": kind, "u": current_user.id})
    extra: dict[str, Any] = {"download": 1} if download else {}
    return url_for("recordings.file", recording_id=recording.id, kind=kind, t=token, **extra)


def download_name(recording: Recording, kind: str) -> str:
    lesson = recording.lesson
    suffix = _("audio") if kind == "audio" else ""
    title = f"{lesson.heading} {lesson.starts_at.date().isoformat()} {suffix}".strip()
    return f"{title}.{FILES[kind][2]}"


def _lesson(lesson_id: int) -> Lesson:
    return get_visible_or_404(Lesson, lesson_id, lambda lesson: can_watch(current_user, lesson))


@bp.get("/lessons/<int:lesson_id>/recording")
@login_required
def watch(lesson_id: int) -> ResponseReturnValue:
    lesson = _lesson(lesson_id)
    recording = services.recording_of(lesson)
    from intersession.board import playback

    shown = recording is not None and recording.ready and playback.has_board(recording)
    board = shown and request.args.get("board") == "1"  # the light recording: slides and sound
    listen = (
        board or request.args.get("listen") == "1" or bool(recording and not recording.has_video)
    )
    context: dict[str, Any] = {"lesson": lesson, "recording": recording, "listen": listen,
                               "board": board, "has_board": shown}  # fmt: skip
    if recording is not None and shown:
        context["light_bytes"] = playback.light_bytes(recording, playback.timeline(recording))
    if recording is not None and recording.ready:
        view = catchup.view_of(recording, current_user)
        context |= {
            "watched": view.seconds / (recording.duration_seconds or 1),
            "media_link": file_link(recording, "audio" if listen else "video"),
            "poster_link": file_link(recording, "poster") if recording.has_poster else None,
            "video_download": file_link(recording, "video", download=True),
            "audio_download": file_link(recording, "audio", download=True),
            "download_name": lambda kind: download_name(recording, kind),
            "catchup_share": current_app.config["CATCHUP_SHARE"],
            "caught_up": _caught_up(lesson),
        }
        if current_user.role is not Role.PUPIL:
            context["followers"] = _followers(lesson, recording)
    return render_template("recordings/watch.html", **context)


def _caught_up(lesson: Lesson) -> bool:
    return any(r.pupil_id == current_user.id and r.caught_up_at for r in lesson.register)


def _followers(lesson: Lesson, recording: Recording) -> list[dict[str, Any]]:
    """For staff: each visible pupil's presence and how much of the recording they watched."""
    views = catchup.views_by_pupil(recording)
    duration = recording.duration_seconds or 1
    rows = [row for row in lesson.register if can_view_row(current_user, row)]
    return [
        {
            "row": row,
            "share": views[row.pupil_id].seconds / duration if row.pupil_id in views else 0.0,
            "absent": row.final_status is not Presence.PRESENT,
        }
        for row in sorted_by_name(rows, lambda r: r.pupil.school.name, lambda r: r.pupil.full_name)
    ]


@bp.get("/recordings/<int:recording_id>/<kind>")
def file(recording_id: int, kind: str) -> ResponseReturnValue:
    """A recording's file for a signed link's holder (or the signed-in person), access checked
    again on every request: a pupil who left the cohort loses it at once."""
    if kind not in FILES:
        abort(404)
    token = request.args.get("t")
    viewer: User | None
    if token:
        try:
            data = _links().loads(token, max_age=current_app.config["RECORDING_LINK_SECONDS"])
        except SignatureExpired:
            message = _("This link has expired. Open the lesson's recording again.")
            return render_template("error.html", title=_("Link expired"), message=message), 403
        except BadSignature:
            abort(404)
        if data.get("r") != recording_id or data.get("k") != kind:
            abort(404)
        viewer = db.session.get(User, data.get("u"))
    else:
        viewer = current_user if current_user.is_authenticated else None
    recording = db.session.get(Recording, recording_id)
    if viewer is None or not viewer.active or recording is None or not recording.ready:
        abort(404)
    if not can_watch(viewer, recording.lesson):
        abort(404)
    name, mimetype, _extension = FILES[kind]
    path = services.folder_of(recording) / name
    if not path.exists():
        abort(404)
    download = request.args.get("download") == "1"
    # Seeking, and a download that resumes (static/js/downloads.js), ask for byte ranges:
    # send_file answers them with 206.
    response = send_file(
        path, mimetype=mimetype, conditional=True, max_age=0,
        as_attachment=download, download_name=download_name(recording, kind),
    )  # fmt: skip
    return response  # not stored by the browser: core.web's security_headers says so for files


@bp.post("/recordings/<int:recording_id>/progress")
@login_required
def progress(recording_id: int) -> ResponseReturnValue:
    recording = get_visible_or_404(
        Recording, recording_id, lambda r: can_watch(current_user, r.lesson)
    )
    body = request.get_json(silent=True)
    played = body.get("played") if isinstance(body, dict) else None
    try:
        share, caught_up = catchup.report(recording, current_user, played)
    except DomainError as error:
        return jsonify(error=error.message), 400
    return jsonify(share=round(share, 4), caught_up=caught_up)


@bp.post("/lessons/<int:lesson_id>/recording/setting")
@login_required
def set_recorded(lesson_id: int) -> ResponseReturnValue:
    lesson = _lesson(lesson_id)
    if lesson.advisor_id != current_user.id:
        abort(404)
    on = request.form.get("record") == "1"
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    message = _("The lesson will be recorded.") if on else _("The lesson will not be recorded.")
    if apply(form, lambda: services.set_recorded(current_user, lesson, on), message) is None:
        for error in form.form_errors:
            flash(str(error), "error")
    return redirect(url_for("lessons.lesson", lesson_id=lesson.id)), 303


@bp.route("/recordings", methods=["GET", "POST"])
@login_required
def hub_recordings() -> ResponseReturnValue:
    """The coordinator's: space used by the hub's recordings, and how long they are kept."""
    if current_user.role is not Role.COORDINATOR:
        abort(404)
    hub = db.session.get(School, current_user.hub_id)
    assert hub is not None
    form = RetentionForm()
    if request.method == "GET":
        form.days.data = hub.recording_retention_days
    elif form.validate_on_submit():
        changed = services.set_retention(hub, form.days.data or None)
        flash(ngettext("Saved. %(num)d kept recording has a new removal date.",
                       "Saved. %(num)d kept recordings have a new removal date.", changed), "success")  # fmt: skip
        return redirect(url_for("recordings.hub_recordings")), 303
    count, used = services.space_used(hub.id)
    recordings = services.hub_recordings(hub.id)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "recordings/hub.html", form=form, hub=hub, count=count, used=used,
        recordings=recordings, state_labels=STATE_LABELS,
    ), status  # fmt: skip
