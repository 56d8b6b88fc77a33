"""A few page renders at a time, the rest waiting at the door.

gunicorn's gthread worker serves each instance with WEB_THREADS threads (one per open room socket,
plus some for pages), so fifty page requests may all be inside the app at once. Rendering a page is
CPU work under one interpreter lock, so fifty renders at once do not end sooner than a few at a time: they end
later, because the threads and their database connections contend (in `bench/http_load.py` the CPU
time per page more than doubled at fifty clients). The gate lets `slots` GET requests into the
application at once and queues the rest before any work is done for them.

Only the application call is gated, not the sending of the body: a file download streams after
the call returns. The queue is first come, first served: a freed slot is handed to the request
that has waited longest, never taken by one that just arrived (a plain semaphore lets newcomers
barge in, and a few unlucky requests waited several times as long as the rest). Requests with a
body are not gated (an upload over a weak link may take
minutes), and the Socket.IO transport never reaches the gate (its middleware sits outside).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class FairSlots:
    """A counting semaphore that serves its waiters in the order they came."""

    def __init__(self, slots: int) -> None:
        self._lock = threading.Lock()
        self._free = slots
        self._waiting: deque[threading.Lock] = deque()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                turn = None
            else:
                turn = threading.Lock()
                turn.acquire()
                self._waiting.append(turn)
        if turn is not None:
            turn.acquire()  # released by the request handing its slot on
        try:
            yield
        finally:
            with self._lock:
                if self._waiting:
                    self._waiting.popleft().release()
                else:
                    self._free += 1


class RenderGate:
    def __init__(self, app: WSGIApplication, slots: int) -> None:
        self.app = app
        self.slots = FairSlots(slots)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        with self.slots.held():
            return self.app(environ, start_response)
