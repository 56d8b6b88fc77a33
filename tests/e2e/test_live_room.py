"""The live room in real Chromium: the advisor's fake camera goes through the media engine (encoded
forwarding) to a pupil's browser, which decodes it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_coordinator_setup import shot
from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser


def test_advisor_camera_reaches_the_pupil(live_server: str, new_page: Any, live_app: Any) -> None:
    lesson_id = live_app.lesson_now()
    advisor = new_page(locale="en-US")
    sign_in(advisor, live_server, "adv")
    advisor.click("button[lang=en]")
    advisor.goto(f"{live_server}/lessons/{lesson_id}")
    advisor.click("#open-room")
    advisor.click("#start-camera")
    advisor.wait_for_function(
        "document.getElementById('room-status').textContent === 'You are on air.'", timeout=20_000
    )

    pupil = new_page(locale="en-US")
    sign_in(pupil, live_server, "pup")
    pupil.click("button[lang=en]")
    pupil.goto(f"{live_server}/lessons/{lesson_id}/room")
    pupil.wait_for_function("window.roomStats.framesDecoded > 20", timeout=30_000)
    width = pupil.evaluate("document.getElementById('main-video').videoWidth")
    assert width > 0
    first = pupil.evaluate("document.getElementById('main-video').currentTime")
    pupil.wait_for_timeout(1000)
    assert pupil.evaluate("document.getElementById('main-video').currentTime") > first
    assert pupil.inner_text("#room-status") == "Connected."
    pupil.fill("#chat-text", "<b>Сұрақ:</b> 3-есеп")
    pupil.click("#chat-form button")
    advisor.wait_for_selector("#chat-lines li")
    assert (
        advisor.inner_text("#chat-lines li") == "Сәрсенбаев Әлихан: <b>Сұрақ:</b> 3-есеп"
    )  # shown as text
    shot(pupil, "30-live-room-pupil-en")
    shot(advisor, "31-live-room-advisor-en")

    outsider = new_page(locale="en-US")
    sign_in(outsider, live_server, "pup2")  # not in this cohort
    assert outsider.goto(f"{live_server}/lessons/{lesson_id}/room").status == 404
