"""The web instance's side of the media nodes: `MediaNodes` has the `request` of the engine in
this process (engine.py) and of its own worker processes (workers.py), and asks each room of the
node Redis places it on (placement.py), so a publisher through one instance and a listener through
another meet on the same node.

A room is placed when it is first published to, by the seats its lesson can hold; the other
operations of a room placed nowhere have nothing to act on and answer as an empty room would.
A node is gone when its heartbeat lapses or its connection ends and it does not answer again as
the same incarnation: its placements are swept (compare and delete), and the instance whose sweep
removed a room tells `lost_callbacks`, which tell the room's pages to publish and subscribe again;
their next publish places the room on a living node.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import redis

from intersession.rooms.media import channel
from intersession.rooms.media.engine import EngineError
from intersession.rooms.media.placement import BEAT_SECONDS, Placement

logger = logging.getLogger(__name__)
ERRORS: dict[str, type[Exception]] = {"key-error": KeyError, "value-error": ValueError}
# What a room that is on no node answers (no media there: nothing to close or count).
UNPLACED: dict[str, Any] = {
    "leave": None, "unpublish": None, "close_room": None, "wait_for_tracks": None,
    "drop_listener": 0, "counters": {"keyframes_asked": 0, "dropped": 0},
    "stop_recording": {"recording": False, "stopped_because": None},
}  # fmt: skip
CLEANING = frozenset({"leave", "unpublish", "close_room", "drop_listener"})


class NodeLink:
    """One connection to one incarnation of a node, with requests in flight on it."""

    def __init__(
        self, node_id: str, link: channel.Channel, on_message: Callable[[dict[str, Any]], None],
        on_closed: Callable[[NodeLink], None],
    ) -> None:  # fmt: skip
        self.node_id = node_id
        self.link = link
        self.on_message = on_message
        self.on_closed = on_closed
        self.ids = itertools.count(1)
        self.lock = threading.Lock()
        self.pending: dict[int, Future[dict[str, Any]]] = {}
        self.closed = False
        self.said_bye = False
        threading.Thread(target=self._read, name=f"media-node-{node_id}", daemon=True).start()

    def _read(self) -> None:
        try:
            while True:
                message = self.link.receive()
                if message.get("bye") is True:
                    self.said_bye = True
                    break
                request_id = message.get("id")
                if request_id is None:
                    self.on_message(message)
                    continue
                with self.lock:
                    future = self.pending.pop(request_id, None)
                if future is not None:
                    future.set_result(message)
        except channel.ChannelError as error:
            if not self.closed:
                logger.warning("connection to media node %s ended: %s", self.node_id, error)
        self.close()
        self.on_closed(self)

    def request(self, room_id: int, operation: str, args: list[Any], timeout: float) -> Any:
        future: Future[dict[str, Any]] = Future()
        with self.lock:
            if self.closed:
                raise EngineError("the media node is not connected")
            request_id = next(self.ids)
            self.pending[request_id] = future
        message = {"id": request_id, "room": room_id, "op": operation, "args": args,
                   "timeout": timeout}  # fmt: skip
        try:
            self.link.send(message)
            answer = future.result(timeout + 2)  # the node gives up first, and says so
        except channel.ChannelError:
            raise EngineError("the media node stopped") from None
        except FutureTimeout:
            raise EngineError("the media engine did not answer in time") from None
        finally:
            with self.lock:
                self.pending.pop(request_id, None)
        if answer.get("ok"):
            return answer.get("value")
        error = answer.get("error")
        error = error if isinstance(error, dict) else {}
        raise ERRORS.get(str(error.get("code")), EngineError)(str(error.get("message", "")))

    def close(self) -> None:
        with self.lock:
            self.closed = True
            pending, self.pending = self.pending, {}
        for future in pending.values():
            future.set_result({"ok": False, "error": {"code": "engine-error",
                                                      "message": "the media node stopped"}})  # fmt: skip
        self.link.close()


class MediaNodes:
    """The engine as media nodes, with the `request` call of the in-process engine."""

    def __init__(
        self,
        redis_url: str,
        key: str,
        media_root: str,
        room_size: Callable[[int], tuple[int, float]],
    ) -> None:
        """`room_size(room_id)` gives the seats a room reserves and until when (unix time)."""
        self.placement = Placement(redis_url)
        self.key = key.encode()
        self.media_root = Path(media_root).resolve()
        self.room_size = room_size
        self.lost_callbacks: list[Callable[[set[int]], None]] = []
        self.event_callbacks: list[Callable[[int, str, dict[str, Any]], None]] = []
        self.links: dict[str, NodeLink] = {}
        self.lock = threading.Lock()
        self.connecting: dict[str, threading.Lock] = {}
        self.stopping = threading.Event()
        threading.Thread(target=self._watch, name="media-nodes-watch", daemon=True).start()

    # -- requests --------------------------------------------------------------------------------

    def request(self, room_id: int, operation: str, *args: Any, timeout: float = 15) -> Any:
        """`operation` of the room on its node, with `args`; KeyError, ValueError and EngineError
        as the engine raises them."""
        try:
            return self._request(room_id, operation, list(args), timeout)
        except redis.RedisError as error:
            raise EngineError(f"the placement of rooms is out of reach: {error}") from None
        except EngineError:
            if operation not in CLEANING:
                raise
            # The node went in the middle of it: nothing of the room is left there to clean.
            logger.warning("%s of room %s: its media node went meanwhile", operation, room_id)
            return UNPLACED[operation]

    def _request(self, room_id: int, operation: str, args: list[Any], timeout: float) -> Any:
        sent = self._arguments(operation, args)
        for _attempt in range(2):  # a node found dead on the way: once more, on another
            node_id = self.placement.node_of(room_id)
            if node_id is None:
                if operation != "publish":
                    if operation in ("subscribe", "accept_answer"):  # as the room would
                        raise KeyError(args[1] if operation == "subscribe" else args[0])
                    return UNPLACED.get(operation)
                node_id = self._place(room_id)
            link = self._link(node_id)
            if link is None:
                continue
            try:
                return link.request(room_id, operation, sent, timeout)
            finally:
                if operation == "close_room":  # the node closes it by itself if it did not now
                    self.placement.release(room_id, node_id)
        raise EngineError("no media node is available")

    def _arguments(self, operation: str, args: list[Any]) -> list[Any]:
        """JSON for the channel: a recording's folder relative to MEDIA_ROOT, which every node
        shares (see node.py on why recordings go to shared storage)."""
        if operation == "publish" and len(args) >= 3 and isinstance(args[2], dict):
            folder = Path(args[2]["folder"]).resolve()
            if not folder.is_relative_to(self.media_root):
                raise ValueError("the recording folder is not under MEDIA_ROOT")
            args = [*args[:2], args[2] | {"folder": folder.relative_to(self.media_root).as_posix()}]
        return [list(a) if isinstance(a, tuple) else a for a in args]

    def _place(self, room_id: int) -> str:
        living = [beat["id"] for beat in self.placement.living()]
        if not living:
            raise EngineError("no media node is available")
        random.shuffle(living)  # equal room left: no node is always the first
        seats, until = self.room_size(room_id)
        node_id = self.placement.place(room_id, seats, until, living)
        if node_id is None:
            raise EngineError("no media node is available")
        return node_id

    def _link(self, node_id: str) -> NodeLink | None:
        """The connection to the node, made if need be; None (the node swept) when it is gone."""
        with self.lock:
            if (link := self.links.get(node_id)) is not None and not link.closed:
                return link
            connecting = self.connecting.setdefault(node_id, threading.Lock())
        with connecting:
            with self.lock:
                if (link := self.links.get(node_id)) is not None and not link.closed:
                    return link
            link = self._connect(node_id)
            if link is None:
                self._gone(node_id)
                return None
            with self.lock:
                self.links[node_id] = link
            return link

    def _connect(self, node_id: str) -> NodeLink | None:
        beat = self.placement.alive(node_id)
        if beat is None:
            return None
        try:
            link = channel.connect(str(beat["address"]), self.key)
        except channel.ChannelRefused as refused:
            logger.error("media node %s refused us: %s (MEDIA_NODE_KEY differs?)", node_id, refused)
            raise EngineError("the media node refused this instance") from None
        except channel.ChannelError as error:
            logger.warning("media node %s cannot be reached: %s", node_id, error)
            return None
        if link.peer != node_id:  # another incarnation answers there: the one placed is gone
            link.close()
            return None
        return NodeLink(node_id, link, self._message, self._closed)

    # -- what nodes tell -------------------------------------------------------------------------

    def _message(self, message: dict[str, Any]) -> None:
        tag = message.get("tag")
        if not isinstance(tag, str) or not self.placement.claim(tag):
            return  # another instance tells the pages
        if isinstance(message.get("lost"), list):
            self._tell_lost({int(room) for room in message["lost"]})
        elif isinstance(message.get("event"), str) and isinstance(message.get("room"), int):
            data = message.get("data")
            data = data if isinstance(data, dict) else {}
            for callback in self.event_callbacks:
                callback(message["room"], message["event"], data)

    def _closed(self, link: NodeLink) -> None:
        """A connection ended: the node is gone unless it answers again as itself."""
        with self.lock:
            if self.links.get(link.node_id) is link:
                del self.links[link.node_id]
        if self.stopping.is_set():
            return
        if not link.said_bye:
            time.sleep(0.2)
            try:
                if self._link(link.node_id) is not None:
                    return  # a moment's break; the rooms' media went on on the node
            except EngineError:
                pass
        self._gone(link.node_id)

    def _gone(self, node_id: str) -> None:
        lost = self.placement.sweep(node_id)
        if lost:
            logger.warning("media node %s is gone: rooms %s move", node_id, sorted(lost))
            self._tell_lost(lost)

    def _tell_lost(self, rooms: set[int]) -> None:
        for callback in self.lost_callbacks:
            try:
                callback(rooms)
            except Exception:
                logger.exception("telling of lost rooms %s failed", sorted(rooms))

    def _watch(self) -> None:
        """Nodes whose heartbeat lapsed are swept, though this instance had no connection."""
        while not self.stopping.wait(BEAT_SECONDS):
            try:
                for node_id in self.placement.known_nodes():
                    if self.placement.alive(node_id) is None:
                        with self.lock:
                            link = self.links.pop(node_id, None)
                        if link is not None:
                            link.close()
                        self._gone(node_id)
            except Exception:  # Redis away for a moment: the next round looks again
                logger.exception("watching the media nodes failed")

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            links, self.links = list(self.links.values()), {}
        for link in links:
            link.close()
        self.placement.close()
