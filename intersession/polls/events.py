"""Polls' Socket.IO events in the live room. A poll lives in the database, so every instance
agrees on it; each change is made under the room's lock, so an answer is never taken after the
poll was closed, and the results go to the advisor (and an observing coordinator) at once."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from intersession.board.events import BoardNamespace
from intersession.lessons.models import Lesson
from intersession.polls import asking
from intersession.polls.asking import PollRefused
from intersession.polls.models import Poll, PollState
from intersession.rooms import room_state
from intersession.rooms.live import LiveRoom, Participant, Role
from intersession.rooms.notices import room_name

SEES_RESULTS = (Role.ADVISOR, Role.OBSERVER)


class PollNamespace(BoardNamespace):
    def on_join(self, data: Any = None) -> dict[str, Any]:
        reply = super().on_join(data)
        if "error" in reply:
            return reply
        found = self._here()
        if found is not None:
            room, person, lesson = found
            poll = asking.current_poll(lesson)
            reply["poll"] = None if poll is None else self._poll_for(room, person, poll)
        return reply

    def _poll_for(self, room: LiveRoom, person: Participant, poll: Poll) -> dict[str, Any]:
        """The poll as this person's page shows it: with the results for the advisor, with the
        answer given for a pupil, with its pupils' answers and counts for a classroom."""
        shown = asking.view(poll, person.role in SEES_RESULTS)
        if person.role == Role.PUPIL:
            shown["mine"] = asking.answer_value(asking.answer_of(poll, person.user_id))
        elif person.role == Role.CLASSROOM:
            pupils = room.ticks.get(person.user_id, {})
            shown["pupils"] = {
                str(pupil): asking.answer_value(asking.answer_of(poll, pupil)) for pupil in pupils
            }
            entered = asking.count_of(poll, current_user.school_id)
            shown["counted"] = None if entered is None else {
                "counts": entered.counts, "answered": entered.answered
            }  # fmt: skip
        return shown

    def _tell_poll(self, room: LiveRoom, poll: Poll, changed: bool) -> None:
        """Everyone is told of a change of the poll; the advisor (and an observer) of its
        results."""
        if changed:
            self.tell("poll", asking.view(poll, False), to=room_name(room.lesson_id))
        if not (changed and poll.state is PollState.PUBLISHED):  # else "poll" carried them
            results = {"id": poll.id, "results": asking.results(poll)}
            for person in room.participants.values():
                if person.role in SEES_RESULTS:
                    self.tell("poll-results", results, to=person.sid)

    def _advisor_poll(self, data: Any) -> tuple[LiveRoom, Lesson, Poll] | dict[str, Any]:
        here = self._advisor_here()
        if here is None:
            return {"error": "not-allowed"}
        try:
            poll = asking.poll_of(here[2], data.get("poll") if isinstance(data, dict) else None)
        except PollRefused as refused:
            return {"error": refused.code}
        return here[0], here[2], poll

    def on_poll_ask(self, data: Any = None) -> dict[str, Any]:
        """The advisor asks a question: the poll is open for answers at once."""
        here = self._advisor_here()
        if here is None:
            return {"error": "not-allowed"}
        lesson = here[2]
        with self.store.changing(lesson.id) as room:
            try:
                poll = asking.ask(current_user, lesson, data)
            except PollRefused as refused:
                return {"error": refused.code}
            self._tell_poll(room, poll, changed=True)
        return {"ok": True, "id": poll.id}

    def _change(self, data: Any, publishing: bool) -> dict[str, Any]:
        found = self._advisor_poll(data)
        if isinstance(found, dict):
            return found
        _room, lesson, poll = found
        with self.store.changing(lesson.id) as room:
            if publishing:
                asking.publish(poll)
            else:
                asking.close(poll)
            self._tell_poll(room, poll, changed=True)
        return {"ok": True}

    def on_poll_close(self, data: Any = None) -> dict[str, Any]:
        return self._change(data, publishing=False)

    def on_poll_publish(self, data: Any = None) -> dict[str, Any]:
        """Close the poll if it is open and show its results to everyone."""
        return self._change(data, publishing=True)

    def _answering(self, data: Any) -> tuple[Participant, Lesson, Poll] | dict[str, Any]:
        here = self._here()
        if here is None or here[1].role not in (Role.PUPIL, Role.CLASSROOM):
            return {"error": "not-allowed"}
        if not isinstance(data, dict):
            return {"error": "bad-request"}
        if not self.store.allow(
            "poll", here[1].user_id, asking.ANSWER_BURST, asking.ANSWER_SECONDS
        ):
            return {"error": "too-fast"}
        try:
            poll = asking.poll_of(here[2], data.get("poll"))
        except PollRefused as refused:
            return {"error": refused.code}
        return here[1], here[2], poll

    def on_poll_answer(self, data: Any = None) -> dict[str, Any]:
        """A pupil answers; a classroom computer answers for a pupil it ticked (`pupil`). Given
        again while the poll is open, an answer replaces the first."""
        found = self._answering(data)
        if isinstance(found, dict):
            return found
        person, lesson, poll = found
        with self.store.changing(lesson.id) as room:
            pupil_id = person.user_id
            if person.role == Role.CLASSROOM:
                pupil_id = data.get("pupil")
                if not isinstance(pupil_id, int) or isinstance(pupil_id, bool):
                    return {"error": "bad-request"}
                if pupil_id not in room.ticks.get(person.user_id, {}):
                    return {"error": "no-pupil"}
            try:
                given = asking.answer(poll, pupil_id, current_user, data)
            except PollRefused as refused:
                return {"error": refused.code}
            self._tell_poll(room, poll, changed=False)
        return {"ok": True, "answer": asking.answer_value(given)}

    def on_poll_count(self, data: Any = None) -> dict[str, Any]:
        """A classroom's tutor enters how many of the pupils behind the computer chose each
        option (and, for multiple choice, how many answered)."""
        found = self._answering(data)
        if isinstance(found, dict):
            return found
        person, lesson, poll = found
        if person.role != Role.CLASSROOM:
            return {"error": "not-allowed"}
        with self.store.changing(lesson.id) as room:
            pupils = len(room_state.classroom_pupils(room, lesson, current_user))
            try:
                entered = asking.count(poll, current_user, pupils, data)
            except PollRefused as refused:
                return {"error": refused.code}
            self._tell_poll(room, poll, changed=False)
        return {"ok": True, "counted": {"counts": entered.counts, "answered": entered.answered}}
