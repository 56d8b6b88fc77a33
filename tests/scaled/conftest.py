"""The scaled shape on loopback, from Debian's packages: Redis, nginx in front of two gunicorn
instances, the database (PostgreSQL under `make test-scaled`, else a SQLite file); with
`nodes_region`, two media nodes instead of each instance's own media workers."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import select

from intersession.auth.models import Role as UserRole
from intersession.core.db import db
from intersession.lessons.models import AttendanceRow, Lesson, LessonKind
from intersession.schools.models import School, TeachingAssignment
from tests.conftest import make_app
from tests.factories import build_hub, make_user
from tests.servers import (
    ROOT,
    RedisServer,
    Served,
    app_environment,
    free_port,
    gunicorn_command,
    process_tree,
    require,
    wait_for,
)

SECRET = "scaled-test-secret-shared-by-every-instance"
NODE_KEY = "scaled-test-key-shared-by-the-instances-and-media-nodes"


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
class NodeNetwork:
    """A network namespace for a media node, joined to ours by a veth pair: the node's channel
    and media cross a link, as between machines (root only)."""

    name: str
    outer: str  # our end of the pair
    host_side: str  # our address on the link: the node reaches Redis here, peers send from here
    node_side: str  # the node's address: its channel and its ICE candidates

    @classmethod
    def make(cls) -> NodeNetwork:
        tag = secrets.token_hex(3)
        net = f"10.{180 + int(tag[:2], 16) % 50}.{int(tag[2:4], 16)}"
        made = cls(f"inode-{tag}", f"vnh-{tag}", f"{net}.1", f"{net}.2")
        inner = f"vnn-{tag}"
        sh = lambda *c: subprocess.run(c, check=True)  # noqa: E731
        inside = lambda *c: sh("ip", "netns", "exec", made.name, *c)  # noqa: E731
        sh("ip", "netns", "add", made.name)
        try:
            sh("ip", "link", "add", made.outer, "type", "veth", "peer", "name", inner)
            sh("ip", "link", "set", inner, "netns", made.name)
            sh("ip", "addr", "add", f"{made.host_side}/24", "dev", made.outer)
            sh("ip", "link", "set", made.outer, "up")
            inside("ip", "link", "set", "lo", "up")
            inside("ip", "addr", "add", f"{made.node_side}/24", "dev", inner)
            inside("ip", "link", "set", inner, "up")
            # Our other addresses (the other node's link) are reached through ours.
            inside("ip", "route", "add", "default", "via", made.host_side)
        except BaseException:
            made.delete()
            raise
        return made

    def delete(self) -> None:
        subprocess.run(["ip", "link", "del", self.outer], check=False, capture_output=True)
        subprocess.run(["ip", "netns", "del", self.name], check=False)


class MediaNodeProcess:
    """`python -m intersession.rooms.media.node`, in its network namespace if it has one; ready
    when its heartbeat is in Redis."""

    def __init__(self, name: str, env: dict[str, str], redis_url: str, log: Path,
                 network: NodeNetwork | None) -> None:  # fmt: skip
        self.name = name
        self.log = log
        self.address = env["MEDIA_NODE_LISTEN"]
        self.network = network
        self.redis = redis.Redis.from_url(redis_url, decode_responses=True)
        command = [sys.executable, "-m", "intersession.rooms.media.node"]
        if network is not None:
            command = ["ip", "netns", "exec", network.name, *command]
        self._out = log.open("w")
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self._out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while (beat := self.heartbeat()) is None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"media node {name} did not beat\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        self.id = str(beat["id"])

    def heartbeat(self) -> dict[str, Any] | None:
        text = self.redis.get(f"intersession:media:node:{self.name}")
        return json.loads(str(text)) if text else None

    def kill(self) -> None:
        """As a crash would: the node and its workers at once."""
        for pid in process_tree(self.process.pid):
            os.kill(pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._out.close()
        self.redis.close()


@dataclass
class Region:
    """Two instances behind nginx, sharing Redis and the database (and media nodes, if any)."""

    tmp: Path
    database: str
    redis: RedisServer
    lesson_id: int
    instances: dict[str, Served] = field(default_factory=dict)
    nginx: Nginx | None = None
    env: dict[str, str] = field(default_factory=dict)  # more settings for every instance
    nodes: dict[str, MediaNodeProcess] = field(default_factory=dict)

    def start_instance(self, name: str) -> Served:
        port = free_port()
        settings = dict(
            BIND=f"127.0.0.1:{port}", INSTANCE_NAME=name, REDIS_URL=self.redis.url,
            SECRET_KEY=SECRET, TRUSTED_PROXIES="1", MEDIA_WORKERS="1", WEB_THREADS="40",
        ) | self.env  # fmt: skip
        env = app_environment(self.tmp, self.database, **settings)
        served = Served(
            gunicorn_command(), env, f"http://127.0.0.1:{port}", self.tmp / f"{name}.log"
        )
        self.instances[name] = served
        return served

    def start_node(self, name: str, network: NodeNetwork | None = None) -> MediaNodeProcess:
        """A media node with one worker, on its link when given one, else on loopback."""
        host = network.node_side if network else "127.0.0.1"
        redis_url = self.redis.url.replace("127.0.0.1", network.host_side) if network else None
        env = app_environment(
            self.tmp, self.database, REDIS_URL=redis_url or self.redis.url, MEDIA_NODE_KEY=NODE_KEY,
            MEDIA_NODE_NAME=name, MEDIA_NODE_LISTEN=f"{host}:{free_port()}",
            MEDIA_HOST_ADDRESSES=host, MEDIA_WORKERS="1", MEDIA_NODE_CAPACITY="100",
        )  # fmt: skip
        node = MediaNodeProcess(name, env, self.redis.url, self.tmp / f"{name}.log", network)
        self.nodes[name] = node
        return node

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


def lesson_for(pupils: int, tag: str, region: Region, began_minutes_ago: int = 1) -> int:
    """A 45-minute lesson of the hub's cohort that began a minute ago (or as said), with `pupils`
    new pupils of the magnet school invited (the room's seats: the pupils, the advisor and the
    school's classroom)."""
    app = make_app(region.tmp, SQLALCHEMY_DATABASE_URI=region.database)
    with app.app_context():
        teaching = db.session.scalars(select(TeachingAssignment)).first()
        assert teaching is not None
        school = db.session.scalar(select(School).where(School.name == "Magnet"))
        assert school is not None
        invited = [make_user(f"{tag}{i}", UserRole.PUPIL, school, grade=9) for i in range(pupils)]
        teaching.cohort.pupils.extend(invited)
        lesson = Lesson(kind=LessonKind.LESSON, advisor_id=teaching.advisor_id, cohort_id=teaching.cohort_id,
                        subject_id=teaching.subject_id, title=tag, starts_at=datetime.now(UTC) - timedelta(minutes=began_minutes_ago),
                        duration_minutes=45, register=[AttendanceRow(pupil=p) for p in invited])  # fmt: skip
        db.session.add(lesson)
        db.session.commit()
        lesson_id = lesson.id
        db.session.remove()
        db.engine.dispose()
    return lesson_id


def region_database(tmp_path: Path, url: str | None = None) -> tuple[str, int]:
    """A fresh database with the hub and a lesson that began a minute ago: (its URL, the id)."""
    database = (
        url
        or os.environ.get("INTERSESSION_TEST_DATABASE_URL")
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
    return database, lesson_id


@pytest.fixture
def region(tmp_path: Path) -> Iterator[Region]:
    for command in ("redis-server", "nginx"):
        require(command)
    database, lesson_id = region_database(tmp_path)
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


@pytest.fixture
def nodes_region(tmp_path: Path) -> Iterator[Region]:
    """Two media nodes — each in a network namespace of its own when root, else on loopback —,
    Redis, and two instances (no nginx) that send every room's media to the nodes."""
    require("redis-server")
    networks = [NodeNetwork.make(), NodeNetwork.make()] if os.geteuid() == 0 else []
    server: RedisServer | None = None
    region: Region | None = None
    try:
        database, lesson_id = region_database(tmp_path)
        server = RedisServer(tmp_path / "redis", also_bind=tuple(n.host_side for n in networks))
        region = Region(tmp_path, database, server, lesson_id, env={"MEDIA_NODE_KEY": NODE_KEY})
        for name, network in zip(("node-1", "node-2"), networks or [None, None], strict=True):
            region.start_node(name, network)
        region.start_instance("web-a")
        region.start_instance("web-b")
        yield region
    finally:
        if region is not None:
            for served in region.instances.values():
                served.stop()
            for node in region.nodes.values():
                node.stop()
        if server is not None:
            server.stop()
        for network in networks:
            network.delete()


def peer_addresses(region: Region) -> list[str]:
    """Where the test's own WebRTC peers send from: our side of each node's link, or loopback."""
    links = [node.network.host_side for node in region.nodes.values() if node.network]
    return links or ["127.0.0.1"]
