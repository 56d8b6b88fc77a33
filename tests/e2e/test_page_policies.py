"""The live room under the pages' real Content-Security-Policy and Permissions-Policy: the other
browser tests bypass the CSP (their probes are scripts it forbids), so this one does not, and it
looks only at what the advisor sees."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import choose_language
from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser


def test_the_room_connects_and_goes_on_air_under_the_policies(
    live_server: str, browser: Any, live_app: Any
) -> None:
    lesson_id = live_app.lesson_now()
    context = browser.new_context(locale="en-US")  # the CSP applies
    complaints: list[str] = []
    try:
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                complaints.append(message.text) if "policy" in message.text.lower() else None
            ),
        )
        sign_in(page, live_server, "adv")
        choose_language(page, "en")
        page.goto(f"{live_server}/lessons/{lesson_id}/room")
        page.wait_for_selector("#participants li")  # the socket to our own origin is open
        page.click("#start-camera")  # the camera and the microphone: allowed to ourselves
        page.wait_for_selector("#room-status:text-is('You are on air.')", timeout=20_000)
        assert sorted(set(complaints)) == []  # an unknown feature is reported like a refusal
    finally:
        context.close()
