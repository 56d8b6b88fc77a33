"""The app under gunicorn, as `make run` and a deployment start it: pages and sockets are served by
a production server, the settings behind a proxy hold, and Ctrl-C stops every process it started."""

from __future__ import annotations

import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intersession.config import celery_settings
from intersession.core.db import db
from intersession.lessons.models import AttendanceRow, Lesson, LessonKind
from intersession.schools.models import TeachingAssignment
from tests.conftest import AuthActions, make_app
from tests.factories import HubPeople, build_hub
from tests.servers import (
    Served,
    alive,
    app_environment,
    free_port,
    gunicorn_command,
    joined,
    visitor,
)


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A SQLite file with a hub in it, for servers in other processes."""
    url = f"sqlite:///{tmp_path / 'served.sqlite'}"
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.create_all()
        build_hub()
        db.session.remove()
        db.engine.dispose()
    return url


def test_make_run_serves_pages_and_sockets_with_gunicorn_and_stops_on_ctrl_c(
    tmp_path: Path, database: str
) -> None:
    port = free_port()
    env = app_environment(tmp_path, database, PORT=str(port), MEDIA_WORKERS="1")
    served = Served([sys.executable, "-m", "intersession.serve"], env,
                    f"http://127.0.0.1:{port}", tmp_path / "run.log")  # fmt: skip
    try:
        with visitor(served.url) as pupil:
            page = pupil.http.get(served.url + "/login", timeout=10)
            assert page.headers["Server"].startswith("gunicorn")  # not Werkzeug's server
            assert pupil.login("pup").status_code == 302
            socket = pupil.room_socket()
            assert socket.transport() == "websocket"
            answer = socket.call("join", {"lesson": 10**6}, namespace="/room", timeout=10)
            assert answer == {"error": "not-found"}
        # gunicorn's arbiter and worker, the worker's media process, the Celery worker and beat.
        started = served.processes()
        assert len(started) >= 5, served.log.read_text()[-2000:]
    finally:
        served.stop(signal.SIGINT)  # Ctrl-C in the terminal reaches the whole process group
    deadline = time.monotonic() + 20
    while alive(started) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alive(started) == set(), "processes outlived Ctrl-C"
    assert "Intersession stopped." in served.log.read_text()


def lesson_ending_in_five_minutes(tmp_path: Path, database: str) -> int:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database)
    with app.app_context():
        teaching = db.session.scalars(select(TeachingAssignment)).first()
        assert teaching is not None
        lesson = Lesson(kind=LessonKind.LESSON, advisor_id=teaching.advisor_id, cohort_id=teaching.cohort_id,
                        subject_id=teaching.subject_id, title="Ending", duration_minutes=45,
                        starts_at=datetime.now(UTC) - timedelta(minutes=40),
                        register=[AttendanceRow(pupil=p) for p in teaching.cohort.pupils])  # fmt: skip
        db.session.add(lesson)
        db.session.commit()
        lesson_id = lesson.id
        db.session.remove()
        db.engine.dispose()
    return lesson_id


@pytest.mark.worker
def test_a_task_in_make_runs_celery_worker_tells_the_room_on_the_web_process(
    tmp_path: Path, database: str
) -> None:
    """No Redis: the worker hands the notice over the embedded broker (rooms/notices.py)."""
    lesson_id = lesson_ending_in_five_minutes(tmp_path, database)
    port = free_port()
    env = app_environment(tmp_path, database, PORT=str(port), MEDIA_WORKERS="0")
    served = Served([sys.executable, "-m", "intersession.serve"], env,
                    f"http://127.0.0.1:{port}", tmp_path / "run.log")  # fmt: skip
    try:
        with visitor(served.url) as pupil:
            assert pupil.login("pup").status_code == 302
            _, told, _ = joined(pupil, served.url, lesson_id, "lesson-time")
            # The task as the beat sends it, into make run's broker folder (its worker takes it).
            sender = make_app(tmp_path, CELERY=celery_settings(
                "filesystem://", tmp_path / "broker", tmp_path / "instance"))  # fmt: skip
            sender.extensions["celery"].send_task("rooms.tell-lesson-time")
            notice = told.wait("lesson-time", timeout=30)
            assert notice["minutes"] == 5 and notice["ends_at"].startswith(
                str(datetime.now(UTC).year)
            )
    finally:
        served.stop(signal.SIGINT)


def test_behind_a_proxy_addresses_and_schemes_come_from_its_headers(
    tmp_path: Path, database: str
) -> None:
    port = free_port()
    env = app_environment(tmp_path, database, BIND=f"127.0.0.1:{port}", MEDIA_WORKERS="1",
                          TRUSTED_PROXIES="1", INSTANCE_NAME="web-a")  # fmt: skip
    served = Served(gunicorn_command(), env, f"http://127.0.0.1:{port}", tmp_path / "web.log")
    try:
        with visitor(served.url) as pupil:
            assert pupil.login("pup").status_code == 302
            proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "school.example.kz",
                       "Referer": "https://school.example.kz/calendar-feed"}  # fmt: skip
            token = pupil.csrf("/calendar-feed")
            page = pupil.http.post(served.url + "/calendar-feed", data={"csrf_token": token},
                                   headers=proxied, timeout=10)  # fmt: skip
            assert page.status_code == 200
            assert page.headers["X-Intersession-Instance"] == "web-a"
            assert "https://school.example.kz/ical/" in page.text  # the address as nginx serves it
            plain = pupil.http.post(served.url + "/calendar-feed", data={"csrf_token": token},
                                    timeout=10)  # fmt: skip
            assert f"{served.url}/ical/" in plain.text
    finally:
        served.stop()


def test_without_a_trusted_proxy_forwarded_headers_are_not_believed(
    app: Flask, hub: HubPeople, auth: AuthActions, client: FlaskClient
) -> None:
    auth.login("pup")
    forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-For": "203.0.113.9"}
    page = auth.post("/calendar-feed", headers=forged).get_data(as_text=True)
    assert "http://localhost/ical/" in page and "evil.example" not in page
