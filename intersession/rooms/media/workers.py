"""The web process's side of the media workers: starts them, relays requests, restarts the dead.

Each lesson's room lives on one worker (chosen by its id). A worker that dies is started again at
once; the rooms it held are reported to `on_lost` callbacks, so the room's pages can publish and
subscribe anew by themselves.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from multiprocessing.connection import Client, Connection
from typing import Any

from intersession.rooms.media.engine import EngineError

logger = logging.getLogger(__name__)
START_TIMEOUT = 30.0


class WorkerProcess:
    """One worker process and the connection to it."""

    def __init__(
        self,
        index: int,
        settings: dict[str, Any],
        on_lost: Callable[[int], None],
        on_event: Callable[[int, str, dict[str, Any]], None],
    ) -> None:
        self.index = index
        self.settings = settings
        self.on_lost = on_lost
        self.on_event = on_event
        self.ids = itertools.count(1)
        self.lock = threading.Lock()
        self.pending: dict[int, Future[tuple[bool, Any]]] = {}
        self.stopping = False
        self.process: subprocess.Popen[str] | None = None
        self.connection: Connection | None = None
        self.start()

    def start(self) -> None:
        folder = tempfile.mkdtemp(prefix="intersession-media-")  # 0700: ours only
        path = os.path.join(folder, "control.sock")
        key = secrets.token_bytes(32)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "intersession.rooms.media.worker", path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            start_new_session=True,  # a Ctrl-C is for the web server, which stops us in order
        )  # fmt: skip
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(self.settings | {"key": key.hex()}) + "\n")
        self.process.stdin.close()
        ready = self.process.stdout.readline().strip() == "ready"
        self.process.stdout.close()
        if not ready:
            self.process.kill()
            self.process.wait()
            raise EngineError(f"media worker {self.index} did not start")
        # The worker takes this one connection, then removes the socket and its folder.
        self.connection = Client(path, family="AF_UNIX", authkey=key)
        threading.Thread(target=self._read, name=f"media-worker-{self.index}", daemon=True).start()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def _read(self) -> None:
        connection = self.connection
        assert connection is not None
        while True:
            try:
                request_id, ok, value = connection.recv()
            except (EOFError, OSError):
                break
            if request_id == 0:  # unasked: an event of a room
                self.on_event(*value)
                continue
            with self.lock:
                future = self.pending.pop(request_id, None)
            if future is not None:
                future.set_result((ok, value))
        connection.close()
        self._lost()

    def _lost(self) -> None:
        with self.lock:
            pending, self.pending = self.pending, {}
        for future in pending.values():
            future.set_result((False, EngineError("the media worker stopped")))
        if self.process is not None:
            self.process.wait()
        if self.stopping:
            return
        logger.warning("media worker %s stopped (exit %s); starting it again", self.index,
                       self.process.returncode if self.process else None)  # fmt: skip
        for attempt in range(5):
            try:
                self.start()
                break
            except (EngineError, OSError):
                time.sleep(0.5 * (attempt + 1))
        self.on_lost(self.index)

    def request(self, room_id: int, operation: str, args: tuple[Any, ...], timeout: float) -> Any:
        future: Future[tuple[bool, Any]] = Future()
        with self.lock:
            request_id = next(self.ids)
            self.pending[request_id] = future
            try:
                assert self.connection is not None
                self.connection.send((request_id, room_id, operation, args))
            except (OSError, ValueError):
                self.pending.pop(request_id, None)
                raise EngineError("the media worker is restarting") from None
        try:
            ok, value = future.result(timeout)
        except FutureTimeout:
            with self.lock:
                self.pending.pop(request_id, None)
            raise EngineError("the media engine did not answer in time") from None
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """Ask the worker to close its rooms and end (closing our end would not wake its reader
        while ours is blocked on the same socket)."""
        self.stopping = True
        if self.connection is not None:
            with self.lock, contextlib.suppress(OSError, ValueError):
                self.connection.send((0, 0, "shutdown", ()))
        if self.process is not None:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class MediaWorkers:
    """The engine as a set of worker processes, with the in-process engine's `request` call."""

    def __init__(self, count: int, ice_servers: list[str], host_addresses: list[str]) -> None:
        settings = {"ice_servers": ice_servers, "host_addresses": host_addresses}
        self.lost_callbacks: list[Callable[[set[int]], None]] = []
        self.event_callbacks: list[Callable[[int, str, dict[str, Any]], None]] = []
        self.rooms_on: dict[int, set[int]] = {}  # worker index -> rooms it has held
        self.workers = [
            WorkerProcess(i, settings, self._lost, self._event) for i in range(max(1, count))
        ]

    def worker_for(self, room_id: int) -> WorkerProcess:
        return self.workers[room_id % len(self.workers)]

    def request(self, room_id: int, operation: str, *args: Any, timeout: float = 15) -> Any:
        worker = self.worker_for(room_id)
        self.rooms_on.setdefault(worker.index, set()).add(room_id)
        return worker.request(room_id, operation, args, timeout)

    def load(self, timeout: float = 5) -> dict[str, int]:
        """Rooms, sources and listener connections on all the workers (a media node's beat)."""
        total = {"rooms": 0, "sources": 0, "listeners": 0}
        for worker in self.workers:
            for name, count in worker.request(0, "load", (), timeout).items():
                total[name] += count
        return total

    def pids(self) -> list[int]:
        return [worker.pid for worker in self.workers if worker.pid is not None]

    def _event(self, room_id: int, event: str, data: dict[str, Any]) -> None:
        for callback in self.event_callbacks:
            callback(room_id, event, data)

    def _lost(self, index: int) -> None:
        rooms = self.rooms_on.pop(index, set())
        for callback in self.lost_callbacks:
            callback(rooms)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
