"""The iCalendar feed: parses with the library, right UTC times, cancelled lessons gone, revocable."""

from __future__ import annotations

import re
from datetime import UTC, time

from flask import Flask
from icalendar import Calendar

from intersession.lessons import scheduling
from tests.conftest import ALMATY, AuthActions, LessonHub


def make_address(auth: AuthActions) -> str:
    page = auth.post("/calendar-feed", {"action": "renew"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"  # type: ignore[attr-defined]
    match = re.search(r'value="(http://[^"]+\.ics)"', page.get_data(as_text=True))  # type: ignore[attr-defined]
    assert match
    return match.group(1).replace("http://localhost", "")


def test_feed_lists_the_persons_lessons_in_utc(
    app: Flask, auth: AuthActions, lessons: LessonHub
) -> None:
    kept = scheduling.schedule_lesson(
        lessons.people.advisor, lessons.plan(start=time(9, 30))
    ).lesson
    gone = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan(start=time(14))).lesson
    scheduling.cancel_lesson(lessons.people.advisor, gone, "Мұғалім ауырып қалды")
    auth.login("pup")
    address = make_address(auth)
    auth.logout()
    feed = app.test_client().get(address)  # no sign-in: the address is the key
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    calendar = Calendar.from_ical(feed.data)
    events = calendar.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"lesson-{kept.id}@intersession"]
    start = events[0].decoded("dtstart")
    assert start == kept.starts_at and start.utcoffset().total_seconds() == 0
    assert start.astimezone(ALMATY).time() == time(9, 30)
    assert events[0].decoded("dtend") == kept.ends_at.astimezone(UTC)
    assert str(events[0]["summary"]) == "Математика: Квадрат теңдеулер"


def test_renewed_or_revoked_address_answers_404(
    app: Flask, auth: AuthActions, lessons: LessonHub
) -> None:
    auth.login("tut")
    first = make_address(auth)
    second = make_address(auth)
    client = app.test_client()
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    auth.post("/calendar-feed", {"action": "revoke"})
    assert client.get(second).status_code == 404
    assert client.get("/ical/made-up-token.ics").status_code == 404


def test_a_deactivated_persons_feed_stops(
    app: Flask, auth: AuthActions, lessons: LessonHub
) -> None:
    auth.login("pup")
    address = make_address(auth)
    auth.logout()
    coordinator = AuthActions(app.test_client())
    coordinator.login("coord")
    coordinator.post(f"/people/{lessons.people.pupil.id}/active", {"active": "0"})
    assert app.test_client().get(address).status_code == 404
