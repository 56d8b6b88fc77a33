"""A media node: the engine for many web instances, `python -m intersession.rooms.media.node`.

The engine's rooms run in the node's media-worker processes (workers.py, as a single web process
runs them); the node serves the web instances over the authenticated JSON channel of channel.py,
asks each room of the worker holding it, and sends what the rooms tell unasked (a recording that
stopped) and the rooms a restarted worker lost to every web instance connected (one of them, by a
tag claimed in Redis, tells the pages). Every BEAT_SECONDS it writes its load to Redis, where the
web instances place rooms on the node with most room left (placement.py).

Settings from the environment:
  MEDIA_NODE_KEY        the secret shared with the web instances (required, 32 characters or more)
  REDIS_URL             the Redis of the web instances (required)
  MEDIA_NODE_NAME       this node's name among the nodes (default: the host's name)
  MEDIA_NODE_LISTEN     host:port the channel listens on (default 0.0.0.0:7700)
  MEDIA_NODE_ADDRESS    host:port the web instances connect to (default: the listening one, or
                        this host's name with its port when it listens on every address)
  MEDIA_NODE_CAPACITY   listener connections it takes (default LISTENERS_PER_WORKER per worker)
  MEDIA_WORKERS         worker processes (default: one per core)
  MEDIA_HOST_ADDRESSES  the only addresses offered in ICE (comma-separated; default: all)
  MEDIA_ICE_SERVERS     STUN/TURN URLs the engine uses itself (comma-separated)
  MEDIA_ROOT            where recordings are written: the platform's shared media folder

Recordings are written on shared storage, not finished where written: MEDIA_ROOT is the same
shared filesystem on every node, web instance and Celery worker (mounted wherever each likes; the
web side sends the recording's folder relative to it). A room can move to another node in the
middle of a lesson, so one lesson's tracks may come from two nodes and must meet in one folder;
the finished files are served by the web instances and read by whichever Celery worker finishes
them; and several web instances need a shared MEDIA_ROOT for uploads anyway. A Celery queue per
node would finish only the tracks of that node and still have to ship the result to the web side.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from intersession.rooms.media import channel
from intersession.rooms.media.engine import EngineError
from intersession.rooms.media.placement import BEAT_SECONDS, BEAT_TTL, Placement
from intersession.rooms.media.worker import OPERATIONS
from intersession.rooms.media.workers import MediaWorkers

logger = logging.getLogger("intersession.media.node")
LISTENERS_PER_WORKER = 60  # bench/room_load.py: 40 listeners take 0.3 core of a worker at 30 fps
HANDSHAKES = 32  # connections not yet authenticated at once; more are closed at once
CLOSE_UNPLACED_AFTER = 10.0  # a room asked nothing for this long and placed elsewhere is closed
ERRORS = {KeyError: "key-error", ValueError: "value-error"}


@dataclass(frozen=True)
class NodeSettings:
    name: str
    listen: tuple[str, int]
    address: str
    key: bytes
    capacity: int
    workers: int
    host_addresses: list[str]
    ice_servers: list[str]
    media_root: Path
    redis_url: str

    @classmethod
    def from_environment(cls, env: dict[str, str] | None = None) -> NodeSettings:
        env = dict(os.environ if env is None else env)
        key = env.get("MEDIA_NODE_KEY", "")
        if len(key) < 32:
            raise SystemExit("MEDIA_NODE_KEY must be set to a secret of 32 characters or more")
        if not env.get("REDIS_URL"):
            raise SystemExit("REDIS_URL must be set: the web instances find the node there")
        name = env.get("MEDIA_NODE_NAME") or socket.gethostname()
        if not name.replace("-", "").replace(".", "").replace("_", "").isalnum():
            raise SystemExit("MEDIA_NODE_NAME may hold letters, digits, '-', '_' and '.' only")
        host, _, port = env.get("MEDIA_NODE_LISTEN", "0.0.0.0:7700").rpartition(":")
        default_address = f"{socket.getfqdn() if host in ('', '0.0.0.0', '::') else host}:{port}"
        workers = int(env.get("MEDIA_WORKERS") or os.cpu_count() or 1)
        return cls(
            name=name,
            listen=(host.strip("[]") or "0.0.0.0", int(port)),
            address=env.get("MEDIA_NODE_ADDRESS") or default_address,
            key=key.encode(),
            capacity=int(env.get("MEDIA_NODE_CAPACITY") or LISTENERS_PER_WORKER * workers),
            workers=max(1, workers),
            host_addresses=_list(env.get("MEDIA_HOST_ADDRESSES", "")),
            ice_servers=_list(env.get("MEDIA_ICE_SERVERS", "")),
            media_root=Path(env.get("MEDIA_ROOT") or Path(__file__).parents[3] / "media"),
            redis_url=env["REDIS_URL"],
        )


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _cpu_seconds(pids: list[int]) -> float:
    """User and system time of these processes so far (Linux's /proc; 0 elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


class MediaNode:
    """The node's channel server, its workers and its beat."""

    def __init__(self, settings: NodeSettings) -> None:
        self.settings = settings
        self.id = f"{settings.name}/{secrets.token_hex(4)}"
        self.placement = Placement(settings.redis_url)
        self.stopping = threading.Event()
        self.channels: set[channel.Channel] = set()
        self.rooms: dict[int, float] = {}  # rooms asked of this node -> when last asked
        self.lock = threading.Lock()
        self.handshakes = threading.BoundedSemaphore(HANDSHAKES)
        self.executor = ThreadPoolExecutor(max_workers=64, thread_name_prefix="node-request")
        self.workers = MediaWorkers(settings.workers, settings.ice_servers, settings.host_addresses)
        self.workers.lost_callbacks.append(self._rooms_lost)
        self.workers.event_callbacks.append(self._room_event)
        self.server = socket.create_server(settings.listen, backlog=128)
        self.server.settimeout(1.0)  # to see `stopping` between connections
        self._cpu_at = (time.monotonic(), _cpu_seconds(self._pids()))

    def _pids(self) -> list[int]:
        return [os.getpid(), *self.workers.pids()]

    # -- serving ---------------------------------------------------------------------------------

    def serve_forever(self) -> None:
        self._take_name()
        self.beat()
        threading.Thread(target=self._beat_forever, name="node-beat", daemon=True).start()
        logger.info("media node %s serving on %s:%s", self.id, *self.settings.listen)
        print("ready", flush=True)
        while not self.stopping.is_set():
            try:
                sock, _address = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            if not self.handshakes.acquire(blocking=False):
                sock.close()
                continue
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()
        self.stop()

    def _take_name(self) -> None:
        """A node started again under its name waits for its dead self's heartbeat to lapse; a
        second living node of the same name is refused."""
        deadline = time.monotonic() + BEAT_TTL + 2
        while (beat := self.placement.heartbeat(self.settings.name)) is not None:
            if time.monotonic() > deadline:
                raise SystemExit(f"another media node named {self.settings.name} is running")
            logger.info("waiting for the heartbeat of %s to lapse", beat.get("id"))
            time.sleep(0.5)

    def _serve(self, sock: socket.socket) -> None:
        try:
            link = channel.accept(sock, self.settings.key, self.id)
        except channel.ChannelError as error:
            logger.warning("refused a connection: %s", error)
            sock.close()
            return
        finally:
            self.handshakes.release()
        with self.lock:
            self.channels.add(link)
        try:
            while not self.stopping.is_set():
                self._dispatch(link, link.receive())
        except channel.ChannelError as error:
            if not self.stopping.is_set():
                logger.info("connection from %s ended: %s", link.peer, error)
        finally:
            with self.lock:
                self.channels.discard(link)
            link.close()

    def _dispatch(self, link: channel.Channel, message: dict[str, Any]) -> None:
        """A request: {id, room, op, args, timeout}. One that is not shaped so ends the
        connection; an operation the node does not do is answered with an error."""
        request_id, room_id = message.get("id"), message.get("room")
        operation, args = message.get("op"), message.get("args", [])
        timeout = message.get("timeout", 15)
        if not (
            type(request_id) is int and request_id > 0 and type(room_id) is int and room_id > 0
            and isinstance(operation, str) and isinstance(args, list) and len(args) <= 4
            and type(timeout) in (int, float)
        ):  # fmt: skip
            raise channel.ChannelError("a message that is not a request")
        if operation not in OPERATIONS or operation == "load":
            self._reply(link, request_id, error=ValueError(f"unknown operation {operation!r}"))
            return
        with self.lock:
            self.rooms[room_id] = time.monotonic()
        wait = min(max(float(timeout), 1.0), 60.0)
        self.executor.submit(self._run, link, request_id, room_id, operation, args, wait)

    def _run(
        self,
        link: channel.Channel,
        request_id: int,
        room_id: int,
        operation: str,
        args: list[Any],
        timeout: float,
    ) -> None:
        try:
            value = self.workers.request(
                room_id, operation, *self._arguments(operation, args), timeout=timeout
            )
        except (KeyError, ValueError, EngineError) as error:
            self._reply(link, request_id, error=error)
            return
        except Exception as error:  # anything else must not end the node's thread pool
            logger.exception("%s of room %s failed", operation, room_id)
            self._reply(link, request_id, error=EngineError(f"{type(error).__name__}: {error}"))
            return
        if operation == "close_room":
            with self.lock:
                self.rooms.pop(room_id, None)
        self._reply(link, request_id, value=value)

    def _arguments(self, operation: str, args: list[Any]) -> list[Any]:
        """JSON's lists back into what the room takes; a recording's folder under MEDIA_ROOT."""
        if operation == "subscribe" and len(args) >= 3 and isinstance(args[2], list):
            args = [*args[:2], tuple(args[2]), *args[3:]]
        if operation == "publish" and len(args) >= 3 and isinstance(args[2], dict):
            args = [*args[:2], args[2] | {"folder": str(self._folder(args[2].get("folder")))}]
        return args

    def _folder(self, relative: Any) -> Path:
        if not isinstance(relative, str) or not relative:
            raise ValueError("no recording folder")
        path = PurePosixPath(relative)
        if path.is_absolute() or ".." in path.parts:
            raise ValueError("the recording folder must lie under MEDIA_ROOT")
        root = self.settings.media_root.resolve()
        folder = (root / path).resolve()
        if not folder.is_relative_to(root):
            raise ValueError("the recording folder must lie under MEDIA_ROOT")
        return folder

    def _reply(
        self,
        link: channel.Channel,
        request_id: int,
        value: Any = None,
        error: BaseException | None = None,
    ) -> None:
        if error is None:
            message: dict[str, Any] = {"id": request_id, "ok": True, "value": value}
        else:
            detail = error.args[0] if isinstance(error, KeyError) and error.args else error
            code = next((c for t, c in ERRORS.items() if isinstance(error, t)), "engine-error")
            message = {"id": request_id, "ok": False,
                       "error": {"code": code, "message": str(detail)[:500]}}  # fmt: skip
        try:
            link.send(message)
        except (channel.ChannelError, TypeError, ValueError) as failure:
            logger.info("could not answer %s: %s", link.peer, failure)

    def _broadcast(self, message: dict[str, Any]) -> None:
        with self.lock:
            links = list(self.channels)
        for link in links:
            with contextlib.suppress(channel.ChannelError):  # its reader will see the end
                link.send(message)

    def _rooms_lost(self, rooms: set[int]) -> None:
        """A worker died and was started again: its rooms' media are gone, the node lives."""
        if rooms:
            self._broadcast({"lost": sorted(rooms), "tag": secrets.token_hex(8)})

    def _room_event(self, room_id: int, event: str, data: dict[str, Any]) -> None:
        message = {"event": event, "room": room_id, "data": data, "tag": secrets.token_hex(8)}
        self._broadcast(message)

    # -- beating ---------------------------------------------------------------------------------

    def load(self) -> dict[str, Any]:
        now, cpu = time.monotonic(), _cpu_seconds(self._pids())
        then, cpu_then = self._cpu_at
        self._cpu_at = (now, cpu)
        counts = self.workers.load()
        return {
            "id": self.id, "name": self.settings.name, "address": self.settings.address,
            "capacity": self.settings.capacity, "reserved": self.placement.reserved(self.id),
            "listeners": counts["listeners"], "rooms": counts["rooms"],
            "cpu": round(max(0.0, cpu - cpu_then) / max(now - then, 1e-3), 3), "at": time.time(),
        }  # fmt: skip

    def beat(self) -> None:
        self.placement.beat(self.load())

    def _beat_forever(self) -> None:
        while not self.stopping.wait(BEAT_SECONDS):
            try:
                self.beat()
                self._close_unplaced()
            except Exception:  # Redis or a worker away for a moment: the next beat tries again
                logger.exception("the beat failed")

    def _close_unplaced(self) -> None:
        """Rooms placed elsewhere now (this node was taken for dead) or no longer placed (the
        lesson is over) are closed here, so they do not hold media nobody asks for."""
        with self.lock:
            idle = [
                r for r, at in self.rooms.items() if time.monotonic() - at > CLOSE_UNPLACED_AFTER
            ]
        for room_id, node_id in zip(idle, self.placement.nodes_of(idle), strict=True):
            if node_id != self.id:
                logger.info("closing room %s: placed on %s", room_id, node_id)
                self.workers.request(room_id, "close_room", timeout=15)
                with self.lock:
                    self.rooms.pop(room_id, None)

    def stop(self) -> None:
        """Stopped in order: the web instances are told (they move its rooms), the heartbeat
        goes, the workers close their rooms."""
        self.stopping.set()
        self.server.close()
        self._broadcast({"bye": True})
        try:
            beat = self.placement.heartbeat(self.settings.name)
            if beat is not None and beat.get("id") == self.id:
                self.placement.redis.delete(self.placement.key("node", self.settings.name))
        except Exception:
            logger.exception("could not take the heartbeat away")
        with self.lock:
            links = list(self.channels)
        for link in links:
            link.close()
        self.workers.stop()
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.placement.close()


def main() -> None:
    settings = NodeSettings.from_environment()
    logging.basicConfig(
        level=os.environ.get("MEDIA_NODE_LOG_LEVEL", "INFO"),
        format=f"%(asctime)s {settings.name} %(levelname)s %(message)s",
    )
    node = MediaNode(settings)
    signal.signal(signal.SIGTERM, lambda signum, frame: node.stopping.set())
    signal.signal(signal.SIGINT, lambda signum, frame: node.stopping.set())
    node.serve_forever()


if __name__ == "__main__":
    main()
