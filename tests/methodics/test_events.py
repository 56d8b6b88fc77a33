"""Events for teachers: scheduled like lessons (open or closed), registered for, held in the same
live room with the teachers as participants and their attendance recorded; who sees what."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from intersession.core.db import db
from intersession.core.errors import Conflict, DomainError, Forbidden
from intersession.lessons import attendance
from intersession.lessons.access import visible_lessons
from intersession.lessons.models import Lesson, LessonKind, PresenceInterval
from intersession.methodics import events
from intersession.methodics.events_models import EventFormat, TeacherEvent
from intersession.notifications.models import Notification
from intersession.rooms import presence
from tests.conftest import AuthActions, LessonHub
from tests.rooms.test_signalling import ack, room_client


@pytest.fixture(autouse=True)
def _english(app):  # type: ignore[no-untyped-def]
    with force_locale("en"):
        yield


def _plan(lessons: LessonHub, **changed: object) -> events.EventPlan:
    people = lessons.people
    values: dict[str, object] = {"title": "Тәлімгерлік сағат", "format": EventFormat.MENTORING_HOUR,
                                 "presenter": people.advisor, "day": lessons.window_day,
                                 "start": time(15, 0), "minutes": 60} | changed  # fmt: skip
    return events.EventPlan(**values)  # type: ignore[arg-type]


def _begun(event: TeacherEvent) -> Lesson:
    event.lesson.starts_at = datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()
    return event.lesson


def test_scheduling_and_registering(app: Flask, lessons: LessonHub) -> None:
    people = lessons.people
    with pytest.raises(Forbidden):
        events.schedule_event(people.advisor, _plan(lessons))  # not a methodologist
    with pytest.raises(DomainError):
        events.schedule_event(people.coordinator, _plan(lessons, open=False))  # closed, nobody
    with pytest.raises(DomainError):
        events.schedule_event(people.coordinator, _plan(lessons, invited=[people.pupil]))
    with pytest.raises(DomainError):
        events.schedule_event(people.coordinator, _plan(lessons, presenter=people.outsider))
    closed = events.schedule_event(
        people.coordinator, _plan(lessons, open=False, invited=[people.tutor])
    )
    lesson = closed.lesson
    assert (
        lesson.kind is LessonKind.TEACHER_EVENT and lesson.cohort is None and lesson.subject is None
    )
    assert lesson.heading == "Тәлімгерлік сағат"
    assert [r.pupil_id for r in lesson.register] == [people.tutor.id]
    assert (
        db.session.query(Notification)
        .filter_by(user_id=people.tutor.id, kind="event-invited")
        .count()
        == 1
    )
    with pytest.raises(DomainError, match="another lesson"):  # the presenter is busy then
        events.schedule_event(
            people.coordinator, _plan(lessons, title="Семинар", start=time(15, 30))
        )
    with pytest.raises(Forbidden):
        events.register_for(people.other_advisor, closed)

    seminar = events.schedule_event(people.coordinator, _plan(
        lessons, title="Семинар: формативное оценивание", format=EventFormat.SEMINAR,
        presenter=people.other_advisor, start=time(17, 0)))  # fmt: skip
    events.register_for(people.tutor, seminar)
    with pytest.raises(Conflict):
        events.register_for(people.tutor, seminar)
    with pytest.raises(Conflict):
        events.register_for(people.other_advisor, seminar)  # the presenter
    with pytest.raises(Forbidden):
        events.register_for(people.pupil, seminar)
    events.register_for(people.advisor, seminar)
    events.unregister_from(people.advisor, seminar)
    assert [r.pupil_id for r in seminar.lesson.register] == [people.tutor.id]

    # The tutor's calendar has both events; another tutor's school's pupils have nothing to do with them.
    seen = set(
        db.session.scalars(
            visible_lessons(people.tutor).where(Lesson.kind == LessonKind.TEACHER_EVENT)
        )
    )
    assert seen == {lesson, seminar.lesson}
    assert set(db.session.scalars(visible_lessons(people.advisor).where(
        Lesson.kind == LessonKind.TEACHER_EVENT))) == {lesson}  # fmt: skip
    assert attendance.registers_to_confirm(people.tutor) == []  # a teacher's own row is no pupil's


def test_an_event_held_in_the_room(app: Flask, client: FlaskClient, auth: AuthActions,
                                   lessons: LessonHub) -> None:  # fmt: skip
    people = lessons.people
    event = events.schedule_event(
        people.coordinator, _plan(lessons, open=False, invited=[people.tutor])
    )
    lesson = _begun(event)
    presenter = room_client(app, "adv")
    assert ack(presenter, "join", {"lesson": lesson.id})["role"] == "advisor"
    teacher = room_client(app, "tut")
    assert ack(teacher, "join", {"lesson": lesson.id})["role"] == "pupil"  # a participant
    stranger = room_client(app, "adv2")
    assert ack(stranger, "join", {"lesson": lesson.id})["error"] == "not-found"
    with app.app_context():
        teacher.disconnect(namespace="/room")
        presenter.disconnect(namespace="/room")
    db.session.expire_all()
    spans = (
        db.session.query(PresenceInterval)
        .filter_by(lesson_id=lesson.id, user_id=people.tutor.id)
        .all()
    )
    assert len(spans) == 1 and spans[0].left_at is not None
    interval = spans[0]
    interval.joined_at, interval.left_at = (
        lesson.starts_at,
        lesson.starts_at + timedelta(minutes=55),
    )
    db.session.commit()
    presence.update_row(lesson, people.tutor.id)
    row = lesson.register[0]
    assert row.status is not None and row.status.value == "present" and row.minutes == 55

    auth.login("tut")
    assert client.get(f"/lessons/{lesson.id}").status_code == 200
    auth.logout()
    auth.login("adv2")
    assert client.get(f"/lessons/{lesson.id}").status_code == 404
    listed = client.get("/support/events").get_data(as_text=True)
    assert "Тәлімгерлік сағат" not in listed  # closed, and not theirs
    engine = app.extensions.get("media_engine")
    if engine is not None:
        engine.stop()


def test_the_events_pages(
    app: Flask, client: FlaskClient, auth: AuthActions, lessons: LessonHub
) -> None:
    people = lessons.people
    auth.login("coord")
    form = {"title": "Вебинар <b>жобалар</b>", "format": "webinar", "presenter": people.other_advisor.id,
            "subject": 0, "day": lessons.window_day.isoformat(), "start": "16:00", "duration": 60,
            "open": "y", "community": 0}  # fmt: skip
    bad = auth.post("/support/events/new", form | {"format": "party"})
    assert bad.status_code == 400
    bad = auth.post("/support/events/new", form | {"day": "2001-01-01"})
    assert bad.status_code == 400 and "outside the academic year" in bad.get_data(as_text=True), (
        re.sub(r"<[^>]+>", " ", bad.get_data(as_text=True))[-1500:]
    )
    assert auth.post("/support/events/new", form).status_code == 302
    event = db.session.query(TeacherEvent).one()
    auth.logout()
    auth.login("tut")
    page = client.get("/support/events").get_data(as_text=True)
    assert "Вебинар &lt;b&gt;жобалар&lt;/b&gt;" in page and "Register" in page
    assert client.get(f"/lessons/{event.lesson_id}").status_code == 404  # not registered yet
    assert auth.post(f"/support/events/{event.lesson_id}/register").status_code == 302
    assert client.get(f"/lessons/{event.lesson_id}").status_code == 200
    assert auth.post(f"/support/events/{event.lesson_id}/register").status_code == 409
    auth.logout()
    auth.login("pup")
    assert client.get("/support/events").status_code == 404
    assert auth.post(f"/support/events/{event.lesson_id}/register").status_code == 404
    auth.logout()
    auth.login("outsider")
    assert auth.post(f"/support/events/{event.lesson_id}/register").status_code == 404


def test_the_presenter_marks_the_register(app: Flask, client: FlaskClient, auth: AuthActions,
                                          lessons: LessonHub) -> None:  # fmt: skip
    """Any teacher may present; the presenter marks, and a participant cannot confirm their own
    row as a tutor confirms a pupil's."""
    people = lessons.people
    event = events.schedule_event(people.coordinator, _plan(lessons, presenter=people.tutor,
                                                            invited=[people.other_advisor]))  # fmt: skip
    lesson = _begun(event)
    row = lesson.register[0]
    auth.login("tut")  # the presenter, a tutor
    page = client.get(f"/lessons/{lesson.id}").get_data(as_text=True)
    assert "Participant" in page and "Change the time or topic" not in page
    assert auth.post(f"/lessons/{lesson.id}/register", {f"status-{row.id}": "present",
                                                        f"minutes-{row.id}": "50"}).status_code == 302  # fmt: skip
    assert client.get(f"/lessons/{lesson.id}/edit").status_code == 409
    db.session.expire_all()
    assert row.status is not None and row.status.value == "present" and row.minutes == 50
    event2 = events.schedule_event(people.coordinator, _plan(
        lessons, start=time(18, 0), presenter=people.other_advisor, invited=[people.tutor]))  # fmt: skip
    lesson2 = _begun(event2)
    own = lesson2.register[0]
    refused = auth.post(f"/lessons/{lesson2.id}/register", {f"status-{own.id}": "present",
                                                            f"reason-{own.id}": ""})  # fmt: skip
    assert refused.status_code == 403


def test_a_routes_mentoring_hour_held_in_the_room(app: Flask, client: FlaskClient, auth: AuthActions,
                                                 lessons: LessonHub) -> None:  # fmt: skip
    from intersession.methodics import subscription
    from intersession.methodics.models import DeficitKind, Format

    people = lessons.people
    request = subscription.ask_for_help(
        people.tutor, subscription.Asked(subject=None, difficulty="Саралау")
    )
    subscription.diagnose(
        people.coordinator, request, [(DeficitKind.METHODICAL, "Саралау")], people.advisor
    )
    step = subscription.add_step(people.advisor, request, subscription.StepPlan(
        Format.MENTORING_HOUR, "Тәлімгерлік сағат", lessons.window_day, people.advisor))  # fmt: skip
    with pytest.raises(Forbidden):
        events.hold_step_online(people.tutor, step, lessons.window_day, time(15), 45)
    auth.login("adv")  # the mentor
    bad = auth.post(
        f"/support/steps/{step.id}/online",
        {"day": "2001-01-01", "start": "15:00", "duration": "45"},
    )
    assert bad.status_code == 400 and "outside the academic year" in bad.get_data(as_text=True)
    sent = auth.post(f"/support/steps/{step.id}/online", {"day": lessons.window_day.isoformat(),
                                                          "start": "15:00", "duration": "45"})  # fmt: skip
    assert sent.status_code == 302
    db.session.expire_all()
    lesson = step.event_lesson
    assert lesson is not None and lesson.advisor_id == people.advisor.id
    assert [r.pupil_id for r in lesson.register] == [people.tutor.id]
    again = auth.post(f"/support/steps/{step.id}/online", {"day": lessons.window_day.isoformat(),
                                                           "start": "16:00", "duration": "45"})  # fmt: skip
    assert again.status_code == 400 and "already" in again.get_data(as_text=True)
    auth.logout()
    auth.login("tut")
    page = client.get(f"/support/{request.id}").get_data(as_text=True)
    assert f"/lessons/{lesson.id}" in page
    assert client.get(f"/lessons/{lesson.id}").status_code == 200


def test_an_event_is_nobody_elses(app: Flask, lessons: LessonHub) -> None:
    """Reminders of an event reach those taking part only (not their schools' tutors), the
    attendance report of pupils leaves its rows out, a teacher busy then is not invited or
    registered, and a removed step's event is cancelled and its teacher told."""
    from intersession.lessons import reminders
    from intersession.lessons.reports import Grouping, attendance_lines
    from intersession.methodics import subscription
    from intersession.methodics.models import DeficitKind, Format

    people = lessons.people
    event = events.schedule_event(
        people.coordinator, _plan(lessons, invited=[people.tutor], subject=people.subject)
    )
    assert reminders.recipients(event.lesson) == [people.tutor.id]
    with pytest.raises(DomainError, match="another lesson or event"):  # the tutor takes part then
        events.schedule_event(people.coordinator, _plan(lessons, presenter=people.other_advisor,
                                                        invited=[people.tutor]))  # fmt: skip
    clash = events.schedule_event(
        people.coordinator, _plan(lessons, presenter=people.other_advisor)
    )
    with pytest.raises(Conflict, match="another lesson or event"):
        events.register_for(people.tutor, clash)
    _begun(event)
    lines = attendance_lines(
        people.coordinator, lessons.today - timedelta(days=1), lessons.today, Grouping.PUPIL
    )
    assert all(line.name != people.tutor.full_name for line in lines)

    request = subscription.ask_for_help(
        people.tutor, subscription.Asked(subject=None, difficulty="x")
    )
    subscription.diagnose(
        people.coordinator, request, [(DeficitKind.METHODICAL, "x")], people.advisor
    )
    step = subscription.add_step(people.advisor, request, subscription.StepPlan(
        Format.MENTORING_HOUR, "Сағат", lessons.window_day, people.advisor))  # fmt: skip
    held = events.hold_step_online(people.advisor, step, lessons.window_day, time(18, 0), 45).lesson
    subscription.remove_step(people.advisor, step)
    db.session.expire_all()
    assert db.session.get(Lesson, held.id).cancelled  # type: ignore[union-attr]
    assert (
        db.session.query(Notification)
        .filter_by(user_id=people.tutor.id, kind="lesson-cancelled")
        .count()
        == 1
    )


def test_a_communitys_event_and_its_materials(app: Flask, client: FlaskClient, auth: AuthActions,
                                              lessons: LessonHub) -> None:  # fmt: skip
    from intersession.methodics import bank, communities
    from intersession.methodics.bank_models import ResourceKind

    people = lessons.people
    community = communities.create_community(people.coordinator, communities.CommunityPlan(
        name="Қауымдастық", theme="Бағалау", leading_school=people.hub, partners=[people.magnet],
        first_year=2026, last_year=2027))  # fmt: skip
    event = events.schedule_event(people.coordinator, _plan(lessons, community=community))
    taking_part = {r.pupil_id for r in event.lesson.register}
    assert not event.open and {people.tutor.id, people.other_advisor.id} <= taking_part
    assert people.advisor.id not in taking_part  # the presenter
    assert people.other_pupil.id not in taking_part  # pupils are no members
    item = bank.submit_resource(people.tutor, bank.ResourcePlan(title="Рубрика", kind=ResourceKind.OTHER,
                                                                link="https://example.org/r"), [])  # fmt: skip
    with pytest.raises(DomainError):  # not published yet
        events.attach_resource(people.advisor, event, item)
    bank.review_resource(people.coordinator, item, True, "")
    with pytest.raises(Forbidden):
        events.attach_resource(people.tutor, event, item)  # a participant, not the presenter
    auth.login("adv")
    assert (
        auth.post(f"/support/events/{event.lesson_id}/resources", {"resource": "x"}).status_code
        == 400
    )
    assert (
        auth.post(f"/support/events/{event.lesson_id}/resources", {"resource": item.id}).status_code
        == 302
    )
    auth.logout()
    auth.login("tut")
    assert f"/support/bank/{item.id}" in client.get("/support/events").get_data(as_text=True)
    card = client.get(f"/support/teachers/{people.tutor.id}").get_data(as_text=True)
    assert "Тәлімгерлік сағат" in card and "Қауымдастық" in card  # its event and its community
