"""The web server: gunicorn with one worker process of threads, in `make run` and in production.

Flask-SocketIO in threading mode keeps each open WebSocket on a thread of its own for as long as
the page is open (simple-websocket takes gunicorn's socket), so an instance needs a thread per
open socket plus a few for pages: `WEB_THREADS`. One worker process per instance, because a
Socket.IO session lives in the process that opened it; more capacity is more instances behind
nginx with a message queue (see deploy/).

`settings()` is the one place these choices are made: `make run` starts gunicorn with them
through `WebServer`, and `deploy/gunicorn.conf.py` hands the same ones to the `gunicorn` command.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

logger = logging.getLogger(__name__)


def _started_media(worker: Any) -> None:
    """Start the media engine in the worker process as it comes up, not at the first lesson, so
    the first advisor does not wait for the media processes to start; and, in the embedded shape,
    the drain of what Celery workers tell the rooms (rooms/notices.py)."""
    app = worker.wsgi
    with app.app_context():
        from intersession.rooms.events import engine
        from intersession.rooms.notices import NoticeDrain

        engine()
        app.extensions["room_notices"] = drain = NoticeDrain(app)
        drain.start()


def _stopped_media(server: Any, worker: Any) -> None:
    """Stop the media processes the worker started, so none outlives the web server."""
    app = getattr(worker, "wsgi", None)
    engine = app.extensions.get("media_engine") if app is not None else None
    if engine is not None:
        engine.stop()


def settings(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """gunicorn's settings for one instance, from the environment."""
    env = os.environ if environ is None else environ
    host = env.get("HOST", "127.0.0.1")
    port = env.get("PORT", "5000")
    hooks: dict[str, Callable[..., None]] = {
        "post_worker_init": _started_media,
        "worker_exit": _stopped_media,
    }
    return {
        "bind": env.get("BIND") or f"{host}:{port}",
        "worker_class": "gthread",
        "workers": 1,
        "threads": int(env.get("WEB_THREADS", "100")),
        # The worker tells the arbiter it lives from its own loop, not per request: a long upload
        # or an open WebSocket does not count against this.
        "timeout": int(env.get("WEB_TIMEOUT", "60")),
        "graceful_timeout": int(env.get("WEB_GRACEFUL_TIMEOUT", "20")),
        "keepalive": int(env.get("WEB_KEEPALIVE", "5")),
        "accesslog": env.get("WEB_ACCESS_LOG") or None,
        "errorlog": "-",
        "loglevel": env.get("WEB_LOG_LEVEL", "warning"),
        "proc_name": env.get("INSTANCE_NAME") or "intersession",
        # Headers of any size a browser sends are fine; a request line as long as a URL can be.
        "limit_request_line": 8190,
        **hooks,
    }


class WebServer(BaseApplication):
    """gunicorn run from Python, so `make run` is one process tree that Ctrl-C stops."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from intersession import create_app

        return create_app()
