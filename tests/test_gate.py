"""The render gate: GET requests wait for a slot, requests with a body never do."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from intersession.core.gate import FairSlots, RenderGate


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


def test_the_slot_goes_to_the_longest_waiting_request() -> None:
    """A freed slot is handed on in arrival order; a request arriving just then waits its turn."""
    slots = FairSlots(1)
    order: list[int] = []
    holder_in, let_go = threading.Event(), threading.Event()

    def first() -> None:
        with slots.held():
            holder_in.set()
            let_go.wait(5)

    def waiter(n: int) -> None:
        with slots.held():
            order.append(n)

    threading.Thread(target=first).start()
    holder_in.wait(5)
    waiters = []
    for n in range(5):
        waiters.append(threading.Thread(target=waiter, args=(n,)))
        waiters[-1].start()
        time.sleep(0.05)  # they queue up in this order
    let_go.set()
    late = threading.Thread(target=waiter, args=(99,))
    late.start()  # arrives as the slot is freed: must not pass the queue
    for thread in [*waiters, late]:
        thread.join(5)
    assert order == [0, 1, 2, 3, 4, 99]
