"""Methodical support in Chromium, the whole cycle: a tutor asks for help (in Russian); the
methodologist (the coordinator, in Kazakh) diagnoses it and builds a two-step route with a
mentoring hour; the mentor holds the hour in the live room with the tutor in it; the tutor marks
the steps done and gives feedback; the methodologist's report shows it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from intersession.core.db import db
from intersession.lessons.models import AttendanceRow
from tests.e2e.conftest import choose_language
from tests.e2e.test_coordinator_setup import shot
from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser


def _page(new_page: Any, live_server: str, login: str, language: str, width: int = 1280) -> Any:
    page = new_page(locale="ru-RU", viewport={"width": width, "height": 900})
    sign_in(page, live_server, login)
    choose_language(page, language)
    return page


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_the_methodical_cycle(live_server: str, new_page: Any, live_app: Any) -> None:
    day = live_app.free_day().isoformat()
    tutor = _page(new_page, live_server, "tut", "ru")
    tutor.goto(f"{live_server}/support/ask")
    tutor.fill(
        "#difficulty", "Как давать задания разного уровня, когда в классе 5 и 7 класс вместе?"
    )
    tutor.select_option("#preferred_format", "mentoring_hour")
    _submit(tutor, "form button[type=submit]:has-text('Отправить')")
    help_id = int(re.search(r"/support/(\d+)$", tutor.url).group(1))  # type: ignore[union-attr]
    assert "ждёт диагностики" in tutor.inner_text("main")
    shot(tutor, "methodics-01-request-ru")

    methodologist = _page(new_page, live_server, "coord", "kk")
    methodologist.goto(f"{live_server}/support")
    methodologist.click(f"a[href='/support/{help_id}']")
    methodologist.click("a:has-text('Диагностика жасау')")
    methodologist.fill("#methodical_deficits", "Әр деңгейлі тапсырмалар\nҚалыптастырушы бағалау")
    adv_value = methodologist.eval_on_selector(
        "#mentor", "s => [...s.options].find(o => o.text.startsWith('Adv —')).value"
    )
    methodologist.select_option("#mentor", adv_value)
    _submit(methodologist, "main form button[type=submit]")
    for fmt, title in (
        ("practicum", "Практикум: үш деңгейлі тапсырмалар"),
        ("mentoring_hour", "Тәлімгерлік сағат"),
    ):
        methodologist.goto(f"{live_server}/support/{help_id}/steps/new")
        methodologist.select_option("#format", fmt)
        methodologist.fill("#title", title)
        methodologist.fill("#planned_on", day)
        _submit(methodologist, "main form button[type=submit]")
    assert methodologist.locator("li.route-step").count() == 2
    shot(methodologist, "methodics-02-route-kk")

    mentor = _page(new_page, live_server, "adv", "en")
    mentor.goto(f"{live_server}/support/{help_id}")
    hour = mentor.locator("li.route-step").nth(1)
    hour.locator("summary:has-text('Hold it in the online room')").click()
    hour.locator("input[name=day]").fill(day)
    hour.locator("input[name=start]").fill("15:00")
    with mentor.expect_navigation():
        hour.locator("button:has-text('Schedule it')").click()
    link = mentor.locator('a:has-text("Open the event\'s page")').get_attribute("href")
    assert link is not None
    lesson_id = int(link.rsplit("/", 1)[1])
    live_app.start_lesson_now(lesson_id)  # the day has come

    mentor.goto(f"{live_server}/lessons/{lesson_id}/room")
    mentor.wait_for_selector("#participants li")
    mentor.click("#start-camera")
    mentor.wait_for_function(
        "document.getElementById('room-status').textContent === 'You are on air.'", timeout=20_000
    )
    tutor.goto(f"{live_server}/lessons/{lesson_id}/room")
    tutor.wait_for_function("window.roomStats.framesDecoded > 10", timeout=30_000)
    mentor.wait_for_function(
        "document.getElementById('participants').textContent.indexOf('Tut') >= 0 || document.querySelectorAll('#participants li').length >= 2"
    )
    shot(tutor, "methodics-03-mentoring-hour-room")
    tutor.goto(f"{live_server}/support/{help_id}")  # leaves the room: the presence is kept
    for _ in range(40):  # the socket's end reaches the server a moment later
        with live_app.app.app_context():
            row = db.session.scalars(
                select(AttendanceRow).where(AttendanceRow.lesson_id == lesson_id)
            ).one()
            detected = (row.source, row.status)
            db.session.remove()
        if detected[0] is not None:
            break
        tutor.wait_for_timeout(250)
    assert detected[0] is not None and detected[0].value == "online"  # detected by the room
    assert detected[1] is not None  # partly present: a minute of a 45-minute hour

    for index in range(2):
        step = tutor.locator("li.route-step").nth(index)
        step.locator("textarea[name=reflection]").fill("Попробовала задания трёх уровней на уроке.")
        with tutor.expect_navigation():
            step.locator("button:has-text('Отметить шаг выполненным')").click()
    mentor.goto(f"{live_server}/support/{help_id}")
    for _ in range(2):
        _submit(mentor, "button:has-text('Confirm the step')")
    mentor.check("input[name=result][value=partly]")
    mentor.fill("#note", "Нужна ещё практика оценивания.")
    _submit(mentor, "button:has-text('End the route')")

    tutor.goto(f"{live_server}/support/{help_id}")
    tutor.check("input[name=usefulness][value='5']")
    tutor.fill("#feedback", "Очень помогло, особенно разбор урока.")
    _submit(tutor, "button:has-text('Отправить отзыв')")
    assert "Полезность: 5 из 5" in tutor.inner_text("main")
    shot(tutor, "methodics-04-ended-ru")

    methodologist.goto(f"{live_server}/support/report")
    report = methodologist.inner_text("main")
    assert "тәлімгерлік сағат" in report and "ішінара жабылды" in report
    shot(methodologist, "methodics-05-report-kk")
    small = _page(new_page, live_server, "tut", "kk", width=375)
    small.goto(f"{live_server}/support/{help_id}")
    shot(small, "methodics-06-route-kk-375")
