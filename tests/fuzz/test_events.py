"""Every `on_<event>` of the /room namespace classes, found by introspection, as each signed-in
role joined to the lesson under way: payloads that are not dicts, miss their keys, or give each key
(read from the handler's source) each hostile value. No exception, no ERROR logged, and the socket
still answers afterwards."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
from flask_socketio import Namespace

from intersession.extensions import socketio
from tests.fuzz.catalogue import CATALOGUE, CLASSES
from tests.fuzz.conftest import check
from tests.fuzz.world import World

SOCKET_ROLES = ("advisor", "pupil", "tutor", "coordinator")
NOT_DICTS: tuple[Any, ...] = (None, "x", 42, 1.5, True, [], [1, 2], [{"lesson": 1}])
LAST = ("remove", "end")  # these let the others go: sent after the rest


def namespace(world: World) -> Namespace:
    return world.app.extensions["room_namespaces"][0]


def events(world: World) -> list[tuple[str, list[str]]]:
    """(event, the payload keys its handler reads), for every on_ method but connect and
    disconnect, along the class's whole hierarchy."""
    found = []
    cls = type(namespace(world))
    for name, method in inspect.getmembers(cls, inspect.isfunction):
        if not name.startswith("on_") or name in ("on_connect", "on_disconnect"):
            continue
        keys = sorted(set(re.findall(r"data\.get\(\s*\"(\w+)\"", _source(cls, method))))
        found.append((name[3:], keys))
    return sorted(
        found, key=lambda e: (e[0] in LAST, LAST.index(e[0]) if e[0] in LAST else 0, e[0])
    )


def _source(cls: type, method: Any, seen: set[str] | None = None) -> str:
    """The handler's source and that of the namespace's helpers it calls with the payload
    (`self._x(data…)`), so a key read in a shared helper is fuzzed too."""
    seen = seen if seen is not None else set()
    text = inspect.getsource(method)
    for helper in re.findall(r"self\.(_\w+)\(\s*data\b", text):
        if helper not in seen and callable(getattr(cls, helper, None)):
            seen.add(helper)
            text += _source(cls, getattr(cls, helper), seen)
    return text


class Socket:
    def __init__(self, world: World, role: str) -> None:
        self.world, self.role = world, role
        self.client: Any = None

    def open(self) -> None:
        http = self.world.clients[self.role]
        http._cookies = dict(self.world.cookies[self.role])  # type: ignore[attr-defined]
        with self.world.app.app_context():
            self.client = socketio.test_client(
                self.world.app, namespace="/room", flask_test_client=http
            )
        self.emit("join", {"lesson": self.world.made.ids["lesson_id"]})

    def emit(self, event: str, data: Any) -> Any:
        ns = namespace(self.world)
        sid = self.client.eio_sid and ns.socketio.server.manager.sid_from_eio_sid(
            self.client.eio_sid, "/room"
        )
        ns.budgets.pop(sid, None)  # a fresh event budget and chat allowance: the same answers
        ns.store.allow_chat = lambda user_id: True  # whatever the machine's speed
        with self.world.app.app_context():
            return self.client.emit(event, data, namespace="/room", callback=True)

    def close(self) -> None:
        if self.client is not None and self.client.is_connected("/room"):
            with self.world.app.app_context():
                self.client.disconnect(namespace="/room")


def payloads(cls: str, keys: list[str]) -> list[tuple[str, str, Any]]:
    """(key, label, payload) for the class; the shapes that are not dicts go with lists."""
    found: list[tuple[str, str, Any]] = []
    if cls == "lists":
        found += [("(payload)", repr(p), p) for p in NOT_DICTS]
        found.append(("(payload)", "{}", {}))
    for key in keys:
        found += [(key, h.label, {key: h.event}) for h in CATALOGUE[cls]]
    return found


def test_signed_out_sockets_are_refused(world: World) -> None:
    http = world.clients["anonymous"]
    with world.app.app_context():
        client = socketio.test_client(world.app, namespace="/room", flask_test_client=http)
    assert not client.is_connected("/room")


@pytest.mark.parametrize("cls", CLASSES)
def test_events(world: World, cls: str) -> None:
    first = len(world.failures)
    for role in SOCKET_ROLES:
        for event, keys in events(world):
            socket = Socket(world, role)
            try:
                socket.open()
                for key, label, payload in payloads(cls, keys):
                    if not socket.client.is_connected("/room"):
                        socket.open()
                    _emit(world, socket, cls, event, key, label, payload)
            finally:
                socket.close()
                world.errors.take()
                world.restore()
    check(world, first, f"Socket.IO events, {cls}")


def _emit(world: World, socket: Socket, cls: str, event: str, key: str, label: str,
          payload: Any) -> None:  # fmt: skip
    world.errors.take()
    world.sent["socket.io"] += 1
    outcomes = []
    try:
        answer = socket.emit(event, payload)
    except Exception as error:
        outcomes.append(f"raised {type(error).__name__}: {str(error)[:160]}")
        answer = None
    outcomes += world.errors.take()
    if not outcomes and answer is not None and not isinstance(answer, dict):
        outcomes.append(f"answered {type(answer).__name__}, not a dict")
    if event not in LAST and socket.client.is_connected("/room"):
        alive = socket.emit("state", {})
        world.sent["socket.io"] += 1
        if not isinstance(alive, dict):
            outcomes.append("the socket no longer answers")
    for outcome in outcomes:
        world.fail(cls, socket.role, "EVENT", event, key, label[:40], outcome)
