"""Polls in the live room through the real Socket.IO server: asked, answered (by pupils, by a
classroom computer for the pupils it ticked, by its tutor's counts), closed and published; every
bad question and answer refused with its code and nothing kept."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from intersession.auth.models import Role
from intersession.core.db import db
from intersession.lessons.models import AttendanceRow, Lesson
from intersession.polls.asking import ANSWER_BURST
from intersession.polls.models import Poll, PollAnswer, PollCount
from tests.conftest import LessonHub
from tests.factories import make_user
from tests.rooms.test_room_control import received, stop_engine  # noqa: F401  (a fixture)
from tests.rooms.test_signalling import ack, room_client


def with_classmate(lessons: LessonHub) -> tuple[Lesson, int]:
    """A started lesson with a second pupil of the tutor's school, who sits in the classroom."""
    lesson = lessons.started_lesson()
    classmate = make_user("pup3", Role.PUPIL, lessons.people.magnet, grade=9, name="Бекова Дана")
    lessons.people.cohort.pupils.append(classmate)
    lesson.register.append(AttendanceRow(pupil=classmate))
    db.session.commit()
    return lesson, classmate.id


def events(client: Any) -> dict[str, list[Any]]:
    """What the client was sent since it was last asked, by event (read once: the queue drains)."""
    sent: dict[str, list[Any]] = {}
    for packet in client.get_received("/room"):
        sent.setdefault(packet["name"], []).append(packet["args"][0])
    return sent


SINGLE = {"question": "x² = 4, x > 0. x = ?", "kind": "single", "options": ["1", "2", "−2"]}


def test_a_poll_through_its_states_with_a_classroom_computer(
    app: Flask, lessons: LessonHub
) -> None:
    lesson, classmate = with_classmate(lessons)
    advisor, pupil, classroom = (room_client(app, login) for login in ("adv", "pup", "tut"))
    for client in (advisor, pupil, classroom):
        assert "error" not in ack(client, "join", {"lesson": lesson.id})
    assert ack(classroom, "tick", {"pupil": classmate, "present": True})["pupils"]
    assert ack(pupil, "poll_ask", SINGLE) == {"error": "not-allowed"}
    asked = ack(advisor, "poll_ask", SINGLE)
    poll_id = asked["id"]
    shown = events(pupil)["poll"][-1]
    assert shown == {
        "id": poll_id,
        "question": SINGLE["question"],
        "kind": "single",
        "options": ["1", "2", "−2"],
        "state": "open",
    }  # fmt: skip (no results)
    events(advisor)
    # The pupil answers, then changes their mind: the advisor sees the results at once.
    assert ack(pupil, "poll_answer", {"poll": poll_id, "choices": [0]})["answer"] == {
        "choices": [0]
    }
    assert events(advisor)["poll-results"][-1]["results"] == {"answered": 1, "counts": [1, 0, 0]}
    ack(pupil, "poll_answer", {"poll": poll_id, "choices": [1]})
    assert events(advisor)["poll-results"][-1]["results"] == {"answered": 1, "counts": [0, 1, 0]}
    assert "poll-results" not in events(pupil)  # not published: the advisor's alone
    # The classroom computer answers for the pupil it ticked, not for one on their own computer.
    assert ack(classroom, "poll_answer", {"poll": poll_id, "pupil": classmate, "choices": [1]})[
        "ok"
    ]
    pupil_id = lessons.people.pupil.id
    assert ack(classroom, "poll_answer", {"poll": poll_id, "pupil": pupil_id, "choices": [0]}) == {
        "error": "no-pupil"
    }
    assert ack(
        classroom, "poll_answer", {"poll": poll_id, "pupil": [classmate], "choices": [0]}
    ) == {"error": "bad-request"}
    # Every bad answer is refused with its code.
    for bad in ({"choices": [3]}, {"choices": [0, 1]}, {"choices": []}, {"choices": "1"},
                {"choices": [True]}, {"number": 2}, {"choices": [0, 0]}):  # fmt: skip
        assert ack(pupil, "poll_answer", {"poll": poll_id, **bad}) == {"error": "bad-answer"}, bad
    assert ack(pupil, "poll_answer", {"poll": 10**6, "choices": [0]}) == {"error": "no-poll"}
    assert ack(pupil, "poll_answer", {"poll": True, "choices": [0]}) == {"error": "bad-request"}
    assert ack(pupil, "poll_answer", [poll_id]) == {"error": "bad-request"}
    assert ack(pupil, "poll_close", {"poll": poll_id}) == {"error": "not-allowed"}
    # Closed: no more answers; the pupils see it closed, still without results.
    assert ack(advisor, "poll_close", {"poll": poll_id}) == {"ok": True}
    closed = events(pupil)["poll"][-1]
    assert closed["state"] == "closed" and "results" not in closed
    assert ack(pupil, "poll_answer", {"poll": poll_id, "choices": [2]}) == {"error": "poll-closed"}
    # Published: everyone sees the results, a late joiner too, with their own answer.
    assert ack(advisor, "poll_publish", {"poll": poll_id}) == {"ok": True}
    published = events(pupil)["poll"][-1]
    assert published["state"] == "published"
    assert published["results"] == {"answered": 2, "counts": [0, 2, 0]}
    again = room_client(app, "pup")
    rejoined = ack(again, "join", {"lesson": lesson.id})["poll"]
    assert rejoined["results"]["counts"] == [0, 2, 0] and rejoined["mine"] == {"choices": [1]}
    kept = {a.pupil_id: a for a in db.session.scalars(select(PollAnswer))}
    assert kept[classmate].given_by_id == lessons.people.tutor.id
    assert kept[pupil_id].given_by_id == pupil_id and kept[pupil_id].choices == [1]


def test_yes_no_number_and_the_classrooms_counts(app: Flask, lessons: LessonHub) -> None:
    lesson, classmate = with_classmate(lessons)
    advisor, pupil, classroom = (room_client(app, login) for login in ("adv", "pup", "tut"))
    for client in (advisor, pupil, classroom):
        ack(client, "join", {"lesson": lesson.id})
    ack(classroom, "tick", {"pupil": classmate, "present": True})
    yes_no = ack(advisor, "poll_ask", {"question": "Бәрі түсінікті ме?", "kind": "yes-no"})["id"]
    assert ack(pupil, "poll_answer", {"poll": yes_no, "choices": [1]})["ok"]
    assert ack(pupil, "poll_answer", {"poll": yes_no, "choices": [2]}) == {"error": "bad-answer"}
    # The tutor counts hands for the one pupil behind the computer: more is refused.
    assert ack(classroom, "poll_count", {"poll": yes_no, "counts": [2, 0]}) == {
        "error": "bad-answer"
    }
    assert ack(classroom, "poll_count", {"poll": yes_no, "counts": [1]}) == {"error": "bad-answer"}
    assert ack(pupil, "poll_count", {"poll": yes_no, "counts": [1, 0]}) == {"error": "not-allowed"}
    assert ack(classroom, "poll_count", {"poll": yes_no, "counts": [1, 0]})["ok"]
    assert ack(classroom, "poll_count", {"poll": yes_no, "counts": [0, 1]})["ok"]  # replaced
    results = events(advisor)["poll-results"][-1]["results"]
    assert results == {"answered": 2, "counts": [0, 2]}
    assert db.session.scalar(select(func.count()).select_from(PollCount)) == 1
    # A number: asking the next poll closes this one.
    number = ack(advisor, "poll_ask", {"question": "3,5 · 2 = ?", "kind": "number"})["id"]
    assert db.session.get(Poll, yes_no).state == "closed"
    assert ack(pupil, "poll_answer", {"poll": yes_no, "choices": [0]}) == {"error": "poll-closed"}
    for bad in ({"number": "7"}, {"number": True}, {"number": 1e12}, {"choices": [0]}):
        assert ack(pupil, "poll_answer", {"poll": number, **bad}) == {"error": "bad-answer"}, bad
    assert ack(classroom, "poll_count", {"poll": number, "counts": []}) == {"error": "bad-answer"}
    assert ack(pupil, "poll_answer", {"poll": number, "number": 7})["ok"]
    assert ack(classroom, "poll_answer", {"poll": number, "pupil": classmate, "number": 7.5})["ok"]
    results = events(advisor)["poll-results"][-1]["results"]
    assert results["answered"] == 2 and results["median"] == 7.25
    assert (results["lowest"], results["highest"]) == (7, 7.5)
    # Multiple choice: the tutor says how many answered, at least the most chosen.
    several = ack(advisor, "poll_ask", {"question": "Жай сандар?", "kind": "multiple",
                                        "options": ["2", "9", "11"]})["id"]  # fmt: skip
    assert ack(pupil, "poll_answer", {"poll": several, "choices": [2, 0]})["answer"] == {
        "choices": [0, 2]
    }
    counted = {"poll": several, "counts": [1, 0, 1]}
    assert ack(classroom, "poll_count", {**counted, "answered": 0}) == {"error": "bad-answer"}
    assert ack(classroom, "poll_count", {**counted})["error"] == "bad-answer"
    assert ack(classroom, "poll_count", {**counted, "answered": 1})["ok"]
    results = events(advisor)["poll-results"][-1]["results"]
    assert results == {"answered": 2, "counts": [2, 0, 2]}


def test_a_bad_question_is_refused_and_nothing_kept(app: Flask, lessons: LessonHub) -> None:
    lesson = lessons.started_lesson()
    advisor = room_client(app, "adv")
    ack(advisor, "join", {"lesson": lesson.id})
    for bad, code in (
        ({"question": "  ", "kind": "yes-no"}, "empty"),
        ({"question": "?" * 301, "kind": "yes-no"}, "too-long"),
        ({"question": 5, "kind": "yes-no"}, "bad-request"),
        ({"question": "Q", "kind": "essay"}, "bad-kind"),
        ({"question": "Q", "kind": ["single"]}, "bad-kind"),
        ({"question": "Q", "kind": "single", "options": ["only one"]}, "bad-options"),
        ({"question": "Q", "kind": "single", "options": ["a", "A"]}, "bad-options"),
        ({"question": "Q", "kind": "single", "options": [str(n) for n in range(9)]}, "bad-options"),
        ({"question": "Q", "kind": "multiple", "options": ["a", ""]}, "empty"),
        ({"question": "Q", "kind": "multiple", "options": ["a", "b" * 101]}, "too-long"),
        ({"question": "Q", "kind": "multiple", "options": "a,b"}, "bad-options"),
        ("Q", "bad-request"),
    ):
        assert ack(advisor, "poll_ask", bad) == {"error": code}, bad
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 0
    assert ack(advisor, "poll_close", {"poll": 1}) == {"error": "no-poll"}


def test_a_flood_of_answers_is_cut(app: Flask, lessons: LessonHub) -> None:
    lesson = lessons.started_lesson()
    advisor, pupil = room_client(app, "adv"), room_client(app, "pup")
    ack(advisor, "join", {"lesson": lesson.id})
    ack(pupil, "join", {"lesson": lesson.id})
    poll_id = ack(advisor, "poll_ask", {"question": "Q", "kind": "yes-no"})["id"]
    replies = [ack(pupil, "poll_answer", {"poll": poll_id, "choices": [n % 2]}) for n in range(30)]
    assert sum("ok" in r for r in replies) == ANSWER_BURST
    assert replies[-1] == {"error": "too-fast"}
    assert ack(advisor, "poll_close", {"poll": poll_id}) == {"ok": True}  # the advisor goes on
