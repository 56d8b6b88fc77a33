"""A few page renders at a time, the rest waiting at the door.

Werkzeug's threaded server starts a thread for every request. Rendering a page is CPU work under
one interpreter lock, so fifty renders at once do not end sooner than a few at a time: they end
later, because the threads and their database connections contend (in `bench/http_load.py` the CPU
time per page more than doubled at fifty clients). The gate lets `slots` GET requests into the
application at once and queues the rest before any work is done for them.

Only the application call is gated, not the sending of the body: a file download streams after
the call returns. Requests with a body are not gated (an upload over a weak link may take
minutes), and the Socket.IO transport never reaches the gate (its middleware sits outside).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class RenderGate:
    def __init__(self, app: WSGIApplication, slots: int) -> None:
        self.app = app
        self.slots = threading.BoundedSemaphore(slots)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        with self.slots:
            return self.app(environ, start_response)
