"""The room's controls through the Socket.IO test client: the participant list, hands and the floor,
muting, removing, locking, classroom ticks, audio only, rate limits, and sign-out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from intersession.auth.models import Role
from intersession.core.db import db
from intersession.lessons.models import AttendanceRow, Presence, PresenceInterval, PresenceSource
from tests.conftest import AuthActions, LessonHub
from tests.factories import make_user
from tests.rooms.test_signalling import ack, room_client, started


@pytest.fixture(autouse=True)
def stop_engine(app: Flask) -> Iterator[None]:
    yield
    engine = app.extensions.get("media_engine")
    if engine is not None:
        engine.stop()


def received(client: Any, name: str) -> list[Any]:
    return [p["args"][0] for p in client.get_received("/room") if p["name"] == name]


def pid_of(roster: list[dict[str, Any]], name: str) -> str:
    return next(p["id"] for p in roster if p["name"] == name)


def test_an_uninvited_pupil_sees_no_roster(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    make_user(
        "pup9", Role.PUPIL, lessons.people.magnet, grade=9
    )  # of the school, not of the cohort
    db.session.commit()
    ack(room_client(app, "pup"), "join", {"lesson": lesson_id})
    other = room_client(app, "pup9")
    assert ack(other, "join", {"lesson": lesson_id}) == {"error": "not-found"}
    assert ack(other, "chat", {"text": "hi"}) == {"error": "not-allowed"}
    assert received(other, "roster") == [] and received(other, "chat") == []


def test_the_roster_hands_and_the_floor(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    advisor, pupil = room_client(app, "adv"), room_client(app, "pup")
    ack(advisor, "join", {"lesson": lesson_id})
    me = ack(pupil, "join", {"lesson": lesson_id})["me"]
    assert ack(pupil, "state", {"state": "connected"}) == {"ok": True}
    assert ack(pupil, "state", {"state": "<b>"}) == {"error": "bad-request"}
    assert ack(pupil, "hand", {"raised": True}) == {"ok": True}
    roster = received(advisor, "roster")[-1]
    assert [(p["role"], p["state"], p["hand"]) for p in roster] == [
        ("advisor", "new", False),
        ("pupil", "connected", True),
    ]
    # The pupil cannot give themself the floor, publish without it, or moderate.
    assert ack(pupil, "floor", {"participant": me, "give": True}) == {"error": "not-allowed"}
    assert ack(pupil, "publish", {"sdp": "v=0", "source": "camera"}) == {"error": "not-allowed"}
    for event, data in (("mute_all", {}), ("remove", {"participant": me}), ("lock", {"locked": True}),
                        ("mute", {"participant": me}), ("tick", {"pupil": 1, "present": True})):  # fmt: skip
        assert ack(pupil, event, data) == {"error": "not-allowed"}, event
    assert ack(advisor, "floor", {"participant": "nobody", "give": True}) == {
        "error": "no-participant"
    }
    assert ack(advisor, "floor", {"participant": me, "give": True, "camera": False}) == {"ok": True}
    assert received(pupil, "floor") == [{"give": True, "camera": False}]
    assert [(p["hand"], p["floor"]) for p in received(advisor, "roster")[-1] if p["id"] == me] == [
        (False, True)
    ]
    assert ack(advisor, "mute_all") == {"ok": True}
    events = [(p["name"], p["args"][0]) for p in pupil.get_received("/room")]
    assert ("floor", {"give": False}) in events and ("muted", {}) in events


def test_turning_ones_own_microphone_or_camera_off_is_in_everyones_list(
    app: Flask, lessons: LessonHub
) -> None:
    lesson_id = started(lessons)
    advisor, pupil = room_client(app, "adv"), room_client(app, "pup")
    ack(advisor, "join", {"lesson": lesson_id})
    me = ack(pupil, "join", {"lesson": lesson_id})["me"]
    assert ack(advisor, "media_state", {"microphone": False, "camera": True}) == {"ok": True}
    advisor_entry = received(pupil, "roster")[-1][0]
    assert (advisor_entry["microphone_off"], advisor_entry["camera_off"]) == (True, False)
    for bad in ({}, {"microphone": "off", "camera": True}, {"microphone": False}, [False]):
        assert ack(advisor, "media_state", bad) == {"error": "bad-request"}, bad
    # A pupil's turn with the floor starts heard and seen, whatever they chose last time.
    assert ack(pupil, "media_state", {"microphone": False, "camera": False}) == {"ok": True}
    ack(advisor, "floor", {"participant": me, "give": True, "camera": True})
    entry = next(p for p in received(advisor, "roster")[-1] if p["id"] == me)
    assert (entry["floor"], entry["microphone_off"], entry["camera_off"]) == (True, False, False)


def test_a_removed_pupil_cannot_come_back(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    advisor, pupil = room_client(app, "adv"), room_client(app, "pup")
    ack(advisor, "join", {"lesson": lesson_id})
    me = ack(pupil, "join", {"lesson": lesson_id})["me"]
    assert ack(advisor, "remove", {"participant": me}) == {"ok": True}
    assert not pupil.is_connected("/room")
    assert ack(room_client(app, "pup"), "join", {"lesson": lesson_id}) == {"error": "removed"}
    roster = received(advisor, "roster")[-1]
    assert [p["role"] for p in roster] == ["advisor"]


def test_a_locked_room_takes_back_only_those_who_were_in(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    advisor, pupil = room_client(app, "adv"), room_client(app, "pup")
    ack(advisor, "join", {"lesson": lesson_id})
    ack(pupil, "join", {"lesson": lesson_id})
    assert ack(advisor, "lock", {"locked": "yes"}) == {"error": "bad-request"}
    assert ack(advisor, "lock", {"locked": True}) == {"ok": True}
    assert received(pupil, "locked") == [{"locked": True}]
    with app.app_context():
        pupil.disconnect(namespace="/room")
    assert ack(room_client(app, "pup"), "join", {"lesson": lesson_id})["role"] == "pupil"
    assert ack(room_client(app, "tut"), "join", {"lesson": lesson_id}) == {"error": "locked"}
    assert ack(advisor, "lock", {"locked": False}) == {"ok": True}
    assert ack(room_client(app, "tut"), "join", {"lesson": lesson_id})["role"] == "classroom"


def test_an_event_for_another_room_goes_nowhere(app: Flask, lessons: LessonHub) -> None:
    first = started(lessons)
    second = started(lessons, minutes_ago=2)
    advisor, pupil, other = (
        room_client(app, "adv"),
        room_client(app, "pup"),
        room_client(app, "pup"),
    )
    ack(advisor, "join", {"lesson": first})
    ack(pupil, "join", {"lesson": first})
    other_me = ack(other, "join", {"lesson": second})["me"]
    # The room is the server's record of the socket: the payload's lesson id is not looked at.
    assert ack(pupil, "chat", {"text": "to the second?", "lesson": second}) == {"ok": True}
    assert received(other, "chat") == []
    assert ack(advisor, "remove", {"participant": other_me, "lesson": second}) == {
        "error": "no-participant"
    }
    assert ack(other, "state", {"state": "connected"}) == {"ok": True}  # still in
    assert ack(pupil, "join", {"lesson": second}) == {"error": "already-joined"}


def test_a_flood_is_limited_and_other_rooms_go_on(app: Flask, lessons: LessonHub) -> None:
    first, second = started(lessons), started(lessons, minutes_ago=2)
    flooder, calm = room_client(app, "pup"), room_client(app, "adv")
    ack(flooder, "join", {"lesson": first})
    ack(calm, "join", {"lesson": second})
    replies = []
    for _ in range(1000):
        if not flooder.is_connected("/room"):
            break
        replies.append(ack(flooder, "state", {"state": "connected"}))
    # The burst goes through, then about ten a second; a socket that keeps on is cut off.
    assert replies.count({"ok": True}) < 100
    assert replies.count({"error": "too-many"}) >= 400
    assert not flooder.is_connected("/room")
    assert ack(calm, "state", {"state": "connected"}) == {"ok": True}
    assert ack(calm, "chat", {"text": "still here"}) == {"ok": True}


def test_signing_out_drops_the_socket(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    pupil = room_client(app, "pup")
    ack(pupil, "join", {"lesson": lesson_id})
    elsewhere = room_client(app, "pup")  # the same person in another browser stays
    assert pupil.is_connected("/room") and elsewhere.is_connected("/room")
    with app.app_context():
        AuthActions(pupil.http).logout()
    assert not pupil.is_connected("/room")
    assert elsewhere.is_connected("/room")


def test_classroom_ticks_count_in_the_register(app: Flask, lessons: LessonHub) -> None:
    lesson = lessons.started_lesson()
    people = lessons.people
    second = make_user("pup3", Role.PUPIL, people.magnet, grade=9)
    people.cohort.pupils.append(second)  # invited: in the cohort, with a row of the register
    lesson.register.append(AttendanceRow(pupil=second))
    db.session.commit()
    app.config["ATTENDANCE_PRESENT_SHARE"] = 0.0
    classroom = room_client(app, "tut")
    joined = ack(classroom, "join", {"lesson": lesson.id})
    assert joined["role"] == "classroom"
    assert [p["present"] for p in joined["pupils"]] == [False, False]
    assert ack(classroom, "tick", {"pupil": people.other_pupil.id, "present": True}) == {
        "error": "no-pupil"
    }  # not of this lesson
    ack(classroom, "tick", {"pupil": people.pupil.id, "present": True})
    reply = ack(classroom, "tick", {"pupil": second.id, "present": True})
    assert [p["present"] for p in reply["pupils"]] == [True, True]
    with app.app_context():
        classroom.disconnect(namespace="/room")
    db.session.expire_all()
    rows = {row.pupil_id: row for row in lesson.register}
    for pupil_id in (people.pupil.id, second.id):
        assert rows[pupil_id].source is PresenceSource.CLASSROOM
        assert rows[pupil_id].status is Presence.PRESENT
    # Back after a dropped link, the ticks are still there.
    classroom = room_client(app, "tut")
    again = ack(classroom, "join", {"lesson": lesson.id})
    assert [p["present"] for p in again["pupils"]] == [True, True]
    # One microphone per classroom: a ticked pupil on a computer of their own gets no floor.
    advisor, pupil = room_client(app, "adv"), room_client(app, "pup")
    ack(advisor, "join", {"lesson": lesson.id})
    me = ack(pupil, "join", {"lesson": lesson.id})["me"]
    assert ack(advisor, "floor", {"participant": me, "give": True}) == {"error": "no-floor"}
    assert ack(advisor, "floor", {"participant": again["me"], "give": True}) == {"ok": True}


def test_audio_only_is_remembered_for_the_school(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    pupil = room_client(app, "pup")
    assert ack(pupil, "join", {"lesson": lesson_id})["audio_only"] is False
    assert ack(pupil, "audio_only", {"on": "yes"}) == {"error": "bad-request"}
    assert ack(pupil, "audio_only", {"on": True}) == {"ok": True}
    assert ack(room_client(app, "tut"), "join", {"lesson": lesson_id})["audio_only"] is True
    assert ack(room_client(app, "adv"), "join", {"lesson": lesson_id})["audio_only"] is False


def test_the_advisor_ends_the_lesson_and_may_open_it_again(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    advisor, pupil = room_client(app, "adv"), room_client(app, "pup")
    ack(advisor, "join", {"lesson": lesson_id})
    ack(pupil, "join", {"lesson": lesson_id})
    assert ack(pupil, "end") == {"error": "not-allowed"}
    assert ack(advisor, "end") == {"ok": True}
    assert not pupil.is_connected("/room") and not advisor.is_connected("/room")
    assert [p["name"] for p in pupil.queue if p["name"] == "ended"] == ["ended"]  # told first
    interval = db.session.query(PresenceInterval).filter_by(lesson_id=lesson_id).one()
    db.session.refresh(interval)
    assert interval.left_at is not None  # the time in the room stopped counting
    assert ack(room_client(app, "pup"), "join", {"lesson": lesson_id}) == {"error": "ended"}
    assert ack(room_client(app, "adv"), "join", {"lesson": lesson_id}) == {"error": "ended"}

    page = pupil.http.get(f"/lessons/{lesson_id}/room")
    assert page.status_code == 200 and "Open the room again" not in page.get_data(as_text=True)
    assert AuthActions(pupil.http).post(f"/lessons/{lesson_id}/room/reopen").status_code == 403
    reopened = AuthActions(advisor.http).post(f"/lessons/{lesson_id}/room/reopen")
    assert reopened.status_code == 302
    assert ack(room_client(app, "pup"), "join", {"lesson": lesson_id})["role"] == "pupil"


def test_deactivation_drops_the_socket(app: Flask, lessons: LessonHub) -> None:
    from intersession.schools.people import set_person_active

    lesson_id = started(lessons)
    pupil = room_client(app, "pup")
    ack(pupil, "join", {"lesson": lesson_id})
    with app.app_context():
        set_person_active(
            db.session.merge(lessons.people.coordinator),
            db.session.merge(lessons.people.pupil),
            False,
        )
    assert not pupil.is_connected("/room")


def test_the_roster_names_who_sits_behind_a_classroom(app: Flask, lessons: LessonHub) -> None:
    lesson = lessons.started_lesson()
    people = lessons.people
    second = make_user("pup3", Role.PUPIL, people.magnet, grade=9, name="Қасымова Ару")
    people.cohort.pupils.append(second)
    lesson.register.append(AttendanceRow(pupil=second))
    db.session.commit()
    advisor, classroom = room_client(app, "adv"), room_client(app, "tut")
    ack(advisor, "join", {"lesson": lesson.id})
    joined = ack(classroom, "join", {"lesson": lesson.id})
    assert {p["name"] for p in joined["pupils"]} == {"Сәрсенбаев Әлихан", "Қасымова Ару"}
    ack(classroom, "tick", {"pupil": second.id, "present": True})
    roster = received(advisor, "roster")[-1]
    seat = next(p for p in roster if p["role"] == "classroom")
    assert seat["ticked"] == ["Қасымова Ару"]

    # A pupil on a computer of their own is in the room already: not offered, not tickable.
    own = room_client(app, "pup")
    ack(own, "join", {"lesson": lesson.id})
    offered = received(classroom, "pupils")[-1]["pupils"]
    assert [p["name"] for p in offered] == ["Қасымова Ару"]
    assert ack(classroom, "tick", {"pupil": people.pupil.id, "present": True}) == {
        "error": "on-own-device"
    }
    with app.app_context():
        own.disconnect(namespace="/room")
    offered = received(classroom, "pupils")[-1]["pupils"]
    assert {p["name"] for p in offered} == {
        "Сәрсенбаев Әлихан",
        "Қасымова Ару",
    }  # gone: offered again
    reply = ack(classroom, "tick", {"pupil": second.id, "present": False})
    assert not any(p["present"] for p in reply["pupils"])
    seat = next(p for p in received(advisor, "roster")[-1] if p["role"] == "classroom")
    assert seat["ticked"] == []
