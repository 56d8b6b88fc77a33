"""`make run`: gunicorn (see server.py) and the Celery worker (with beat); Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading


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
    from intersession.server import WebServer, settings

    options = settings()
    port = int(str(options["bind"]).rsplit(":", 1)[1])
    # Its own session: a Ctrl-C reaches gunicorn alone, and the worker is stopped after it.
    worker = subprocess.Popen(worker_command("-B", "--loglevel=WARNING"), start_new_session=True)
    stopping = threading.Event()

    def watch_worker() -> None:
        """A platform without its worker loses background work: stop everything and say why."""
        code = worker.wait()
        if not stopping.is_set():
            print(
                f"The Celery worker stopped (exit code {code}); stopping Intersession.", flush=True
            )
            os.kill(os.getpid(), signal.SIGTERM)  # gunicorn's arbiter stops its worker gracefully

    threading.Thread(target=watch_worker, daemon=True).start()
    _print_banner(port)
    arbiter = os.getpid()
    try:
        WebServer(options).run()  # returns by SystemExit when the arbiter halts
    except (KeyboardInterrupt, SystemExit):
        if os.getpid() != arbiter:
            raise  # gunicorn's worker process, forked from here, ends as gunicorn says
    finally:
        if os.getpid() == arbiter:  # the Celery worker is the arbiter's to stop
            stopping.set()
            _stop(worker)
            print("Intersession stopped.", flush=True)


def _stop(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()


if __name__ == "__main__":
    main()
