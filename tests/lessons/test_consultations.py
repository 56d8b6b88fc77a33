"""Consultation requests through their states, and open slots booked by pupils."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from flask import Flask
from flask_babel import force_locale

from intersession.core.errors import Conflict, DomainError, Forbidden
from intersession.lessons import consultations, scheduling
from intersession.lessons.models import LessonKind, RequestState
from tests.conftest import AuthActions, LessonHub
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _english(app):  # type: ignore[no-untyped-def]
    with force_locale("en"):
        yield


def ask(lessons: LessonHub, actor=None, pupils=None):  # type: ignore[no-untyped-def]
    people = lessons.people
    data = consultations.RequestData(advisor=people.advisor, subject=people.subject,
                                     pupils=pupils or [people.pupil], topic="Жоба: күн батареясы",
                                     message="Графиктер түсініксіз", preferred_times="Сейсенбі, 15:00-тен кейін")  # fmt: skip
    return consultations.request_consultation(actor or people.pupil, data)


def test_request_accepted_by_scheduling(lessons: LessonHub) -> None:
    request = ask(lessons)
    assert request.state is RequestState.OPEN
    with pytest.raises(Forbidden):
        consultations.accept_request(
            lessons.people.other_advisor, request, lessons.window_day, time(15), 30
        )
    done = consultations.accept_request(
        lessons.people.advisor, request, lessons.window_day, time(15), 30
    )
    lesson = done.lesson
    assert request.state is RequestState.ACCEPTED and request.lesson is lesson
    assert lesson.kind is LessonKind.CONSULTATION and lesson.cohort is None
    assert [row.pupil_id for row in lesson.register] == [lessons.people.pupil.id]
    with pytest.raises(Conflict):
        consultations.decline_request(lessons.people.advisor, request, "late")


def test_request_declined_with_a_reason(lessons: LessonHub) -> None:
    request = ask(lessons)
    with pytest.raises(DomainError, match="Say why you decline"):
        consultations.decline_request(lessons.people.advisor, request, " ")
    consultations.decline_request(
        lessons.people.advisor, request, "Бұл тақырып келесі сабақта болады"
    )
    assert request.state is RequestState.DECLINED and request.decline_reason


def test_who_may_ask(lessons: LessonHub) -> None:
    people = lessons.people
    ask(lessons, actor=people.tutor)  # a tutor for a pupil of their school
    with pytest.raises(Forbidden):
        ask(lessons, actor=people.tutor, pupils=[people.other_pupil])  # another school's pupil
    with pytest.raises(Forbidden):
        ask(lessons, actor=people.pupil, pupils=[people.other_pupil])  # a pupil for someone else
    with pytest.raises(Forbidden):
        ask(lessons, actor=people.advisor)
    stranger = make_user("stranger", people.pupil.role, people.magnet, grade=9)  # in no cohort
    with pytest.raises(DomainError, match="does not teach"):
        ask(lessons, actor=stranger, pupils=[stranger])


def test_accepting_checks_the_pupils_time(lessons: LessonHub) -> None:
    scheduling.schedule_lesson(lessons.people.advisor, lessons.plan(start=time(15)))
    request = ask(lessons)
    other = lessons.people.other_advisor
    request.advisor = other  # as if asked of the physics advisor, who is free then
    request.subject = lessons.physics
    with pytest.raises(DomainError, match="A pupil has another lesson then"):
        consultations.accept_request(other, request, lessons.window_day, time(15, 30), 30)
    with pytest.raises(DomainError, match="intermediate session"):
        consultations.accept_request(other, request, lessons.intermediate_starts, time(15, 30), 30)


def test_slots_are_booked_up_to_capacity(lessons: LessonHub) -> None:
    people = lessons.people
    slot = consultations.offer_slot(people.advisor, people.subject, "Олимпиада есептері", lessons.window_day,
                                    time(16), 45, capacity=1)  # fmt: skip
    assert consultations.bookable(people.pupil, slot) and consultations.bookable(
        people.other_pupil, slot
    )
    stranger = make_user("stranger", people.pupil.role, people.magnet, grade=9)
    assert not consultations.bookable(stranger, slot)
    consultations.book_slot(people.pupil, slot)
    with pytest.raises(Conflict, match="booked this slot already"):
        consultations.book_slot(people.pupil, slot)
    with pytest.raises(Conflict, match="full"):
        consultations.book_slot(people.other_pupil, slot)
    consultations.cancel_booking(people.pupil, slot)
    consultations.book_slot(people.other_pupil, slot)
    with pytest.raises(Forbidden):
        consultations.offer_slot(
            people.advisor, lessons.physics, "", lessons.window_day, time(17), 30, 3
        )
    with pytest.raises(DomainError, match="1 to 30"):
        consultations.offer_slot(
            people.advisor, people.subject, "", lessons.window_day, time(18), 30, 31
        )


def test_pages_for_each_role(app: Flask, lessons: LessonHub) -> None:
    request = ask(lessons)
    slot = consultations.offer_slot(lessons.people.advisor, lessons.people.subject, "Slot", lessons.window_day,
                                    time(16), 45, capacity=3)  # fmt: skip
    expected = {
        "adv": 200,
        "adv2": 404,
        "tut": 200,
        "pup": 200,
        "pup2": 404,
        "outsider": 404,
        "coord": 200,
    }
    for login, status in expected.items():
        client = app.test_client()
        AuthActions(client).login(login)
        assert client.get(f"/consultations/{request.id}").status_code == status, login
        assert client.get("/consultations").status_code == 200
    pupil = AuthActions(app.test_client())
    pupil.login("pup2")  # may book: taught mathematics by the slot's advisor
    page = pupil.client.get("/consultations").get_data(as_text=True)
    assert "Book a place" in page and f"/lessons/{slot.id}" in page
    assert pupil.post(f"/lessons/{slot.id}/book").status_code == 302
    assert pupil.post(f"/lessons/{slot.id}/book").status_code == 409
    assert (
        pupil.post(
            f"/consultations/{request.id}", {"answer": "decline", "decline-reason": "x"}
        ).status_code
        == 404
    )
    advisor = AuthActions(app.test_client())
    advisor.login("adv")
    bad = advisor.post(f"/consultations/{request.id}", {"answer": "accept", "accept-day": "2026-13-01",
                                                         "accept-start": "10:00", "accept-duration": "30"})  # fmt: skip
    assert bad.status_code == 400 and "Not a valid date value." in bad.get_data(as_text=True)
    day = (lessons.window_day + timedelta(days=1)).isoformat()
    good = advisor.post(f"/consultations/{request.id}", {"answer": "accept", "accept-day": day,
                                                          "accept-start": "10:00", "accept-duration": "30"})  # fmt: skip
    assert good.status_code == 302 and "/lessons/" in good.location
    tutor = AuthActions(app.test_client())
    tutor.login("tut")
    assert "scheduled" in tutor.client.get(f"/consultations/{request.id}").get_data(as_text=True)
    form = tutor.post(
        "/consultations/ask", {"teaching": "0", "pupils": [lessons.people.pupil.id], "topic": ""}
    )
    assert form.status_code == 400


def test_both_sides_are_told(lessons: LessonHub) -> None:
    from sqlalchemy import select

    from intersession.core.db import db
    from intersession.notifications.models import Notification
    from intersession.notifications.services import text_of

    def texts(user_id: int) -> list[str]:
        query = (
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
        return [text_of(n) for n in db.session.scalars(query)]

    request = ask(lessons, actor=lessons.people.tutor)
    assert texts(lessons.people.advisor.id) == ["Tut asks for a consultation: Жоба: күн батареясы."]
    consultations.decline_request(lessons.people.advisor, request, "Келесі сабақта талдаймыз")
    expected = ["Consultation declined: Жоба: күн батареясы. Келесі сабақта талдаймыз"]
    assert texts(lessons.people.pupil.id) == expected and texts(lessons.people.tutor.id) == expected
