"""A pupil who leaves a cohort loses that cohort's lesson pages, materials, room and recordings at
once, links already handed out included (ACCESS.md); their own register rows, work and grades stay
theirs to read. What they lost answers 404, as for a missing lesson."""

from __future__ import annotations

import io

from flask import Flask
from icalendar import Calendar
from werkzeug.datastructures import FileStorage

from intersession.assignments import grading, services, submitting
from intersession.assignments.models import Scale
from intersession.core.db import db
from intersession.lessons import attendance, materials
from intersession.lessons.models import Presence, PresenceInterval
from intersession.schools import cohorts
from tests.assignments.test_pages import signed_in
from tests.assignments.test_rules import plan
from tests.conftest import LessonHub
from tests.lessons.test_feeds import make_address
from tests.lessons.test_materials import PDF
from tests.rooms.test_signalling import ack, room_client


def test_a_pupil_who_leaves_the_cohort_loses_its_lessons_but_keeps_their_own_rows(
    app: Flask, lessons: LessonHub
) -> None:
    people = lessons.people
    lesson = lessons.started_lesson()
    (material,) = materials.add_materials(
        people.advisor, lesson, [FileStorage(io.BytesIO(PDF), "Тапсырма.pdf")]
    )
    row = next(r for r in lesson.register if r.pupil_id == people.pupil.id)
    attendance.mark_register(people.advisor, lesson, [attendance.Mark(row, Presence.ABSENT)])
    work = services.create_assignment(people.advisor, plan(people, scale=Scale.HUNDRED))
    services.publish(people.advisor, work)
    sent = submitting.submit(people.pupil, submitting.save_draft(people.pupil, work, "x", []))
    grading.grade(people.advisor, sent, sent.version, "Жақсы", grade="73")

    pupil = signed_in(app, "pup")
    feed = make_address(pupil)
    pages = {
        "lesson": f"/lessons/{lesson.id}",
        "material": f"/lessons/{lesson.id}/materials/{material.id}",  # the link they were given
        "room": f"/lessons/{lesson.id}/room",
        "recording": f"/lessons/{lesson.id}/recording",
    }
    for name, path in pages.items():
        assert pupil.client.get(path).status_code == 200, name
    in_room = room_client(app, "pup")
    assert ack(in_room, "join", {"lesson": lesson.id})["role"] == "pupil"
    calendar = pupil.client.get("/lessons").get_data(as_text=True)
    assert f'/lessons/{lesson.id}"' in calendar

    # The coordinator takes the pupil out of the cohort while the lesson is on.
    cohorts.set_cohort_pupils(people.coordinator, people.cohort, [people.other_pupil])

    for name, path in pages.items():
        assert pupil.client.get(path).status_code == 404, name
    assert ack(room_client(app, "pup"), "join", {"lesson": lesson.id}) == {"error": "not-found"}
    assert ack(in_room, "chat", {"text": "мен әлі осындамын"}) == {"error": "not-allowed"}
    # The socket already in the room is let go at its next heartbeat, and its time there ends.
    assert ack(in_room, "seen") == {"error": "not-allowed"}
    assert not in_room.is_connected("/room")
    db.session.expire_all()
    intervals = db.session.query(PresenceInterval).filter_by(user_id=people.pupil.id).all()
    assert len(intervals) == 1 and intervals[0].left_at is not None
    assert f'/lessons/{lesson.id}"' not in pupil.client.get("/lessons").get_data(as_text=True)
    events = Calendar.from_ical(app.test_client().get(feed).data).walk("VEVENT")
    assert f"lesson-{lesson.id}@intersession" not in [str(e["uid"]) for e in events]
    home = pupil.client.get("/").get_data(as_text=True)
    assert f'/lessons/{lesson.id}"' not in home

    # Their own register row, work and grade stay theirs.
    report = pupil.client.get("/reports/attendance").get_data(as_text=True)
    assert "Квадрат теңдеулер" in report.split('class="absences"')[1]
    graded = pupil.client.get(f"/submissions/{sent.id}")
    assert graded.status_code == 200 and "73" in graded.get_data(as_text=True)

    # A classmate still in the cohort goes on as before.
    classmate = signed_in(app, "pup2")
    for name, path in pages.items():
        assert classmate.client.get(path).status_code == 200, name
    assert ack(room_client(app, "pup2"), "join", {"lesson": lesson.id})["role"] == "pupil"
