"""Several web instances: each beats in the room store, and sweeps out of the rooms the
participants of instances that stopped beating (killed, or their machine lost), as a disconnect
would have let them go. A mixin of the live room's namespace (events.py)."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from flask import Flask

from intersession.core.db import db
from intersession.rooms import presence
from intersession.rooms.store import BEAT_SECONDS, RoomStore

if TYPE_CHECKING:
    from intersession.rooms.live import LiveRoom, Participant

logger = logging.getLogger(__name__)


class InstanceSweeping:
    """What the namespace (events.py) sets up and defines, used here."""

    app: Flask
    store: RoomStore
    _beating: threading.Thread | None
    _beating_lock: threading.Lock

    if TYPE_CHECKING:

        def _drop(self, room: LiveRoom, person: Participant) -> list[str]: ...
        def _media_leave(self, lesson_id: int, pid: str) -> None: ...
        def broadcast_roster(self, room: LiveRoom) -> None: ...
        def broadcast_sources(self, room: LiveRoom) -> None: ...

    def _start_beating(self) -> None:
        """A process that holds sockets beats (a Celery worker, which builds the app too, never
        does); with one process in memory there is nobody to beat for."""
        if not self.app.config.get("REDIS_URL") or self._beating is not None:
            return
        with self._beating_lock:
            if self._beating is None:
                self.store.beat()
                self._beating = threading.Thread(
                    target=self._keep_alive, name="room-store-beat", daemon=True
                )
                self._beating.start()

    def _keep_alive(self) -> None:
        """Beat for this instance, and sweep the rooms of instances that stopped beating."""
        beats = 0
        while True:
            try:
                self.store.beat()
                beats += 1
                if beats % 3 == 0:
                    self.sweep_ghosts()
            except Exception:  # Redis away for a moment: try again at the next beat
                logger.exception("the room store's beat failed")
            time.sleep(BEAT_SECONDS)

    def sweep_ghosts(self) -> int:
        """Participants whose instance died leave their rooms as a disconnect would have made
        them; returns how many."""
        swept = 0
        with self.app.app_context():
            presence.close_held_by_gone(self.store.alive() | {self.store.instance})
            db.session.remove()
        for lesson_id in self.store.lesson_ids():
            if not self.store.ghosts(self.store.read(lesson_id)):
                continue
            with self.app.app_context():
                with self.store.changing(lesson_id) as room:
                    ghosts = self.store.ghosts(room)
                    gone = [self._drop(room, ghost) for ghost in ghosts]
                for ghost in ghosts:
                    self.store.drop_socket(ghost.user_id, ghost.sid)
                    if ghost.interval is not None:
                        presence.left(ghost.interval)
                    self._media_leave(room.lesson_id, ghost.pid)
                self.broadcast_roster(room)
                if any(gone):
                    self.broadcast_sources(room)
                db.session.remove()
            swept += len(ghosts)
        return swept
