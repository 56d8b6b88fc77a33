"""Signalling for the live room (Socket.IO namespace /room): who may join which lesson, chat,
presence; the media offers and answers are in publishing.py, the controls in moderation.py.
Every event checks who asks, from the server's own record of the connection, never from ids in
the payload alone."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, request, session
from flask_login import current_user
from flask_socketio import join_room, leave_room

from intersession.auth import services as auth_services
from intersession.auth.models import User
from intersession.core.db import db, utcnow
from intersession.core.guard import GuardedNamespace
from intersession.lessons.access import can_view_lesson
from intersession.lessons.models import Lesson
from intersession.recordings import services as recordings
from intersession.rooms import chat, presence, room_state, turn
from intersession.rooms.budget import FLOOD_CUT, Budget
from intersession.rooms.joining import LATE_MARGIN, role_in, room_open_for
from intersession.rooms.live import STATES, LiveRoom, Participant, Role
from intersession.rooms.media.engine import MediaEngine
from intersession.rooms.media.nodes import MediaNodes
from intersession.rooms.media.workers import MediaWorkers
from intersession.rooms.notices import room_name
from intersession.rooms.store import instance_id, room_store
from intersession.rooms.sweeping import InstanceSweeping

logger = logging.getLogger(__name__)


def engine() -> MediaEngine | MediaWorkers | MediaNodes:
    """The app's media engine, started on first use: the media nodes of the region (with
    MEDIA_NODE_KEY and REDIS_URL), else worker processes of this instance, or with
    MEDIA_WORKERS = 0 a loop thread of this process (tests)."""
    extensions = current_app.extensions
    if "media_engine" not in extensions:
        config = current_app.config
        count = int(config["MEDIA_WORKERS"])
        ice, hosts = config["MEDIA_ICE_SERVERS"], config["MEDIA_HOST_ADDRESSES"]
        media: MediaEngine | MediaWorkers | MediaNodes
        if config.get("MEDIA_NODE_KEY") and not config.get("REDIS_URL"):
            logger.warning("MEDIA_NODE_KEY without REDIS_URL: the media stay in this instance")
        if config.get("MEDIA_NODE_KEY") and config.get("REDIS_URL"):
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            media = MediaNodes(
                config["REDIS_URL"], config["MEDIA_NODE_KEY"], config["MEDIA_ROOT"],
                lambda lesson_id: room_size(app, lesson_id),
            )  # fmt: skip
        elif count > 0:
            media = MediaWorkers(count, ice, hosts)
        else:
            media = MediaEngine(ice, hosts)
        for namespace in extensions.get("room_namespaces", []):
            media.lost_callbacks.append(namespace.rooms_lost)
            media.event_callbacks.append(namespace.media_event)
        extensions["media_engine"] = media
    return extensions["media_engine"]


def room_size(app: Flask, lesson_id: int) -> tuple[int, float]:
    """The seats a media node reserves for the lesson's room, and until when (the room closes
    for joining half an hour after the end; a room opened late keeps it a while longer)."""
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        now = utcnow()
        if lesson is None:
            return 1, (now + LATE_MARGIN).timestamp()
        until = max(lesson.ends_at + LATE_MARGIN, now + timedelta(minutes=15))
        return room_state.seats(lesson), until.timestamp()


class SignallingNamespace(InstanceSweeping, GuardedNamespace):
    """Joining, leaving, chat and media; the controls of the room are in moderation.py."""

    def __init__(self, namespace: str, app: Flask) -> None:
        super().__init__(namespace)
        self.app = app  # for what media workers report outside any request
        # Who is in which room, on every instance (store.py); what is this process's alone is
        # only what belongs to its own connections: their person and their event budget.
        self.store = room_store(
            instance_id(app.config.get("INSTANCE_NAME", "")), app.config.get("REDIS_URL", "")
        )
        app.extensions["room_instance"] = self.store.instance  # the presence intervals carry it
        self.people: dict[str, int] = {}  # sid of a socket of this process -> its person
        self.budgets: dict[str, Budget] = {}
        auth_services.sessions_ended.connect(self._sessions_ended, weak=False)
        self._beating: threading.Thread | None = None
        self._beating_lock = threading.Lock()

    # -- plumbing --------------------------------------------------------------------------------

    def trigger_event(self, event: str, *args: Any) -> Any:
        if event not in ("connect", "disconnect") and args:
            sid = args[0]
            budget = self.budgets.setdefault(sid, Budget(at=time.monotonic()))
            if not budget.allow():
                if budget.refused >= FLOOD_CUT:
                    self.socketio.server.disconnect(sid, namespace=self.namespace)
                return {"error": "too-many"}
        return super().trigger_event(event, *args)  # the payload checked there

    def _sessions_ended(self, user_id: int, ended: str | None = None, keep: Any = None) -> None:
        """Sign-out, a new password or deactivation cuts the person's sockets at once, on every
        instance (a socket elsewhere is cut through the message queue)."""
        for sid, token in self.store.sockets_of(user_id).items():
            if token == ended if ended else token != keep:
                self.socketio.server.disconnect(sid, namespace=self.namespace)

    def _drop(self, room: LiveRoom, person: Participant) -> list[str]:
        """Take the person out of the room (under its lock); returns the sources that were theirs."""
        room.participants.pop(person.sid, None)
        if person.role == Role.CLASSROOM:
            room_state.pause_ticks(room, person.user_id)
        sources_gone = [s for s, a in room.sources.items() if a["owner"] == person.pid]
        for source_id in sources_gone:
            del room.sources[source_id]
        return sources_gone

    def _media_leave(self, lesson_id: int, pid: str) -> None:
        media = current_app.extensions.get("media_engine")
        if media is not None:
            media.request(lesson_id, "leave", pid)

    def _here(self) -> tuple[LiveRoom, Participant, Lesson] | None:
        """The room this connection joined (as it is now), if its person may still be there."""
        found = self.store.of_socket(request.sid)  # type: ignore[attr-defined]
        if found is None or not current_user.is_authenticated:
            return None
        room, person = found
        lesson = db.session.get(Lesson, room.lesson_id)
        if lesson is None or person.user_id != current_user.id:
            return None
        if not can_view_lesson(current_user, lesson):
            return None
        return room, person, lesson

    def _advisor_here(self) -> tuple[LiveRoom, Participant, Lesson] | None:
        here = self._here()
        return here if here and here[1].role == Role.ADVISOR else None

    def tell(self, event: str, data: Any, to: str, skip_sid: str | None = None) -> None:
        """Send to a socket or a lesson's channel, from an event or from anywhere else."""
        self.socketio.emit(event, data, to=to, namespace=self.namespace, skip_sid=skip_sid)

    def rooms_lost(self, lesson_ids: set[int]) -> None:
        """A media worker died and was started again: its rooms have no media now. Pages publish
        and subscribe again by themselves when told."""
        for lesson_id in lesson_ids:
            with self.app.app_context():
                recordings.mark_incomplete(lesson_id, "engine-restarted")
            if lesson_id not in self.store.lesson_ids():
                continue
            with self.store.changing(lesson_id) as room:
                room.sources.clear()
            self.broadcast_sources(room)
            self.tell("engine-restarted", {}, to=room_name(lesson_id))

    def media_event(self, lesson_id: int, event: str, data: dict[str, Any]) -> None:
        """Something a media worker tells unasked: a listener's link changed what picture it gets
        (the page says so), or the recording stopped (a full disk) while the lesson goes on (the
        advisor is told; what was written is kept, marked incomplete)."""
        if event == "picture":
            self._tell_picture(lesson_id, data)
            return
        if event != "recording-stopped":
            return
        with self.app.app_context():
            recordings.mark_incomplete(lesson_id, str(data.get("reason", "stopped"))[:40])
        for person in self.store.read(lesson_id).participants.values():
            if person.role == Role.ADVISOR:
                self.tell("recording-stopped", {"reason": data.get("reason")}, to=person.sid)

    def _tell_picture(self, lesson_id: int, data: dict[str, Any]) -> None:
        """The listener's page says what its link now gets; of the advisor's camera, everyone's
        list says it too, so the advisor sees who is on the small picture or on sound only."""
        picture, source = data.get("picture"), data.get("source")
        if picture not in ("full", "small", None) or not isinstance(source, str):
            return
        with self.store.changing(lesson_id) as room:
            listener = next(
                (p for p in room.participants.values() if p.pid == data.get("listener")), None
            )
            if listener is None:
                return
            about = room.sources.get(source) or {}
            owner = next(
                (p for p in room.participants.values() if p.pid == about.get("owner")), None
            )
            if owner is not None and owner.role == Role.ADVISOR and about.get("kind") == "camera":
                listener.picture = picture or "none"
        self.tell("picture", {"source": source, "picture": picture}, to=listener.sid)
        self.broadcast_roster(room)

    def broadcast_roster(self, room: LiveRoom) -> None:
        self.tell("roster", room.roster(), to=room_name(room.lesson_id))

    def broadcast_sources(self, room: LiveRoom) -> None:
        self.tell("sources", room.source_list(), to=room_name(room.lesson_id))

    # -- joining and leaving ---------------------------------------------------------------------

    def on_connect(self, auth: Any = None) -> bool:
        if not current_user.is_authenticated:
            return False
        sid = request.sid  # type: ignore[attr-defined]
        token = auth_services.token_hash(session.get("auth_token") or "")
        self.people[sid] = current_user.id
        self.store.add_socket(current_user.id, sid, token)
        self._start_beating()
        return True

    def on_join(self, data: Any = None) -> dict[str, Any]:
        lesson_id = data.get("lesson") if isinstance(data, dict) else None
        if not current_user.is_authenticated or type(lesson_id) is not int:  # True is an int too
            return {"error": "bad-request"}
        lesson = db.session.get(Lesson, lesson_id)
        if lesson is None or not can_view_lesson(current_user, lesson):
            return {"error": "not-found"}
        role = role_in(lesson)
        if role is None:
            return {"error": "not-found"}
        if lesson.room_ended_at is not None:
            return {"error": "ended"}
        if not room_open_for(lesson, role == Role.ADVISOR):
            return {"error": "closed"}
        refusal = room_state.admit(lesson, current_user, role == Role.ADVISOR)
        if refusal:
            return {"error": refusal}
        sid = request.sid  # type: ignore[attr-defined]
        if self.store.lesson_of(sid) is not None:
            return {"error": "already-joined"}
        school = current_user.school
        person = Participant(
            sid=sid, user_id=current_user.id, name=current_user.full_name, role=role,
            school_id=school.id if school else None, school=school.name if school else "",
            audio_only=room_state.school_audio_only(school.id if school else None),
            instance=self.store.instance,
        )  # fmt: skip
        if role == Role.PUPIL:
            person.interval = presence.joined(lesson, current_user.id)
        with self.store.changing(lesson.id) as room:
            room.participants[sid] = person
            if role == Role.CLASSROOM:
                room_state.reopen_ticks(room, lesson, current_user.id)
                room_state.show_ticked(room, lesson, current_user)
        try:
            join_room(room_name(lesson.id))
        except ValueError:  # the page went while it joined: its disconnect found no one to drop
            with self.store.changing(lesson.id) as room:
                room.participants.pop(sid, None)
            if person.interval is not None:
                presence.left(person.interval)
            return {"error": "gone"}
        self.broadcast_roster(room)
        if role == Role.PUPIL:
            self.tell_classrooms(room, lesson)
        reply = {
            "role": role,
            "me": person.pid,
            "audio_only": person.audio_only,
            "locked": lesson.room_locked,
            "camera_kbps": lesson.camera_kbps,
            "recorded": lesson.record,
            "sources": room.source_list(),
            "chat": chat.history(lesson),
            "ice_servers": turn.ice_servers(
                current_app.config, current_user.id, lesson.ends_at + LATE_MARGIN
            ),
        }
        if role == Role.CLASSROOM:
            reply["pupils"] = room_state.classroom_pupils(room, lesson, current_user)
        return reply

    def on_state(self, data: Any = None) -> dict[str, Any]:
        """The browser's peer-connection state, for everyone's participant list."""
        here = self._here()
        state = data.get("state") if isinstance(data, dict) else None
        if here is None:
            return {"error": "not-allowed"}
        if not isinstance(state, str) or state not in STATES:  # a list is unhashable
            return {"error": "bad-request"}
        if here[1].state == state:
            return {"ok": True}
        with self.store.changing(here[0].lesson_id) as room:
            if (person := room.participants.get(here[1].sid)) is not None:
                person.state = state
        self.broadcast_roster(room)
        return {"ok": True}

    def on_chat(self, data: Any = None) -> dict[str, Any]:
        here = self._here()
        if here is None:
            return {"error": "not-allowed"}
        text = data.get("text") if isinstance(data, dict) else None
        try:
            line = chat.post(here[2], current_user, text, self.store.allow_chat)
        except chat.ChatRefused as refused:
            return {"error": refused.code}
        self.tell("chat", line, to=room_name(here[2].id))
        return {"ok": True}

    def on_seen(self, data: Any = None) -> dict[str, Any]:
        """The page's heartbeat: the time in the room of this socket's pupil (or of the pupils its
        classroom ticked) is seen now, in the database, so that a sweep can end it when this
        process dies. One who may no longer be here (they left the cohort) is let go, which ends
        their time in the room as a leave does."""
        sid = request.sid  # type: ignore[attr-defined]
        here = self._here()
        if here is None:
            if self.store.lesson_of(sid) is not None:
                self.socketio.server.disconnect(sid, namespace=self.namespace)
            return {"error": "not-allowed"}
        room, person, _lesson = here
        held = [person.interval] if person.interval is not None else []
        ticks = room.ticks.get(person.user_id, {}) if person.role == Role.CLASSROOM else {}
        held += [i for i in ticks.values() if i is not None]
        kept = presence.seen(held)  # the database outside the lock: other sockets go on meanwhile
        if all(kept[i] == i for i in held):
            return {"ok": True}
        with self.store.changing(room.lesson_id) as room:  # only what did not change meanwhile
            mine = room.participants.get(sid)
            if mine is not None and mine.interval in kept:
                mine.interval = kept[mine.interval]
            ticks = room.ticks.get(person.user_id, {}) if person.role == Role.CLASSROOM else {}
            for pupil_id, interval in list(ticks.items()):
                if interval in kept:
                    ticks[pupil_id] = kept[interval]
        return {"ok": True}

    def on_disconnect(self, reason: Any = None) -> None:
        sid = request.sid  # type: ignore[attr-defined]
        self.budgets.pop(sid, None)
        if (user_id := self.people.pop(sid, None)) is not None:
            self.store.drop_socket(user_id, sid)
        lesson_id = self.store.lesson_of(sid)
        if lesson_id is None:
            return
        with self.store.changing(lesson_id) as room:
            person = room.participants.get(sid)
            sources_gone = self._drop(room, person) if person is not None else []
        if person is None:
            return
        if person.interval is not None:
            presence.left(person.interval)
        leave_room(room_name(room.lesson_id))
        self._media_leave(room.lesson_id, person.pid)
        self.broadcast_roster(room)
        if sources_gone:
            self.broadcast_sources(room)
        if person.role == Role.PUPIL:
            lesson = db.session.get(Lesson, room.lesson_id)
            if lesson is not None:
                self.tell_classrooms(room, lesson)

    def tell_classrooms(self, room: LiveRoom, lesson: Lesson) -> None:
        """A pupil came or went on a computer of their own: each classroom computer's tick
        list of that school offers them, or no longer does."""
        for person in room.participants.values():
            if person.role == Role.CLASSROOM and (tutor := db.session.get(User, person.user_id)):
                pupils = room_state.classroom_pupils(room, lesson, tutor)
                self.tell("pupils", {"pupils": pupils}, to=person.sid)

    def on_audio_only(self, data: Any = None) -> dict[str, Any]:
        """Receive no video on a weak link; the school is started that way next time."""
        here = self._here()
        on = data.get("on") if isinstance(data, dict) else None
        if here is None:
            return {"error": "not-allowed"}
        if not isinstance(on, bool):
            return {"error": "bad-request"}
        with self.store.changing(here[0].lesson_id) as room:
            if (person := room.participants.get(here[1].sid)) is not None:
                person.audio_only = on
        room_state.remember_audio_only(here[1].school_id, on)
        self.broadcast_roster(room)
        return {"ok": True}
