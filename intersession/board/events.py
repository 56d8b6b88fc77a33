"""The board's Socket.IO events in the live room: decks, page turns, strokes, and who may turn
pages and draw. Each change is made under the room's lock and sent to the room from inside it,
so every page receives the turns and strokes in the order the server kept them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask_login import current_user

from intersession.board import slides, state
from intersession.board.models import DeckState
from intersession.board.state import BoardRefused
from intersession.lessons.models import Lesson
from intersession.rooms.live import LiveRoom, Participant, Role
from intersession.rooms.moderation import RoomNamespace
from intersession.rooms.notices import room_name


def deck_list(lesson: Lesson, for_advisor: bool) -> list[dict[str, Any]]:
    """The lesson's decks: every one for its advisor (with why one failed), the ready ones for
    everyone else."""
    return [
        {"id": d.id, "title": d.title, "pages": d.page_count, "state": str(d.state),
         "failure": d.failure if for_advisor else None}
        for d in slides.decks_of(lesson) if for_advisor or d.state is DeckState.READY
    ]  # fmt: skip


class BoardNamespace(RoomNamespace):
    @contextmanager
    def _here_allowed(
        self, allowed: Callable[[LiveRoom, Lesson, Participant], bool]
    ) -> Iterator[tuple[LiveRoom, Participant, Lesson] | None]:
        """The room under its lock with this connection's person, if they are here and
        `allowed`; None otherwise (the handler refuses)."""
        here = self._here()
        if here is None:
            yield None
            return
        lesson = here[2]
        with self.store.changing(lesson.id) as room:
            person = room.participants.get(here[1].sid)
            ok = person is not None and allowed(room, lesson, person)
            yield (room, person, lesson) if ok and person is not None else None

    def on_join(self, data: Any = None) -> dict[str, Any]:
        reply = super().on_join(data)
        if "error" in reply:
            return reply
        found = self._here()
        if found is not None:
            room, person, lesson = found
            reply["board"] = self._board_view(room, lesson)
            reply["decks"] = deck_list(lesson, person.role == Role.ADVISOR)
        return reply

    def _board_view(self, room: LiveRoom, lesson: Lesson) -> dict[str, Any]:
        view = state.public(room, lesson)
        view["strokes"] = state.strokes_of(lesson.id, view["deck"], view["page"])
        return view

    def on_board_decks(self, data: Any = None) -> dict[str, Any]:
        here = self._here()
        if here is None:
            return {"error": "not-allowed"}
        return {"decks": deck_list(here[2], here[1].role == Role.ADVISOR)}

    def on_board_show(self, data: Any = None) -> dict[str, Any]:
        """Show a page (the advisor, or the pupil turning pages): everyone is sent the page and
        what is drawn on it."""
        if not isinstance(data, dict):
            return {"error": "bad-request"}
        with self._here_allowed(state.may_turn) as found:
            if found is None:
                return {"error": "not-allowed"}
            room, _person, lesson = found
            try:
                state.turn(room, lesson, data.get("deck"), data.get("page"))
            except BoardRefused as refused:
                return {"error": refused.code}
            self.tell("board", self._board_view(room, lesson), to=room_name(lesson.id))
        return {"ok": True}

    def on_board_draw(self, data: Any = None) -> dict[str, Any]:
        """A piece of a line (or a text) on the page shown, by one who may draw; at most
        INK_BURST messages per INK_SECONDS per person, whoever else draws meanwhile."""
        try:
            stroke = state.checked_stroke(data)
        except BoardRefused as refused:
            return {"error": refused.code}
        with self._here_allowed(state.may_draw) as found:
            if found is None:
                return {"error": "not-allowed"}
            room, person, lesson = found
            if not self.store.allow("ink", person.user_id, state.INK_BURST, state.INK_SECONDS):
                return {"error": "too-fast"}
            try:
                kept = state.draw(room, lesson, current_user, stroke)
            except BoardRefused as refused:
                return {"error": refused.code}
            self.tell("stroke", kept, to=room_name(lesson.id), skip_sid=person.sid)
        return {"ok": True, "id": kept["id"]}

    def _remove(self, which: str | list[str], advisor_only: bool = False) -> dict[str, Any]:
        def allowed(room: LiveRoom, lesson: Lesson, person: Participant) -> bool:
            return (not advisor_only or person.role == Role.ADVISOR) and state.may_draw(
                room, lesson, person
            )

        with self._here_allowed(allowed) as found:
            if found is None:
                return {"error": "not-allowed"}
            room, person, lesson = found
            board = state.current(room, lesson)
            gone = state.remove(room, lesson, person, which)
            if gone:
                about = {"lines": gone, "deck": board["deck"], "page": board["page"]}
                self.tell("unstroke", about, to=room_name(lesson.id))
        return {"ok": True, "lines": gone}

    def on_board_undo(self, data: Any = None) -> dict[str, Any]:
        return self._remove("last")

    def on_board_erase(self, data: Any = None) -> dict[str, Any]:
        try:
            lines = state.checked_lines(data.get("lines") if isinstance(data, dict) else None)
        except BoardRefused as refused:
            return {"error": refused.code}
        return self._remove(lines)

    def on_board_clear(self, data: Any = None) -> dict[str, Any]:
        return self._remove("all", advisor_only=True)

    def _set_right(self, data: Any, right: str) -> dict[str, Any]:
        here = self._advisor_here()
        if here is None:
            return {"error": "not-allowed"}
        on = data.get("on") if isinstance(data, dict) else None
        if not isinstance(on, bool):
            return {"error": "bad-request"}
        lesson = here[2]
        with self.store.changing(lesson.id) as room:
            person = room.by_pid(data.get("participant"))
            if person is None or person.role not in (Role.PUPIL, Role.CLASSROOM):
                return {"error": "no-participant"}
            board = state.current(room, lesson)
            if right == "draw":
                drawers = set(board["drawers"]) - {person.user_id}
                board["drawers"] = sorted(drawers | ({person.user_id} if on else set()))
            elif on and not person.floor:
                return {"error": "no-floor"}
            else:
                board["turner"] = person.user_id if on else None
            self.tell("board-rights", state.public(room, lesson), to=room_name(lesson.id))
        return {"ok": True}

    def on_board_allow(self, data: Any = None) -> dict[str, Any]:
        """The advisor lets a pupil or a classroom draw, or no longer."""
        return self._set_right(data, "draw")

    def on_board_turner(self, data: Any = None) -> dict[str, Any]:
        """The advisor hands page turning to a pupil with the floor (it ends with the floor)."""
        return self._set_right(data, "turn")

    def take_floor(self, lesson_id: int, pid: str) -> None:
        super().take_floor(lesson_id, pid)
        room = self.store.read(lesson_id)
        self.tell("board-rights", state.rights(room), to=room_name(lesson_id))
