"""Telling a live room's sockets something from any process: a Celery task as well as a page.

With REDIS_URL, Flask-SocketIO's message queue carries an emit from any process to the sockets of
every instance, so `tell` emits and that is all. In the embedded shape (`make run`: one web
process, its rooms in memory) nothing joins a Celery worker to the web process's sockets: the
worker hands the notice to a queue on the embedded broker (kombu's filesystem transport, which
Celery already uses), and the web process (`NoticeDrain`, started by the web server) takes it off
and emits it. A notice that waited longer than `NOTICE_SECONDS` (the web process was down) is
dropped: it was about the lesson at that moment.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery.signals import worker_init
from flask import Flask, current_app

from intersession.extensions import socketio

logger = logging.getLogger(__name__)

QUEUE = "intersession.room-notices"
NAMESPACE = "/room"
NOTICE_SECONDS = 120.0
_in_celery_worker = False


@worker_init.connect
def _mark_celery_worker(**_: Any) -> None:
    """This process is a Celery worker (and its pool's children, forked from it)."""
    global _in_celery_worker
    _in_celery_worker = True


def room_name(lesson_id: int) -> str:
    """The Socket.IO room of a lesson's live room (events.py joins every socket to it)."""
    return f"lesson-{lesson_id}"


def tell(lesson_id: int, event: str, data: dict[str, Any]) -> None:
    """Every socket in the lesson's live room, on every instance, is told `event`."""
    app = current_app
    if _in_celery_worker and not app.config.get("REDIS_URL"):
        notice = {"lesson": lesson_id, "event": event, "data": data, "at": time.time()}
        celery = app.extensions["celery"]
        with celery.connection_for_write() as connection, connection.SimpleQueue(QUEUE) as queue:
            queue.put(notice)
        return
    socketio.emit(event, data, to=room_name(lesson_id), namespace=NAMESPACE)


class NoticeDrain:
    """The web process's side of the embedded shape: emits what Celery workers handed over."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.thread: threading.Thread | None = None
        self.delivered = 0

    def start(self) -> None:
        """Once, and only where there is no message queue to carry the workers' emits."""
        if self.app.config.get("REDIS_URL") or self.thread is not None:
            return
        self.thread = threading.Thread(target=self._run, name="room-notices", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        celery = self.app.extensions["celery"]
        while True:
            try:
                with (
                    celery.connection_for_read() as connection,
                    connection.SimpleQueue(QUEUE) as queue,
                ):
                    while True:
                        try:
                            message = queue.get(block=True, timeout=5)
                        except queue.Empty:
                            continue
                        message.ack()
                        self.deliver(message.payload)
            except Exception:  # the broker's folder away for a moment: try again shortly
                logger.exception("taking the room notices failed")
                time.sleep(5)

    def deliver(self, notice: Any) -> bool:
        """Emit one handed-over notice, if it is one and still fresh."""
        if not (
            isinstance(notice, dict)
            and isinstance(notice.get("lesson"), int)
            and isinstance(notice.get("event"), str)
            and isinstance(notice.get("data"), dict)
            and isinstance(notice.get("at"), int | float)
        ):
            logger.warning("a malformed room notice was dropped: %r", notice)
            return False
        if time.time() - notice["at"] > NOTICE_SECONDS:
            return False
        socketio.emit(
            notice["event"], notice["data"], to=room_name(notice["lesson"]), namespace=NAMESPACE
        )
        self.delivered += 1
        return True
