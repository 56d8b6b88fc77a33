"""A lesson recorded in the browser: the advisor's fake camera for a few seconds, the lesson ended,
the real Celery worker finishes the recording, a pupil who was absent watches it and the register
shows them caught up; the coordinator sees the space it takes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import choose_language
from tests.e2e.test_coordinator_setup import shot
from tests.e2e.test_lessons import sign_in
from tests.e2e.test_live_room import open_room

pytestmark = pytest.mark.browser


def test_a_missed_lesson_is_caught_up(live_server: str, new_page: Any, live_app: Any) -> None:
    lesson_id = live_app.lesson_now()
    advisor = open_room(new_page, live_server, "adv", lesson_id)
    advisor.wait_for_selector("#recorded-mark", state="attached")
    assert advisor.locator("#recorded-mark").is_hidden()  # nothing is recorded before the air
    advisor.click("#start-camera")
    advisor.wait_for_function(
        "document.getElementById('room-status').textContent === 'You are on air.'", timeout=20_000
    )
    advisor.wait_for_selector("#recorded-mark", state="visible")
    advisor.wait_for_timeout(8_000)  # a short lesson
    advisor.once("dialog", lambda dialog: dialog.accept())
    advisor.click("#end-lesson")
    advisor.wait_for_url(re.compile(rf".*/lessons/{lesson_id}$"), timeout=20_000)

    pupil = new_page(locale="en-US")
    sign_in(pupil, live_server, "pup")
    choose_language(pupil, "en")
    for _attempt in range(60):  # the worker puts the recording together
        pupil.goto(f"{live_server}/lessons/{lesson_id}/recording")
        if pupil.locator("#recording-player").count():
            break
        pupil.wait_for_timeout(1_000)
    player = pupil.locator("#recording-player")
    player.wait_for(timeout=5_000)
    pupil.wait_for_function(
        "document.getElementById('recording-player').readyState >= 1", timeout=20_000
    )
    duration = pupil.evaluate("document.getElementById('recording-player').duration")
    assert 6 <= duration <= 14, duration
    assert pupil.is_hidden("#caught-up")
    pupil.evaluate("(() => { const p = document.getElementById('recording-player');"
                   " p.muted = true; return p.play(); })()")  # fmt: skip
    pupil.wait_for_function(
        "document.getElementById('recording-player').currentTime > 2", timeout=20_000
    )
    # Seeking works (the server answers byte ranges).
    pupil.evaluate("document.getElementById('recording-player').currentTime = 1")
    pupil.locator("#caught-up").wait_for(state="visible", timeout=40_000)
    assert pupil.evaluate("document.getElementById('recording-player').videoWidth") > 0
    shot(pupil, "60-recording-caught-up-en")

    # The sound only, for a weak link: small, and Opus.
    href = pupil.get_attribute("#download-audio", "href")
    voice = pupil.request.get(live_server + href)
    assert voice.status == 200 and voice.headers["content-type"] == "audio/webm"
    assert b"OpusHead" in voice.body()[:500]
    assert len(voice.body()) / duration * 3600 <= 10 * 1024 * 1024

    tutor = new_page(locale="en-US")
    sign_in(tutor, live_server, "tut")
    choose_language(tutor, "en")
    tutor.goto(f"{live_server}/lessons/{lesson_id}")
    row = tutor.locator("table.register tr", has_text="Сәрсенбаев Әлихан")
    assert "caught up on the recording" in row.inner_text()
    shot(tutor, "61-register-caught-up-en")

    coordinator = new_page(locale="en-US")
    sign_in(coordinator, live_server, "coord")
    choose_language(coordinator, "en")
    coordinator.goto(f"{live_server}/recordings")
    # Other lessons of the session's live server were recorded as well.
    assert re.match(
        r"\d+ recordings? (is|are) kept, using [\d.,]+ [KM]B", coordinator.inner_text("#space-used")
    )
    shot(coordinator, "62-recordings-space-en")
