"""The render gate: GET requests wait for a slot, requests with a body never do."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from intersession.core.gate import RenderGate


class Recorder:
    """A WSGI app that holds each request a moment and records how many were inside at once."""

    def __init__(self) -> None:
        self.inside = self.most = 0
        self.lock = threading.Lock()
        self.release = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        if environ["REQUEST_METHOD"] == "GET":
            self.release.wait(5)
        with self.lock:
            self.inside -= 1
        start_response("200 OK", [])
        return [environ["REQUEST_METHOD"].encode()]


def call(app: Any, method: str, results: list[bytes]) -> None:
    body = app({"REQUEST_METHOD": method, "PATH_INFO": "/"}, lambda *_: None)
    results.extend(body)


def test_gets_wait_for_a_slot_and_posts_go_past() -> None:
    inner = Recorder()
    gate = RenderGate(inner, slots=2)
    results: list[bytes] = []
    gets = [threading.Thread(target=call, args=(gate, "GET", results)) for _ in range(6)]
    for thread in gets:
        thread.start()
    time.sleep(0.3)
    assert inner.inside == 2  # two renders in, four waiting at the door
    post = threading.Thread(target=call, args=(gate, "POST", results))
    post.start()
    post.join(2)
    assert results == [b"POST"]  # a request with a body is not held behind the renders
    inner.release.set()
    for thread in gets:
        thread.join(5)
    assert results.count(b"GET") == 6
    assert inner.most == 3  # the two gated GETs and the POST, never more
