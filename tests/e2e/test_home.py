"""The home page as each role's day, in the browser: the pupil's "join" opens by itself when the
room does; every role's day fits a phone and a desktop in Russian and Kazakh (screenshots kept as
test artifacts)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import choose_language
from tests.e2e.test_coordinator_setup import shot
from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser

WIDTHS = {"1280": {"width": 1280, "height": 900}, "375": {"width": 375, "height": 800}}


def test_the_join_button_opens_with_the_room(
    live_server: str, new_page: Any, live_app: Any
) -> None:
    lesson_id = live_app.lesson_now(starts_in_seconds=25)
    page = new_page(locale="en-US")
    sign_in(page, live_server, "pup")
    choose_language(page, "en")
    item = page.locator(f"#day-lesson-{lesson_id}")
    waiting = item.locator("button.join-room")
    assert waiting.is_disabled() and waiting.inner_text().startswith("Opens at ")
    # No reload: the page's own timer turns it into the way in.
    page.wait_for_selector(f"#day-lesson-{lesson_id} a.join-room", timeout=60_000)
    link = item.locator("a.join-room")
    assert link.inner_text() == "Join the lesson"
    link.click()
    page.wait_for_url(f"{live_server}/lessons/{lesson_id}/room")


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_each_roles_day_fits_both_widths(
    live_server: str, new_page: Any, live_app: Any, language: str
) -> None:
    live_app.lesson_now(starts_in_seconds=-600)
    live_app.add_work("Квадрат теңдеулер: 10 есеп")
    for login in ("pup", "tut", "adv"):
        for width, viewport in WIDTHS.items():
            page = new_page(locale=f"{language}-KZ", viewport=viewport)
            sign_in(page, live_server, login)
            choose_language(page, language)
            page.wait_for_selector("#year-phase")
            assert page.locator("html").get_attribute("lang") == language
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            shot(page, f"home-{login}-{language}-{width}")  # kept for a look, and when too wide
            assert overflow <= 0, f"{login} {language} {width}: {overflow} px too wide"
            page.close()
