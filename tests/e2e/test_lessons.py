"""An advisor schedules a lesson, a pupil sees it in Kazakh, the tutor confirms the register with a
reason once the lesson has begun, and the advisor sees both columns side by side."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import choose_language
from tests.e2e.test_coordinator_setup import shot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page: Any, live_server: str, login: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{live_server}/")


def test_lesson_from_schedule_to_register(live_server: str, new_page: Any, live_app: Any) -> None:
    advisor = new_page(locale="en-US")
    sign_in(advisor, live_server, "adv")
    choose_language(advisor, "en")
    advisor.click("nav a:has-text('Calendar')")
    advisor.click("a:has-text('Schedule a lesson')")
    day = live_app.free_day()
    advisor.fill("#day", day.isoformat())
    advisor.fill("#start", "11:00")
    advisor.fill("#duration", "40")
    advisor.fill("#description", "Оқулықтың 45-беті")
    shot(advisor, "20-schedule-form-en")
    advisor.click("button[type=submit]:has-text('Schedule')")
    advisor.wait_for_selector("text=The lesson has been scheduled.")
    lesson_id = int(advisor.url.rsplit("/", 1)[1])
    shot(advisor, "21-lesson-scheduled-en")

    pupil = new_page(locale="kk-KZ")
    sign_in(pupil, live_server, "pup")
    choose_language(pupil, "kk")
    pupil.goto(f"{live_server}/lessons?view=week&from={day.isoformat()}")
    assert pupil.locator("html").get_attribute("lang") == "kk"
    link = pupil.locator(f"a[href='/lessons/{lesson_id}']")
    assert "11:00–11:40" in link.inner_text()
    assert "Кесте" in pupil.inner_text("h1")
    shot(pupil, "22-pupil-week-kk")

    live_app.start_lesson_now(lesson_id)  # time passes: the lesson has begun
    tutor = new_page(locale="ru-RU")
    sign_in(tutor, live_server, "tut")
    choose_language(tutor, "ru")
    tutor.goto(f"{live_server}/lessons/{lesson_id}")
    # the pupil's own row: other tests may have put more pupils in the cohort
    row = tutor.locator("table.register tbody tr", has_text="Сәрсенбаев Әлихан")
    row.locator("select[name^=status-]").select_option("absent")
    tutor.click("#save-register")
    assert "Выберите причину отсутствия." in tutor.inner_text("table.register")
    row = tutor.locator("table.register tbody tr", has_text="Сәрсенбаев Әлихан")
    row.locator("select[name^=status-]").select_option("absent")
    row.locator("select[name^=reason-]").select_option("olympiad")
    tutor.click("#save-register")
    tutor.wait_for_selector("text=Журнал сохранён.")
    shot(tutor, "23-register-confirmed-ru")

    advisor.goto(f"{live_server}/lessons/{lesson_id}")
    text = advisor.inner_text("table.register")
    assert re.search(r"Сәрсенбаев Әлихан.*absent.*olympiad or competition", text, re.S)
    shot(advisor, "24-register-advisor-en")

    coordinator = new_page(locale="en-US")
    sign_in(coordinator, live_server, "coord")
    choose_language(coordinator, "en")
    coordinator.click("#nav-reports summary")
    coordinator.click("#nav-reports a:has-text('Attendance')")
    coordinator.click("a:has-text('The whole year')")
    absences = coordinator.inner_text("table.absences")
    assert re.search(r"Сәрсенбаев Әлихан\s+Математика.*olympiad or competition", absences)
    shot(coordinator, "25-report-coordinator-en")
    # Issue 18, item 15: the report fits 1280 px, its last column included, in each language.
    for language in ("en", "ru", "kk"):
        choose_language(coordinator, language)
        fits = coordinator.evaluate(
            """() => {
                const wide = document.documentElement.scrollWidth <= window.innerWidth;
                const cells = [...document.querySelectorAll('main table tr:first-child > *:last-child')];
                return wide && cells.length > 0 && cells.every(c => c.getBoundingClientRect().right <= window.innerWidth);
            }"""
        )
        assert fits, language
