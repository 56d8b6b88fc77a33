"""The scaled shape on loopback, from Debian's packages: Redis, nginx in front of two gunicorn
instances, the database (PostgreSQL under `make test-scaled`, else a SQLite file)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import socketio
from sqlalchemy import select

from intersession.core.db import db
from intersession.lessons.models import AttendanceRow, Lesson, LessonKind
from intersession.schools.models import TeachingAssignment
from tests.conftest import make_app
from tests.factories import build_hub
from tests.servers import (
    ROOT,
    RedisServer,
    Served,
    Visitor,
    app_environment,
    free_port,
    gunicorn_command,
    require,
    wait_for,
)

SECRET = "scaled-test-secret-shared-by-every-instance"


def nginx_config(folder: Path, port: int, instances: list[str]) -> Path:
    """nginx on loopback with the deployment's own locations (deploy/nginx/locations.conf)."""
    servers = "".join(
        f"    server {address} max_fails=3 fail_timeout=5s;\n" for address in instances
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # its workers read our 0700 folders
    temp = "".join(
        f"{kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = folder / "nginx.conf"
    config.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\ninclude /etc/nginx/mime.types;\naccess_log {folder / 'access.log'};\n{temp}"
        f"upstream intersession_pages {{\n    least_conn;\n{servers}}}\n"
        f"upstream intersession_sockets {{\n    hash $arg_lesson consistent;\n{servers}}}\n"
        f"server {{\n    listen 127.0.0.1:{port};\n    set $intersession_root {ROOT};\n"
        f"    include {ROOT / 'deploy' / 'nginx' / 'locations.conf'};\n}}\n}}\n"
    )
    return config


class Nginx:
    def __init__(self, folder: Path, instances: list[str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = nginx_config(folder, self.port, instances)
        self.process = subprocess.Popen(
            ["nginx", "-c", str(config), "-p", str(folder), "-e", str(folder / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,  # its log: error.log
        )  # fmt: skip
        wait_for(self.url + "/login", process=self.process)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@dataclass
class Region:
    """Two instances behind nginx, sharing Redis and the database."""

    tmp: Path
    database: str
    redis: RedisServer
    lesson_id: int
    instances: dict[str, Served] = field(default_factory=dict)
    nginx: Nginx | None = None

    def start_instance(self, name: str) -> Served:
        port = free_port()
        env = app_environment(
            self.tmp, self.database, BIND=f"127.0.0.1:{port}", INSTANCE_NAME=name,
            REDIS_URL=self.redis.url, SECRET_KEY=SECRET, TRUSTED_PROXIES="1", MEDIA_WORKERS="1",
            WEB_THREADS="40",
        )  # fmt: skip
        served = Served(
            gunicorn_command(), env, f"http://127.0.0.1:{port}", self.tmp / f"{name}.log"
        )
        self.instances[name] = served
        return served

    def kill(self, name: str) -> None:
        """As a crash would: every process of the instance at once, nothing said to anyone."""
        served = self.instances[name]
        for pid in served.processes():
            os.kill(pid, signal.SIGKILL)
        served.process.wait()

    def room(self) -> dict[str, Any]:
        """The lesson's room as Redis keeps it."""
        import json

        client = redis.Redis.from_url(self.redis.url, decode_responses=True)
        try:
            text = client.get(f"intersession:room:{self.lesson_id}")
        finally:
            client.close()
        return json.loads(str(text)) if text else {"participants": {}}


def lesson_now() -> int:
    """A lesson of the hub's cohort that began a minute ago."""
    teaching = db.session.scalars(select(TeachingAssignment)).first()
    assert teaching is not None
    lesson = Lesson(kind=LessonKind.LESSON, advisor_id=teaching.advisor_id, cohort_id=teaching.cohort_id,
                    subject_id=teaching.subject_id, title="Live", starts_at=datetime.now(UTC) - timedelta(minutes=1),
                    duration_minutes=45)  # fmt: skip
    lesson.register = [AttendanceRow(pupil=p) for p in teaching.cohort.pupils]
    db.session.add(lesson)
    db.session.commit()
    return lesson.id


@pytest.fixture
def region(tmp_path: Path) -> Iterator[Region]:
    for command in ("redis-server", "nginx"):
        require(command)
    database = (
        os.environ.get("INTERSESSION_TEST_DATABASE_URL")
        or f"sqlite:///{tmp_path / 'region.sqlite'}"
    )
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database)
    with app.app_context():
        db.drop_all()
        db.create_all()
        build_hub()
        lesson_id = lesson_now()
        db.session.remove()
        db.engine.dispose()
    server = RedisServer(tmp_path / "redis")
    region = Region(tmp_path, database, server, lesson_id)
    try:
        a, b = region.start_instance("web-a"), region.start_instance("web-b")
        region.nginx = Nginx(tmp_path / "nginx", [a.url[7:], b.url[7:]])
        yield region
    finally:
        if region.nginx is not None:
            region.nginx.stop()
        for served in region.instances.values():
            served.stop()
        server.stop()


class Events:
    """What a socket was told, event by event, and a wait for the one wanted."""

    def __init__(self, client: socketio.Client, *names: str) -> None:
        self.seen: list[tuple[str, Any]] = []
        for name in names:
            client.on(name, self._keeper(name), namespace="/room")

    def _keeper(self, name: str) -> Callable[..., None]:
        def keep(data: Any = None) -> None:
            self.seen.append((name, data))

        return keep

    def clear(self) -> None:
        """Forget what was told so far: the next wait looks at what comes after."""
        self.seen.clear()

    def wait(
        self, name: str, test: Callable[[Any], bool] = lambda data: True, timeout: float = 10
    ) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for seen, data in list(self.seen):
                if seen == name and test(data):
                    return data
            time.sleep(0.05)
        raise AssertionError(f"no {name!r} event as wanted in {timeout} s; seen: {self.seen[-5:]}")


def joined(
    person: Visitor, url: str, lesson_id: int, *events: str
) -> tuple[socketio.Client, Events, dict[str, Any]]:
    """A socket of the person on the instance (or nginx) at `url`, in the lesson's room."""
    client = person.room_socket(f"{url}?lesson={lesson_id}")
    told = Events(client, *events)
    reply = client.call("join", {"lesson": lesson_id}, namespace="/room", timeout=10)
    assert "error" not in reply, reply
    return client, told, reply
