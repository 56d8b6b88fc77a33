"""`make run`: the web server and the Celery worker (with beat) together; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from types import FrameType


def _print_banner(port: int) -> None:
    from intersession.demo import DEMO_PASSWORD

    print(
        f"\n  Intersession is running on http://127.0.0.1:{port}\n"
        "  Demo logins: coordinator, advisor1…advisor6, tutor1…tutor5, pupil1…pupil60\n"
        f"  Demo password: {DEMO_PASSWORD}\n  Stop with Ctrl-C.\n",
        flush=True,
    )


def worker_command(*options: str) -> list[str]:
    """The Celery worker of this app as a command line (solo pool: one task at a time, no forks)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "intersession.worker:celery",
        "worker",
        "--pool=solo",
        *options,
    ]


def main() -> None:
    port = int(os.environ.get("PORT", "5000"))
    worker = subprocess.Popen(worker_command("-B", "--loglevel=WARNING"))

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    def watch_worker() -> None:
        """A platform without its worker loses background work: stop everything and say why."""
        code = worker.wait()
        if not stopping.is_set():
            print(
                f"The Celery worker stopped (exit code {code}); stopping Intersession.", flush=True
            )
            os.kill(os.getpid(), signal.SIGTERM)

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, stop)
    threading.Thread(target=watch_worker, daemon=True).start()
    media = None
    try:
        from intersession import create_app
        from intersession.extensions import socketio

        app = create_app()
        with app.app_context():  # the media workers start with the rest, not at the first lesson
            from intersession.rooms.events import engine

            media = engine()
        _print_banner(port)
        socketio.run(
            app, host="127.0.0.1", port=port, allow_unsafe_werkzeug=True, use_reloader=False
        )
    except KeyboardInterrupt:
        pass
    finally:
        stopping.set()
        if media is not None:
            media.stop()
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
        print("Intersession stopped.", flush=True)


if __name__ == "__main__":
    main()
