"""Presence left open by a web process that died: the room's live sockets are seen on a heartbeat
(kept in the database, shared by every web instance), and a periodic task ends the intervals of
sockets not seen for PRESENCE_TIMEOUT_SECONDS at the moment they were last seen."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from intersession.core.db import db, utcnow
from intersession.lessons.models import Presence, PresenceInterval, PresenceSource
from intersession.rooms.tasks import close_unseen_presence
from tests.assignments.test_pages import signed_in
from tests.conftest import LessonHub
from tests.rooms.test_signalling import ack, room_client


def open_interval(lesson_id: int, user_id: int) -> PresenceInterval:
    return db.session.query(PresenceInterval).filter_by(lesson_id=lesson_id, user_id=user_id,
                                                        left_at=None).one()  # fmt: skip


def test_unseen_sockets_are_closed_at_their_last_sight_and_live_ones_go_on(
    app: Flask, lessons: LessonHub
) -> None:
    people = lessons.people
    lesson = lessons.started_lesson()  # began ten minutes ago, 45 minutes long
    gone, live = room_client(app, "pup"), room_client(app, "pup2")
    assert ack(gone, "join", {"lesson": lesson.id})["role"] == "pupil"
    assert ack(live, "join", {"lesson": lesson.id})["role"] == "pupil"
    # The process serving `gone` died three minutes into the lesson: nobody disconnected it,
    # nothing has refreshed it since. `live` has been in since the start as well.
    lost = open_interval(lesson.id, people.pupil.id)
    last_seen = lesson.starts_at + timedelta(minutes=3)
    lost.joined_at, lost.seen_at = lesson.starts_at, last_seen
    kept = open_interval(lesson.id, people.other_pupil.id)
    kept.joined_at = kept.seen_at = lesson.starts_at
    db.session.commit()
    before = utcnow()
    assert ack(live, "seen") == {"ok": True}  # the page's heartbeat
    db.session.expire_all()
    assert kept.seen_at is not None and kept.seen_at >= before

    assert close_unseen_presence() == 1
    assert close_unseen_presence() == 0  # run again (two beats at once): nothing more
    db.session.expire_all()
    assert lost.left_at == last_seen  # when last seen, not when swept
    assert kept.left_at is None
    rows = {row.pupil_id: row for row in lesson.register}
    assert (rows[people.pupil.id].status, rows[people.pupil.id].minutes) == (Presence.PARTLY, 3)
    assert rows[people.pupil.id].source is PresenceSource.ONLINE

    # The timeout is a setting: a socket quiet for less than it is left alone.
    app.config["PRESENCE_TIMEOUT_SECONDS"] = 3600
    kept.seen_at = lesson.starts_at
    db.session.commit()
    assert close_unseen_presence() == 0
    app.config["PRESENCE_TIMEOUT_SECONDS"] = 60
    assert close_unseen_presence() == 1

    # A socket that was only slow comes back on its next heartbeat: it counts again from then.
    assert ack(gone, "seen") == {"ok": True}
    again = open_interval(lesson.id, people.pupil.id)
    assert again.id != lost.id and again.joined_at >= before
    with app.app_context():
        gone.disconnect(namespace="/room")
    db.session.expire_all()
    assert again.left_at is not None


def test_the_classroom_heartbeat_keeps_its_ticked_pupils(app: Flask, lessons: LessonHub) -> None:
    lesson = lessons.started_lesson()
    classroom = room_client(app, "tut")
    ack(classroom, "join", {"lesson": lesson.id})
    ack(classroom, "tick", {"pupil": lessons.people.pupil.id, "present": True})
    ticked = open_interval(lesson.id, lessons.people.pupil.id)
    ticked.seen_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert ack(classroom, "seen") == {"ok": True}
    assert close_unseen_presence() == 0
    db.session.expire_all()
    assert ticked.left_at is None and ticked.via_classroom


def test_a_heartbeat_before_joining_is_refused(app: Flask, lessons: LessonHub) -> None:
    assert ack(room_client(app, "pup"), "seen") == {"error": "not-allowed"}


def test_the_room_page_beats_three_times_inside_the_timeout(app: Flask, lessons: LessonHub) -> None:
    lesson = lessons.started_lesson()
    page = signed_in(app, "pup").client.get(f"/lessons/{lesson.id}/room").get_data(as_text=True)
    assert 'data-heartbeat="20"' in page


def test_intervals_carry_their_instance_and_end_when_it_stops_beating(
    app: Flask, lessons: LessonHub
) -> None:
    from intersession.rooms import presence

    lesson = lessons.started_lesson()
    ours = room_client(app, "pup")
    assert ack(ours, "join", {"lesson": lesson.id})["role"] == "pupil"
    held = open_interval(lesson.id, lessons.people.pupil.id)
    assert held.instance == app.extensions["room_instance"]
    # Another pupil's socket held by an instance that has since stopped beating.
    other = PresenceInterval(lesson_id=lesson.id, user_id=lessons.people.other_pupil.id,
                             joined_at=lesson.starts_at, seen_at=lesson.starts_at + timedelta(minutes=2),
                             instance="web-b-77-abcdef")  # fmt: skip
    db.session.add(other)
    db.session.commit()
    assert presence.close_held_by_gone({held.instance or ""}) == {other.id}
    db.session.expire_all()
    assert other.left_at == lesson.starts_at + timedelta(minutes=2)  # when last seen
    assert held.left_at is None  # the living instance's interval goes on
