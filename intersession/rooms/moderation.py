"""The room's controls: hands, the floor, muting, removing, locking, and the classroom's ticks.
Only the advisor moderates; only pupils and classrooms raise hands; only a classroom ticks."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user

from intersession.recordings import services as recordings
from intersession.rooms import room_state
from intersession.rooms.live import LiveRoom, Participant, Role
from intersession.rooms.notices import room_name
from intersession.rooms.publishing import MediaNamespace


class RoomNamespace(MediaNamespace):
    def on_hand(self, data: Any = None) -> dict[str, Any]:
        here = self._here()
        raised = data.get("raised") if isinstance(data, dict) else None
        if here is None or here[1].role not in (Role.PUPIL, Role.CLASSROOM):
            return {"error": "not-allowed"}
        if not isinstance(raised, bool):
            return {"error": "bad-request"}
        with self.store.changing(here[0].lesson_id) as room:
            if (person := room.participants.get(here[1].sid)) is not None:
                person.hand = raised
        self.broadcast_roster(room)
        return {"ok": True}

    def _target(self, data: Any) -> tuple[LiveRoom, Participant] | None:
        """The advisor's room and the participant named in the payload, found in that room only."""
        here = self._advisor_here()
        if here is None:
            return None
        room = here[0]
        person = room.by_pid(data.get("participant") if isinstance(data, dict) else None)
        return (room, person) if person is not None else None

    def on_floor(self, data: Any = None) -> dict[str, Any]:
        """Give a pupil or a classroom the floor (their microphone, and camera if allowed), or take
        it back."""
        if self._advisor_here() is None:
            return {"error": "not-allowed"}
        found = self._target(data)
        give = data.get("give") if isinstance(data, dict) else None
        camera = bool(data.get("camera")) if isinstance(data, dict) else False
        if found is None:
            return {"error": "no-participant"}
        if not isinstance(give, bool):
            return {"error": "bad-request"}
        if not give:
            self.take_floor(found[0].lesson_id, found[1].pid)
            return {"ok": True}
        with self.store.changing(found[0].lesson_id) as room:
            person = room.by_pid(found[1].pid)
            if person is None:
                return {"error": "no-participant"}
            if not room.may_take_floor(person):
                return {"error": "no-floor"}
            person.floor, person.hand, person.camera_allowed = True, False, camera
            person.microphone_off = person.camera_off = False  # a new turn starts heard and seen
        self.tell("floor", {"give": True, "camera": camera}, to=person.sid)
        self.broadcast_roster(room)
        return {"ok": True}

    def take_floor(self, lesson_id: int, pid: str) -> None:
        with self.store.changing(lesson_id) as room:
            person = room.by_pid(pid)
            if person is None:
                return
            was = person.floor
            person.floor, person.camera_allowed = False, False
            person.microphone_off = person.camera_off = False
        if was:
            self.tell("floor", {"give": False}, to=person.sid)
        if pid in room.sources:
            self.close_source(lesson_id, pid)
        self.broadcast_roster(room)

    def on_mute(self, data: Any = None) -> dict[str, Any]:
        if self._advisor_here() is None:
            return {"error": "not-allowed"}
        found = self._target(data)
        if found is None:
            return {"error": "no-participant"}
        room, person = found
        if person.role == Role.ADVISOR:
            return {"error": "bad-request"}
        self.take_floor(room.lesson_id, person.pid)
        self.tell("muted", {}, to=person.sid)
        return {"ok": True}

    def on_mute_all(self, data: Any = None) -> dict[str, Any]:
        here = self._advisor_here()
        if here is None:
            return {"error": "not-allowed"}
        room = here[0]
        for person in list(room.participants.values()):
            if person.role != Role.ADVISOR and person.floor:
                self.take_floor(room.lesson_id, person.pid)
        self.tell("muted", {}, to=room_name(room.lesson_id), skip_sid=here[1].sid)
        return {"ok": True}

    def on_remove(self, data: Any = None) -> dict[str, Any]:
        """The participant leaves and cannot come back into this lesson (with any device)."""
        here = self._advisor_here()
        if here is None:
            return {"error": "not-allowed"}
        found = self._target(data)
        if found is None:
            return {"error": "no-participant"}
        room, person = found
        if person.role == Role.ADVISOR:
            return {"error": "bad-request"}
        room_state.remove(here[2], person.user_id)
        for socket in room.of_user(person.user_id):  # on whichever instance holds them
            self.tell("removed", {}, to=socket.sid)
            self.socketio.server.disconnect(socket.sid, namespace=self.namespace)
        return {"ok": True}

    def on_lock(self, data: Any = None) -> dict[str, Any]:
        here = self._advisor_here()
        locked = data.get("locked") if isinstance(data, dict) else None
        if here is None:
            return {"error": "not-allowed"}
        if not isinstance(locked, bool):
            return {"error": "bad-request"}
        room, _advisor, lesson = here
        room_state.set_locked(lesson, locked)
        self.tell("locked", {"locked": locked}, to=room_name(room.lesson_id))
        return {"ok": True}

    def on_tick(self, data: Any = None) -> dict[str, Any]:
        """The classroom computer ticks a pupil of its school present (or not) in the classroom."""
        here = self._here()
        if here is None or here[1].role != Role.CLASSROOM:
            return {"error": "not-allowed"}
        pupil_id = data.get("pupil") if isinstance(data, dict) else None
        present = data.get("present") if isinstance(data, dict) else None
        if not isinstance(pupil_id, int) or not isinstance(present, bool):
            return {"error": "bad-request"}
        lesson = here[2]
        with self.store.changing(lesson.id) as room:
            if refusal := room_state.tick(room, lesson, current_user, pupil_id, present):
                return {"error": refusal}
        for pupil in room.of_user(pupil_id):  # one microphone per classroom
            if present and pupil.floor:
                self.take_floor(lesson.id, pupil.pid)
        self.broadcast_roster(room)  # the advisor's list names who sits behind the classroom
        return {"pupils": room_state.classroom_pupils(room, lesson, current_user)}

    def on_camera_kbps(self, data: Any = None) -> dict[str, Any]:
        """The advisor sets the camera's bitrate cap for this lesson (weak links want less)."""
        here = self._advisor_here()
        kbps = data.get("kbps") if isinstance(data, dict) else None
        if here is None:
            return {"error": "not-allowed"}
        if not isinstance(kbps, int) or isinstance(kbps, bool) or not 100 <= kbps <= 2500:
            return {"error": "bad-request"}
        room_state.set_camera_kbps(here[2], kbps)
        return {"ok": True}

    def on_end(self, data: Any = None) -> dict[str, Any]:
        """The advisor ends the lesson: everyone is told and let go, the media are closed, and the
        time in the room stops counting."""
        here = self._advisor_here()
        if here is None:
            return {"error": "not-allowed"}
        room, _advisor, lesson = here
        room_state.end(lesson)
        self.tell("ended", {}, to=room_name(room.lesson_id))
        for person in list(room.participants.values()):
            self.socketio.server.disconnect(person.sid, namespace=self.namespace)
        media = current_app.extensions.get("media_engine")
        if media is not None:
            media.request(room.lesson_id, "close_room")  # the recorded files are closed with it
        recordings.lesson_ended(lesson)
        return {"ok": True}
