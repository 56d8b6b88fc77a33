"""Who is in a live room right now, and the advisor's rules over it: hands, the floor, sources.

This is the server's own record, kept in the room store (store.py) that every web instance shares:
events are checked against it, never against ids a browser sends. It holds no media; the engine
does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from intersession.core.collation import ROOT, name_key

# Peer-connection states a browser may report (RTCPeerConnection.connectionState).
STATES = frozenset({"new", "connecting", "connected", "disconnected", "failed", "closed"})


class Role:
    ADVISOR = "advisor"  # the lesson's advisor: publishes and moderates
    PUPIL = "pupil"  # an invited pupil on a computer of their own
    CLASSROOM = "classroom"  # a tutor's computer for the pupils in the classroom
    OBSERVER = "observer"  # the coordinator: watches


@dataclass
class Participant:
    sid: str
    user_id: int
    name: str
    role: str
    school_id: int | None = None
    school: str = ""
    pid: str = field(default_factory=lambda: secrets.token_hex(6))  # what others see of them
    state: str = "new"
    hand: bool = False
    floor: bool = False
    camera_allowed: bool = False
    audio_only: bool = False
    microphone_off: bool = False  # turned off by the person (the advisor, or one with the floor)
    camera_off: bool = False
    picture: str = "full"  # what their link carries of the advisor's camera: full, small, none
    instance: str = ""  # the web instance holding the socket (store.py sweeps a dead one's)
    interval: int | None = None  # a pupil's open presence interval
    ticked: list[str] = field(default_factory=list)  # a classroom's: who sits behind it, by name

    def public(self) -> dict[str, Any]:
        return {"id": self.pid, "name": self.name, "role": self.role, "school": self.school,
                "state": self.state, "hand": self.hand, "floor": self.floor,
                "audio_only": self.audio_only, "microphone_off": self.microphone_off,
                "camera_off": self.camera_off, "picture": self.picture,
                "ticked": self.ticked}  # fmt: skip


@dataclass
class LiveRoom:
    lesson_id: int
    participants: dict[str, Participant] = field(default_factory=dict)  # by socket id
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)  # engine source id -> about
    # Classroom ticks by tutor: pupil id -> open presence interval (kept over a reconnect).
    ticks: dict[int, dict[int, int | None]] = field(default_factory=dict)
    # The board (intersession/board/state.py): the page shown, who turns pages, who may draw.
    board: dict[str, Any] = field(default_factory=dict)

    def by_pid(self, pid: Any) -> Participant | None:
        return next((p for p in self.participants.values() if p.pid == pid), None)

    def of_user(self, user_id: int) -> list[Participant]:
        return [p for p in self.participants.values() if p.user_id == user_id]

    def roster(self) -> list[dict[str, Any]]:
        order = {Role.ADVISOR: 0, Role.CLASSROOM: 1, Role.PUPIL: 2, Role.OBSERVER: 3}
        # One list goes to everyone in the room, whatever their language: ICU's neutral order.
        people = sorted(
            self.participants.values(), key=lambda p: (order[p.role], name_key(p.name, ROOT))
        )
        return [p.public() for p in people]

    def source_list(self) -> list[dict[str, Any]]:
        return [{"id": source_id, **about} for source_id, about in self.sources.items()]

    def ticked_pupils(self) -> set[int]:
        return {pupil for ticks in self.ticks.values() for pupil in ticks}

    def on_own_device(self) -> set[int]:
        """The pupils connected on a computer of their own."""
        return {p.user_id for p in self.participants.values() if p.role == Role.PUPIL}

    def may_take_floor(self, person: Participant) -> bool:
        """Pupils and classrooms speak with the floor; a pupil ticked in a classroom speaks through
        its one microphone."""
        if person.role == Role.CLASSROOM:
            return True
        return person.role == Role.PUPIL and person.user_id not in self.ticked_pupils()
