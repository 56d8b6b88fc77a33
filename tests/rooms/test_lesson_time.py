"""The room hears that its lesson's planned end is near, and that it has come: from the beat task
(rooms/lesson_time.py), by the server's clock and the lesson as planned now. What a Celery worker
tells a room reaches it through the embedded broker (NoticeDrain; across processes in
tests/test_server.py) or Redis (tests/scaled)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from intersession.core.db import db
from intersession.lessons import scheduling
from intersession.lessons.models import Lesson, LessonState
from intersession.rooms.lesson_time import tell_lesson_time
from intersession.rooms.notices import NoticeDrain
from tests.conftest import LessonHub
from tests.rooms.test_signalling import ack, room_client


def ending_in(lessons: LessonHub, minutes: float, day: int) -> Lesson:
    """A 45-minute lesson moved to end `minutes` from now (negative: ended that long ago)."""
    plan = lessons.plan(day=lessons.window_day + timedelta(days=day))
    lesson = scheduling.schedule_lesson(lessons.people.advisor, plan).lesson
    lesson.starts_at = datetime.now(UTC) + timedelta(minutes=minutes - 45)
    db.session.commit()
    return lesson


def in_room(app: Flask, login: str, lesson: Lesson) -> Any:
    client = room_client(app, login)
    assert "error" not in ack(client, "join", {"lesson": lesson.id})
    client.get_received("/room")  # what joining said
    return client


def told(client: Any) -> list[dict[str, Any]]:
    return [m["args"][0] for m in client.get_received("/room") if m["name"] == "lesson-time"]


def test_the_room_is_told_five_minutes_before_the_planned_end_and_when_it_comes(
    app: Flask, lessons: LessonHub
) -> None:
    soon, over, later = (ending_in(lessons, m, day) for day, m in enumerate((5, -0.5, 20)))
    ended, cancelled = ending_in(lessons, 5, 3), ending_in(lessons, 5, 4)
    ended.room_ended_at = datetime.now(UTC)
    cancelled.state, cancelled.cancel_reason = LessonState.CANCELLED, "Ill"
    db.session.commit()
    at_soon, at_over, at_later = (in_room(app, "pup", one) for one in (soon, over, later))

    now = datetime.now(UTC)
    assert tell_lesson_time(now) == 2  # not the later lesson, the ended room or the cancelled one
    assert told(at_soon) == [{"minutes": 5, "ends_at": soon.ends_at.isoformat()}]
    assert told(at_over) == [{"minutes": 0, "ends_at": over.ends_at.isoformat()}]
    assert told(at_later) == []

    # The next beat, a minute on, says it again (a late beat misses nothing); after that, no more.
    assert tell_lesson_time(now + timedelta(minutes=1)) == 2
    assert tell_lesson_time(now + timedelta(minutes=3)) == 0

    # The advisor shortened a lesson as it went on: its room is told by the lesson as it is now.
    later.duration_minutes -= 15  # it ends in 5 minutes
    db.session.commit()
    assert tell_lesson_time(datetime.now(UTC)) == 3  # the two told before, again, and this one
    assert told(at_later)[0]["minutes"] == 5


def test_a_lesson_shorter_than_the_warning_is_told_only_at_its_end(
    app: Flask, lessons: LessonHub
) -> None:
    app.config["LESSON_END_WARNING_MINUTES"] = 10
    short = ending_in(lessons, 0, 0)
    begun = datetime.now(UTC) - timedelta(seconds=30)
    short.starts_at, short.duration_minutes = begun, 9  # "10 minutes left" would come before it
    db.session.commit()
    client = in_room(app, "pup", short)
    assert tell_lesson_time(datetime.now(UTC)) == 0
    assert tell_lesson_time(short.ends_at) == 1
    assert [one["minutes"] for one in told(client)] == [0]


def test_the_drain_emits_only_well_formed_fresh_notices(app: Flask, lessons: LessonHub) -> None:
    lesson = ending_in(lessons, 5, 0)
    client = in_room(app, "pup", lesson)
    drain = NoticeDrain(app)
    notice = {
        "lesson": lesson.id,
        "event": "lesson-time",
        "data": {"minutes": 5},
        "at": time.time(),
    }
    assert drain.deliver(notice)
    for bad in ("text", notice | {"lesson": str(lesson.id)}, notice | {"data": [1]},
                notice | {"at": "now"}, notice | {"at": time.time() - 600}):  # fmt: skip
        assert not drain.deliver(bad)
    assert told(client) == [{"minutes": 5}]
