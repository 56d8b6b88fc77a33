"""Real servers for tests: the app under gunicorn in processes of its own, and clients that speak
to it over the network as a browser does (HTTP with cookies and CSRF, Socket.IO over WebSocket)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import socketio

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
CSRF_RE = re.compile(r'name="(?:[\w-]*-)?csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, timeout: float = 40.0, process: subprocess.Popen[Any] | None = None) -> None:
    """Until the URL answers at all (any status), or fail saying why. A server that took the
    connection but has not answered in 2 s is still starting (gunicorn's master listens before its
    worker has loaded the app): it is asked again, not failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode} before answering")
        try:
            requests.get(url, timeout=2)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout} s")


def app_environment(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment an instance reads its settings from (intersession/config.py)."""
    return (
        dict(os.environ)
        | dict(
            INTERSESSION_INSTANCE=str(tmp_path / "instance"),
            DATABASE_URL=database_url,
            MEDIA_ROOT=str(tmp_path / "media"),
            CELERY_BROKER_URL="filesystem://",
            CELERY_BROKER_FOLDER=str(tmp_path / "broker"),
            PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
            MEDIA_HOST_ADDRESSES="127.0.0.1",
            PYTHONPATH=str(ROOT),
        )
        | extra
    )


def _parents() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":  # a zombie has ended; only its parent has not looked yet
                parents[int(entry.name)] = int(fields[1])
    return parents


def process_tree(root: int) -> set[int]:
    """A process and every living process it started, and they started."""
    parents = _parents()
    tree = {root} if root in parents else set()
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def alive(pids: set[int]) -> set[int]:
    return pids & set(_parents())


class Served:
    """A command serving the app, started in a session of its own as from a terminal, so that a
    signal to its process group is what a Ctrl-C would be."""

    def __init__(self, command: list[str], env: dict[str, str], url: str, log: Path) -> None:
        self.url = url
        self.log = log
        self._out = log.open("w")
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self._out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            wait_for(f"{url}/login", process=self.process)
        except AssertionError as error:
            self.stop()
            raise AssertionError(f"{error}\n{log.read_text()[-3000:]}") from None

    def processes(self) -> set[int]:
        return process_tree(self.process.pid)

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30.0) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signum)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._out.close()


def gunicorn_command() -> list[str]:
    """The production command line: gunicorn with the deployment's config file."""
    config = ROOT / "deploy" / "gunicorn.conf.py"
    return [sys.executable, "-m", "gunicorn", "-c", str(config), "wsgi:app"]


class Visitor:
    """A person at a browser: an HTTP session with cookies, and Socket.IO over WebSocket."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        self.sockets: list[socketio.Client] = []

    def csrf(self, path: str) -> str:
        page = self.http.get(self.url + path, timeout=10).text
        match = CSRF_RE.search(page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, login: str, password: str = PASSWORD) -> requests.Response:
        token = self.csrf("/login")
        return self.http.post(
            self.url + "/login",
            data={"login": login, "password": password, "next": "", "csrf_token": token},
            timeout=10,
            allow_redirects=False,
        )

    def logout(self) -> requests.Response:
        token = self.csrf("/")
        return self.http.post(
            self.url + "/logout", data={"csrf_token": token}, timeout=10, allow_redirects=False
        )

    def room_socket(self, url: str | None = None) -> socketio.Client:
        """A socket on the live room's namespace, as the room page opens it (WebSocket only)."""
        base = url or self.url
        client = socketio.Client(reconnection=False, request_timeout=10)
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        client.connect(
            base, namespaces=["/room"], transports=["websocket"], wait_timeout=10,
            headers={"Cookie": cookies},  # the WebSocket client sends the page's Origin itself
        )  # fmt: skip
        self.sockets.append(client)
        return client

    def close(self) -> None:
        for client in self.sockets:
            client.disconnect()
        self.http.close()


@contextmanager
def visitor(url: str) -> Iterator[Visitor]:
    person = Visitor(url)
    try:
        yield person
    finally:
        person.close()


class RedisServer:
    """Debian's redis-server on a free loopback port, keeping nothing on disk."""

    def __init__(self, folder: Path, also_bind: tuple[str, ...] = ()) -> None:
        """`also_bind`: addresses besides loopback it listens on (our ends of the veth links to
        network namespaces, which protected mode would refuse)."""
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        folder.mkdir(parents=True, exist_ok=True)
        protected = "no" if also_bind else "yes"
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", *also_bind, "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(folder), "--protected-mode", protected],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise AssertionError("redis-server did not start") from None
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def require(command: str) -> None:
    """A Debian package the test needs: CI installs it (.ci/run); elsewhere the test is skipped
    unless INTERSESSION_REQUIRE_SERVERS says it must run."""
    import shutil

    import pytest

    if shutil.which(command) is None:
        if os.environ.get("INTERSESSION_REQUIRE_SERVERS"):
            pytest.fail(f"{command} is missing and the server tests are required here")
        pytest.skip(f"{command} is missing: install its Debian package to run this test")


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
