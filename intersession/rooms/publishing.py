"""Media signalling in the live room: publishing a camera or screen to the media engine,
subscribing to a source, the listener's answer. Who may publish is checked here, per event,
from the server's record of the connection."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user

from intersession.recordings import services as recordings
from intersession.rooms import link_check
from intersession.rooms.events import SignallingNamespace, engine
from intersession.rooms.live import LiveRoom, Participant, Role
from intersession.rooms.media.engine import EngineError
from intersession.rooms.sdp import SdpRefused, checked


class MediaNamespace(SignallingNamespace):
    """Offers and answers between the browsers and the media engine."""

    def on_publish(self, data: Any = None) -> dict[str, Any]:
        """The advisor's camera or screen, or the camera and microphone of one with the floor."""
        here = self._here()
        if here is None:
            return {"error": "not-allowed"}
        room, person, lesson = here
        kind = data.get("source", "camera") if isinstance(data, dict) else None
        if kind not in ("camera", "screen"):
            return {"error": "bad-request"}
        if person.role != Role.ADVISOR and (kind != "camera" or not person.floor):
            return {"error": "not-allowed"}
        try:
            sdp = checked(data)
        except SdpRefused as refused:
            return {"error": refused.code}
        source_id = person.pid if kind == "camera" else f"{person.pid}:screen"
        label = "floor" if person.role != Role.ADVISOR else kind  # what the recording keeps
        recording = recordings.engine_instructions(lesson, label)
        media = engine()
        try:
            answer = media.request(room.lesson_id, "publish", sdp, source_id, recording)
        except (EngineError, ValueError) as error:
            return {"error": "engine", "detail": str(error)[:200]}
        video = person.role == Role.ADVISOR or person.camera_allowed
        with self.store.changing(room.lesson_id) as room:
            previous = room.sources.get(source_id, {}).get("epoch", 0)
            room.sources[source_id] = {
                "owner": person.pid, "name": person.name, "kind": kind, "epoch": previous + 1,
                "kinds": ["audio", "video"] if video else ["audio"],
            }  # fmt: skip
        self.broadcast_sources(room)
        return {"sdp": answer}

    def on_unpublish(self, data: Any = None) -> dict[str, Any]:
        here = self._here()
        kind = data.get("source") if isinstance(data, dict) else None
        if here is None:
            return {"error": "not-allowed"}
        if kind not in ("camera", "screen"):
            return {"error": "bad-request"}
        room, person, _lesson = here
        source_id = person.pid if kind == "camera" else f"{person.pid}:screen"
        self.close_source(room.lesson_id, source_id)
        return {"ok": True}

    def close_source(self, lesson_id: int, source_id: str) -> None:
        with self.store.changing(lesson_id) as room:
            known = room.sources.pop(source_id, None)
        media = current_app.extensions.get("media_engine")
        if media is not None:
            media.request(lesson_id, "unpublish", source_id)
        if known is not None:
            self.broadcast_sources(room)

    def on_subscribe(self, data: Any = None) -> dict[str, Any]:
        here = self._here()
        if here is None:
            return {"error": "not-allowed"}
        room, person, lesson = here
        source_id = data.get("source") if isinstance(data, dict) else None
        about = room.sources.get(source_id) if isinstance(source_id, str) else None
        if not isinstance(source_id, str) or about is None or about["owner"] == person.pid:
            return {"error": "no-source"}
        kinds = tuple(k for k in about["kinds"] if k == "audio" or not person.audio_only)
        if not kinds:
            return {"error": "audio-only"}
        # A new connection starts on what the school's last link check says its link carries;
        # the engine moves it from there as the link does.
        picture = "full"
        if "video" in kinds and about["kind"] == "camera":
            picture = link_check.start_picture(person.school_id, lesson.camera_kbps)
        media = engine()
        try:
            offer = media.request(
                room.lesson_id, "subscribe", person.pid, source_id, kinds, picture
            )
        except KeyError:
            return {"error": "no-source"}
        except EngineError as error:
            return {"error": "engine", "detail": str(error)[:200]}
        owner = next((p for p in room.participants.values() if p.pid == about["owner"]), None)
        of_the_advisor = owner is not None and owner.role == Role.ADVISOR
        if of_the_advisor and about["kind"] == "camera" and person.picture != picture:
            with self.store.changing(room.lesson_id) as room:
                if (listener := room.participants.get(person.sid)) is not None:
                    listener.picture = picture
            self.broadcast_roster(room)
        return {"sdp": offer, "source": source_id, "picture": picture}

    def on_picture_try(self, data: Any = None) -> dict[str, Any]:
        """The page's "try the picture now": this person's connection to the source goes up one
        picture at once, and down again if their link does not carry it."""
        found = self._source_of_the_room(data)
        if isinstance(found, dict):
            return found
        room, person, source_id = found
        try:
            picture = engine().request(room.lesson_id, "try_picture", person.pid, source_id)
        except KeyError:  # not listening to it (any more)
            return {"error": "no-source"}
        except EngineError as error:
            return {"error": "engine", "detail": str(error)[:200]}
        return {"source": source_id, "picture": picture or "none"}

    def _source_of_the_room(self, data: Any) -> tuple[LiveRoom, Participant, str] | dict[str, str]:
        """The room, the person and the source an event of theirs names, or the error to answer."""
        here = self._here()
        if here is None:
            return {"error": "not-allowed"}
        room, person, _lesson = here
        source_id = data.get("source") if isinstance(data, dict) else None
        if not isinstance(source_id, str) or source_id not in room.sources:
            return {"error": "no-source"}
        return room, person, source_id

    def on_link_check(self, data: Any = None) -> dict[str, Any]:
        """The pre-flight panel measured this computer's link to the server: it is kept in the
        school's link history, and the page is told what it carries of the advisor's camera."""
        here = self._here()
        if here is None:
            return {"error": "not-allowed"}
        _room, person, lesson = here
        down = data.get("down_kbps") if isinstance(data, dict) else None
        up = data.get("up_kbps") if isinstance(data, dict) else None
        rates = (down, up)
        if not all(type(r) is int and 1 <= r <= link_check.MOST_KBPS for r in rates):
            return {"error": "bad-request"}
        if person.school_id is None:
            return {"error": "no-school"}
        link_check.record(person.school_id, current_user.id, down, up)  # type: ignore[arg-type]
        return {"ok": True, "picture": link_check.picture_for(down, lesson.camera_kbps)}  # type: ignore[arg-type]

    def on_answer(self, data: Any = None) -> dict[str, Any]:
        found = self._source_of_the_room(data)
        if isinstance(found, dict):
            return found
        room, person, source_id = found
        try:
            sdp = checked(data)
        except SdpRefused as refused:
            return {"error": refused.code}
        media = engine()
        try:
            media.request(room.lesson_id, "accept_answer", person.pid, sdp, source_id)
        except (EngineError, KeyError, ValueError) as error:
            return {"error": "engine", "detail": str(error)[:200]}
        return {"ok": True}

    def on_media_state(self, data: Any = None) -> dict[str, Any]:
        """The person turned their own microphone or camera off or on (the tracks keep flowing,
        silent or dark): everyone's list says so, and the stage shows their name instead."""
        here = self._here()
        microphone = data.get("microphone") if isinstance(data, dict) else None
        camera = data.get("camera") if isinstance(data, dict) else None
        if here is None:
            return {"error": "not-allowed"}
        if not isinstance(microphone, bool) or not isinstance(camera, bool):
            return {"error": "bad-request"}
        with self.store.changing(here[0].lesson_id) as room:
            if (person := room.participants.get(here[1].sid)) is not None:
                person.microphone_off, person.camera_off = not microphone, not camera
        self.broadcast_roster(room)
        return {"ok": True}
