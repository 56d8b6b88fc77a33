"""A lesson's slides: made from its PDF materials, removed, and their pages' pictures (kept by
the browser: a page is fetched once per computer, however often it is shown)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from intersession.board import playback, slides
from intersession.board.models import DeckState, SlideDeck
from intersession.core.access import get_visible_or_404
from intersession.core.errors import DomainError
from intersession.core.forms import ButtonForm
from intersession.core.inputs import number_or_none
from intersession.core.web import keep_in_browser
from intersession.lessons.access import can_view_lesson
from intersession.lessons.models import Lesson
from intersession.recordings.access import can_watch
from intersession.recordings.services import recording_of

bp = Blueprint("board", __name__, template_folder="templates")
YEAR = 365 * 24 * 3600


def _lesson(lesson_id: int) -> Lesson:
    return get_visible_or_404(
        Lesson, lesson_id, lambda lesson: can_view_lesson(current_user, lesson)
    )


def _advisors_lesson(lesson_id: int) -> Lesson:
    lesson = _lesson(lesson_id)
    if lesson.advisor_id != current_user.id:
        abort(403)
    return lesson


def _back(lesson: Lesson) -> ResponseReturnValue:
    return redirect(url_for("lessons.lesson", lesson_id=lesson.id, _anchor="slides"))


@bp.post("/lessons/<int:lesson_id>/slides")
@login_required
def make_slides(lesson_id: int) -> ResponseReturnValue:
    """Slides from one of the lesson's PDFs (the advisor's button beside the file)."""
    lesson = _advisors_lesson(lesson_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    file_id = number_or_none(request.form.get("file"))
    stored = next((f for f in lesson.materials if f.id == file_id), None)
    if stored is None:
        abort(404)
    try:
        slides.make_deck(current_user, lesson, stored)
    except DomainError as error:
        flash(error.message, "error")
        return _back(lesson)
    flash(_("The slides are being made: they appear in the room in a minute."), "success")
    return _back(lesson)


@bp.post("/lessons/<int:lesson_id>/slides/<int:deck_id>/delete")
@login_required
def remove_slides(lesson_id: int, deck_id: int) -> ResponseReturnValue:
    lesson = _advisors_lesson(lesson_id)
    deck = slides.deck_of(lesson, deck_id) or abort(404)
    if ButtonForm().validate_on_submit():
        slides.remove_deck(current_user, lesson, deck)
        flash(_("The slides have been removed; the PDF stays among the materials."), "success")
    return _back(lesson)


@bp.get("/lessons/<int:lesson_id>/slides/<int:deck_id>/<int:page>-<any(large,small):size>.webp")
@login_required
def slide(lesson_id: int, deck_id: int, page: int, size: str) -> ResponseReturnValue:
    lesson = _lesson(lesson_id)
    deck: SlideDeck | None = slides.deck_of(lesson, deck_id)
    if deck is None or deck.state is not DeckState.READY:
        abort(404)
    if not 1 <= page <= deck.page_count:
        abort(404)
    path = slides.page_path(deck, page, size)
    if not path.exists():
        abort(404)
    return keep_in_browser(send_file(path, mimetype="image/webp", conditional=True), YEAR)


@bp.get("/lessons/<int:lesson_id>/recording/board.json")
@login_required
def board_timeline(lesson_id: int) -> ResponseReturnValue:
    """The light recording's board: pages and strokes in seconds of the recording, for those
    who may watch it."""
    lesson = get_visible_or_404(Lesson, lesson_id, lambda found: can_watch(current_user, found))
    recording = recording_of(lesson)
    if recording is None or not recording.ready:
        abort(404)
    return jsonify(playback.timeline(recording))
