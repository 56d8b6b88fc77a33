"""The light recording: the board's pages and strokes on the recording's clock (slide N shown
from its change to the next), the timeline served to those who may watch, the watch page's slides
and sound, and catch-up counted from what its player played."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from intersession.board import playback
from intersession.board.models import BoardStroke, BoardTurn
from intersession.core.db import db, utcnow
from intersession.lessons.models import AttendanceRow, Lesson, Presence
from intersession.recordings.models import Recording, RecordingState, RecordingView
from tests.assignments.test_pages import signed_in
from tests.board.test_board_events import ready_deck
from tests.conftest import LessonHub


def recorded_board(app: Flask, lessons: LessonHub) -> tuple[Lesson, Recording, int]:
    """A lesson recorded for ten minutes: page 1 from before the recording, page 2 at 2:00, the
    board put away at 5:00, page 3 at 6:40, and a turn after the end; strokes on page 2, one
    undone at 3:20, one erased before the recording began."""
    lesson = lessons.started_lesson()
    deck_id = ready_deck(app, lesson.id)
    start = utcnow() - timedelta(minutes=20)
    recording = Recording(lesson_id=lesson.id, folder="playback0test0folder", started_at=start,
                          state=RecordingState.READY, duration_seconds=600.0, audio_bytes=1_200_000,
                          ended_at=start + timedelta(minutes=10), finished_at=utcnow())  # fmt: skip
    at = lambda seconds: start + timedelta(seconds=seconds)  # noqa: E731
    db.session.add(recording)
    db.session.add_all([
        BoardTurn(lesson_id=lesson.id, deck_id=deck_id, page=3, at=at(-90)),
        BoardTurn(lesson_id=lesson.id, deck_id=deck_id, page=1, at=at(-60)),
        BoardTurn(lesson_id=lesson.id, deck_id=deck_id, page=2, at=at(120)),
        BoardTurn(lesson_id=lesson.id, deck_id=None, page=0, at=at(300)),
        BoardTurn(lesson_id=lesson.id, deck_id=deck_id, page=3, at=at(400)),
        BoardTurn(lesson_id=lesson.id, deck_id=deck_id, page=1, at=at(700)),  # after the end
    ])  # fmt: skip
    stroke = dict(lesson_id=lesson.id, deck_id=deck_id, page=2, author_id=lessons.people.advisor.id,
                  tool="pen", colour="red", width=4, points="[0,0,10000,10000]")  # fmt: skip
    db.session.add_all([
        BoardStroke(line="early", at=at(-50), removed_at=at(-10), **stroke),
        BoardStroke(line="kept", at=at(150), **stroke),
        BoardStroke(line="undone", at=at(160), removed_at=at(200), **stroke),
        BoardStroke(line="late", at=at(650), **stroke),
    ])  # fmt: skip
    db.session.commit()
    return lesson, recording, deck_id


def test_each_slide_is_shown_from_its_change_to_the_next(app: Flask, lessons: LessonHub) -> None:
    _lesson, recording, deck_id = recorded_board(app, lessons)
    line = playback.timeline(recording)
    assert [(t["at"], t["page"]) for t in line["turns"]] == [(0, 1), (120, 2), (300, 0), (400, 3)]
    assert line["decks"] == {str(deck_id): 3} and line["duration"] == 600
    for second, page in ((0, 1), (119.9, 1), (120, 2), (299.99, 2), (300, None), (399, None),
                         (400, 3), (600, 3)):  # fmt: skip
        shown = playback.shown_at(line, second)
        assert (shown["page"] if shown else None) == page, second
    assert [(s["line"], s["at"], s["gone"]) for s in line["strokes"]] == [
        ("kept", 150, None),
        ("undone", 160, 200),
    ]  # the one erased before the recording and the one after its end are left out
    assert line["strokes"][0]["points"] == [0, 0, 10000, 10000]
    # The whole light recording: the voice, the timeline and the three small pages.
    assert (
        recording.audio_bytes
        < playback.light_bytes(recording, line)
        < recording.audio_bytes + 120_000
    )


def test_the_timeline_goes_to_those_who_may_watch(app: Flask, lessons: LessonHub) -> None:
    lesson, recording, _deck = recorded_board(app, lessons)
    path = f"/lessons/{lesson.id}/recording/board.json"
    answer = signed_in(app, "pup").client.get(path)
    assert answer.status_code == 200 and len(answer.get_json()["turns"]) == 4
    for login in ("outsider", "adv2"):
        assert signed_in(app, login).client.get(path).status_code == 404
    recording.state = RecordingState.FINISHING
    db.session.commit()
    assert signed_in(app, "pup").client.get(path).status_code == 404


def test_slides_and_sound_on_the_watch_page_count_for_catch_up(
    app: Flask, lessons: LessonHub
) -> None:
    lesson, _recording, _deck = recorded_board(app, lessons)
    row = next(r for r in lesson.register if r.pupil_id == lessons.people.pupil.id)
    row.status = Presence.ABSENT
    db.session.commit()
    client = signed_in(app, "pup").client
    page = client.get(f"/lessons/{lesson.id}/recording").get_data(as_text=True)
    offer = re.search(r'id="slides-and-sound"[^>]*>([^<]+)<', page)
    assert offer is not None and "(1.1 MB" in offer.group(1)  # 1.2 million bytes, in MiB
    page = client.get(f"/lessons/{lesson.id}/recording?board=1").get_data(as_text=True)
    assert 'id="playback"' in page and "<audio" in page and "<video" not in page
    assert f"/lessons/{lesson.id}/recording/board.json" in page
    progress = re.search(r'<audio[^>]*data-progress-url="([^"]+)" data-csrf="([^"]+)"', page)
    assert progress is not None
    opened = db.session.scalars(select(RecordingView)).one()
    opened.opened_at = utcnow() - timedelta(minutes=10)  # the page was opened ten minutes ago
    db.session.commit()
    answer = client.post(progress.group(1), data=json.dumps({"played": [[0, 590]]}),
                         headers={"Content-Type": "application/json", "X-CSRFToken": progress.group(2)})  # fmt: skip
    assert answer.status_code == 200 and answer.get_json()["caught_up"] is True
    db.session.refresh(row)
    assert row.caught_up_at is not None
    assert db.session.get(AttendanceRow, row.id).status is Presence.ABSENT
    # A recording of a lesson that never showed the board offers no slides.
    other = lessons.started_lesson()
    db.session.add(Recording(lesson_id=other.id, folder="plain0recording0folder",
                             state=RecordingState.READY, duration_seconds=60.0))  # fmt: skip
    db.session.commit()
    plain = client.get(f"/lessons/{other.id}/recording?board=1").get_data(as_text=True)
    assert "slides-and-sound" not in plain and 'id="playback"' not in plain
