"""The board in the live room through the real Socket.IO server: page turns and strokes reach
everyone in order, a late joiner and a reconnecting pupil land on the page with its drawing,
rights are checked, a flood of strokes is limited while others go on."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from sqlalchemy import select

from intersession.board import slides
from intersession.board.models import BoardStroke, BoardTurn, SlideDeck
from intersession.board.state import INK_BURST
from intersession.core.db import db
from intersession.lessons.models import Lesson
from tests.board import pdfs
from tests.conftest import AuthActions, LessonHub
from tests.rooms.test_room_control import received, stop_engine  # noqa: F401  (a fixture)
from tests.rooms.test_signalling import ack, room_client, started


def ready_deck(app: Flask, lesson_id: int, pages: int = 3) -> int:
    auth = AuthActions(app.test_client())
    auth.login("adv")
    data = {"files": [(io.BytesIO(pdfs.deck(pages)), "deck.pdf")], "as_slides": "1"}
    assert auth.post(f"/lessons/{lesson_id}/materials", data,
                     content_type="multipart/form-data").status_code == 302  # fmt: skip
    deck = db.session.scalars(select(SlideDeck).where(SlideDeck.lesson_id == lesson_id)).one()
    slides.render(deck.id)
    return deck.id


def line(name: str, points: list[int] | None = None, **extra: Any) -> dict[str, Any]:
    return {"line": name, "tool": "pen", "colour": "red", "width": 4,
            "points": points or [100, 100, 5000, 5000], **extra}  # fmt: skip


def test_turns_and_strokes_reach_everyone_and_late_joiners_land_on_the_page(
    app: Flask, lessons: LessonHub
) -> None:
    lesson_id = started(lessons)
    deck_id = ready_deck(app, lesson_id)
    advisor, pupil = room_client(app, "adv"), room_client(app, "pup")
    joined = ack(advisor, "join", {"lesson": lesson_id})
    assert joined["board"] == {
        "deck": None,
        "page": 0,
        "turner": None,
        "drawers": [],
        "strokes": [],
    }
    assert ack(advisor, "board_draw", line("nowhere")) == {"error": "no-page"}  # nothing shown
    assert [(d["id"], d["pages"], d["state"]) for d in joined["decks"]] == [(deck_id, 3, "ready")]
    ack(pupil, "join", {"lesson": lesson_id})
    assert ack(advisor, "board_show", {"deck": deck_id, "page": 2}) == {"ok": True}
    for number in range(5):
        assert ack(advisor, "board_draw", line(f"a{number}", [number, 0, 10000, number]))["ok"]
    assert ack(advisor, "board_draw", line("t1", [5000, 5000], tool="text", text="x² + 1"))["ok"]
    sent = pupil.get_received("/room")
    assert [p["args"][0] for p in sent if p["name"] == "board"][-1]["page"] == 2
    strokes = [p["args"][0] for p in sent if p["name"] == "stroke"]
    assert [s["line"] for s in strokes] == ["a0", "a1", "a2", "a3", "a4", "t1"]  # in order
    assert strokes[0]["points"] == [0, 0, 10000, 0] and strokes[-1]["text"] == "x² + 1"
    assert received(advisor, "stroke") == []  # the drawer has it already
    # A late joiner and a pupil who reconnects land on page 2 with its drawing.
    late = room_client(app, "pup2")
    got = ack(late, "join", {"lesson": lesson_id})["board"]
    assert (got["deck"], got["page"]) == (deck_id, 2)
    assert [s["line"] for s in got["strokes"]] == ["a0", "a1", "a2", "a3", "a4", "t1"]
    pupil.disconnect("/room")
    again = room_client(app, "pup")
    assert [s["line"] for s in ack(again, "join", {"lesson": lesson_id})["board"]["strokes"]][
        :2
    ] == ["a0", "a1"]
    # Undo takes the advisor's last line away; the eraser and clear the rest, for everyone.
    assert ack(advisor, "board_undo") == {"ok": True, "lines": ["t1"]}
    assert ack(advisor, "board_erase", {"lines": ["a0", "a1"]}) == {
        "ok": True,
        "lines": ["a0", "a1"],
    }
    assert [u["lines"] for u in received(again, "unstroke")] == [["t1"], ["a0", "a1"]]
    # Page 1 is empty; page 2 keeps what is left for when it is shown again.
    ack(advisor, "board_show", {"deck": deck_id, "page": 1})
    assert received(again, "board")[-1]["strokes"] == []
    ack(advisor, "board_show", {"deck": deck_id, "page": 2})
    assert [s["line"] for s in received(again, "board")[-1]["strokes"]] == ["a2", "a3", "a4"]
    assert ack(advisor, "board_clear") == {"ok": True, "lines": ["a2", "a3", "a4"]}
    ack(advisor, "board_show", {"deck": None, "page": 1})  # a blank page
    turns = db.session.scalars(select(BoardTurn).where(BoardTurn.lesson_id == lesson_id)
                               .order_by(BoardTurn.id)).all()  # fmt: skip
    assert [(t.deck_id, t.page) for t in turns] == [
        (deck_id, 2),
        (deck_id, 1),
        (deck_id, 2),
        (None, 1),
    ]
    removed = db.session.scalars(select(BoardStroke).where(BoardStroke.removed_at.is_not(None)))
    assert len(removed.all()) == 6  # kept on the timeline with their removal


def test_only_those_allowed_turn_and_draw_and_bad_strokes_are_refused(
    app: Flask, lessons: LessonHub
) -> None:
    lesson_id = started(lessons)
    deck_id = ready_deck(app, lesson_id)
    advisor, pupil, classroom = (
        room_client(app, "adv"),
        room_client(app, "pup"),
        room_client(app, "tut"),
    )
    ack(advisor, "join", {"lesson": lesson_id})
    me = ack(pupil, "join", {"lesson": lesson_id})["me"]
    ack(classroom, "join", {"lesson": lesson_id})
    assert ack(pupil, "board_show", {"deck": deck_id, "page": 2}) == {"error": "not-allowed"}
    assert ack(pupil, "board_draw", line("p1")) == {"error": "not-allowed"}
    assert ack(pupil, "board_clear") == {"error": "not-allowed"}
    assert ack(pupil, "board_allow", {"participant": me, "on": True}) == {"error": "not-allowed"}
    assert ack(advisor, "board_turner", {"participant": me, "on": True}) == {"error": "no-floor"}
    # With the floor and page turning handed over, the pupil turns; the floor taken back ends it.
    ack(advisor, "floor", {"participant": me, "give": True})
    assert ack(advisor, "board_turner", {"participant": me, "on": True}) == {"ok": True}
    assert received(classroom, "board-rights")[-1]["turner"] == me
    assert ack(pupil, "board_show", {"deck": deck_id, "page": 3}) == {"ok": True}
    assert received(classroom, "board")[-1]["page"] == 3
    ack(advisor, "floor", {"participant": me, "give": False})
    assert received(classroom, "board-rights")[-1]["turner"] is None
    assert ack(pupil, "board_show", {"deck": deck_id, "page": 1}) == {"error": "not-allowed"}
    # Allowed to draw, the pupil draws and undoes their own, and may not clear the page.
    assert ack(advisor, "board_allow", {"participant": me, "on": True}) == {"ok": True}
    assert ack(pupil, "board_draw", line("p1"))["ok"]
    ack(advisor, "board_draw", line("a1"))
    assert ack(pupil, "board_erase", {"lines": ["a1"]}) == {"ok": True, "lines": []}  # not theirs
    assert ack(pupil, "board_undo") == {"ok": True, "lines": ["p1"]}
    assert ack(pupil, "board_clear") == {"error": "not-allowed"}
    ack(advisor, "board_allow", {"participant": me, "on": False})
    assert ack(pupil, "board_draw", line("p2")) == {"error": "not-allowed"}
    # What is not a page or a stroke is refused with its reason; nothing is kept of it.
    for data, code in (
        ({"deck": deck_id, "page": 4}, "no-page"), ({"deck": deck_id, "page": "2"}, "bad-request"),
        ({"deck": deck_id + 99, "page": 1}, "no-deck"), ({"deck": None, "page": 21}, "no-page"),
        ({"deck": True, "page": 1}, "no-deck"),
    ):  # fmt: skip
        assert ack(advisor, "board_show", data) == {"error": code}, data
    kept = db.session.scalar(select(db.func.count()).select_from(BoardStroke))
    for bad, code in (
        (line("x", [1, 2, 3]), "bad-points"), (line("x", [0, 10001]), "bad-points"),
        (line("x", [0, float("nan")]), "bad-request"), (line("x", [True, 1]), "bad-points"),
        (line("x", list(range(242))), "bad-points"), (line("x" * 17), "bad-line"),
        (line("<b>"), "bad-line"), (line("x", tool="laser"), "bad-tool"),
        (line("x", colour="#f00"), "bad-colour"), (line("x", width=5), "bad-width"),
        (line("x", [1, 1], tool="text", text=""), "bad-text"),
        (line("x", [1, 1], tool="text", text="a" * 201), "bad-text"), ([], "bad-request"),
    ):  # fmt: skip
        assert ack(advisor, "board_draw", bad) == {"error": code}, bad
    assert db.session.scalar(select(db.func.count()).select_from(BoardStroke)) == kept
    other = room_client(app, "adv2")  # of another lesson: not in this room
    assert ack(other, "board_draw", line("o1")) == {"error": "not-allowed"}


def test_a_flood_of_strokes_is_limited_while_others_draw_on(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    advisor, pupil = room_client(app, "adv"), room_client(app, "pup")
    ack(advisor, "join", {"lesson": lesson_id})
    me = ack(pupil, "join", {"lesson": lesson_id})["me"]
    ack(advisor, "board_allow", {"participant": me, "on": True})
    ack(advisor, "board_show", {"deck": None, "page": 1})
    answers = [ack(pupil, "board_draw", line(f"f{n}")) for n in range(INK_BURST + 5)]
    assert sum("ok" in a for a in answers) == INK_BURST
    assert answers[-1] == {"error": "too-fast"}
    assert ack(advisor, "board_draw", line("calm"))["ok"]  # the advisor's own limit is untouched
    assert received(advisor, "stroke")[-1]["line"] == f"f{INK_BURST - 1}"


def test_the_page_shown_outlives_the_rooms_memory(app: Flask, lessons: LessonHub) -> None:
    """Every instance restarted (the room store forgotten): the lesson's timeline still knows."""
    lesson_id = started(lessons)
    deck_id = ready_deck(app, lesson_id)
    advisor = room_client(app, "adv")
    ack(advisor, "join", {"lesson": lesson_id})
    ack(advisor, "board_show", {"deck": deck_id, "page": 3})
    namespace = app.extensions["room_namespaces"][0]
    with namespace.store.changing(lesson_id) as room:
        room.board.clear()
    pupil = room_client(app, "pup")
    board = ack(pupil, "join", {"lesson": lesson_id})["board"]
    assert (board["deck"], board["page"]) == (deck_id, 3)
    assert db.session.get(Lesson, lesson_id) is not None
