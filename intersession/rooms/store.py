"""Where the live rooms' state is kept: in this process for one machine, in Redis for several.

Every web instance must agree on who is in a room, whose hand is up, who has the floor, the
classroom's ticks, the sources on air, which socket belongs to whom, and how much a person has
chatted; so none of it lives in a namespace's memory. `RoomStore` is the one interface to it:

- `changing(lesson_id)` hands out the room under the lesson's lock (a `threading` lock in memory, a
  Redis lock across instances) and saves it when the block ends; `read` gives a snapshot;
- the socket index (socket → lesson) follows each saved room, so it is never out of step with it;
- the person → sockets registry lets a sign-out on one instance cut sockets on all of them;
- each instance beats, and a participant carries the instance holding their socket, so the rooms of
  an instance that stopped answering can be swept of it (`ghosts`).

Both stores keep the room as JSON, so the embedded default exercises exactly what Redis keeps.
What belongs to one connection only (its event budget) stays with the connection's process.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import threading
import time
from abc import ABC, abstractmethod
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

from intersession.rooms.chat import BURST, BURST_SECONDS
from intersession.rooms.live import LiveRoom, Participant

ROOM_TTL = 12 * 3600  # a room nobody touched for this long is forgotten (its lesson is long over)
LOCK_SECONDS = 15  # a lock held longer than this by a frozen instance is given up
BEAT_SECONDS = 3.0  # how often an instance says it lives …
BEAT_TTL = 10  # … and how long after its last word it counts as gone


def instance_id(name: str = "") -> str:
    """This process's name among the instances: unique even when two share a configured name."""
    return f"{(name or socket.gethostname())[:60]}-{os.getpid()}-{secrets.token_hex(3)}"


def room_to_json(room: LiveRoom) -> str:
    return json.dumps(
        {
            "participants": {sid: asdict(p) for sid, p in room.participants.items()},
            "sources": room.sources,
            "ticks": {
                str(t): {str(p): i for p, i in ticks.items()} for t, ticks in room.ticks.items()
            },
            "board": room.board,
        },
        separators=(",", ":"),
    )


def room_from_json(lesson_id: int, text: str | None) -> LiveRoom:
    room = LiveRoom(lesson_id)
    if not text:
        return room
    data = json.loads(text)
    room.participants = {sid: Participant(**p) for sid, p in data["participants"].items()}
    room.sources = data["sources"]
    room.ticks = {
        int(tutor): {int(pupil): interval for pupil, interval in ticks.items()}
        for tutor, ticks in data["ticks"].items()
    }
    room.board = data.get("board") or {}
    return room


class RoomStore(ABC):
    """The live rooms' shared state (see the module's docstring)."""

    def __init__(self, instance: str) -> None:
        self.instance = instance

    # -- rooms -----------------------------------------------------------------------------------

    @abstractmethod
    def _load(self, lesson_id: int) -> str | None: ...

    @abstractmethod
    def _save(self, lesson_id: int, text: str, entered: set[str], left: set[str]) -> None: ...

    @abstractmethod
    @contextmanager
    def _locked(self, lesson_id: int) -> Iterator[None]: ...

    @abstractmethod
    def lesson_of(self, sid: str) -> int | None:
        """The lesson whose room the socket joined."""

    @abstractmethod
    def lesson_ids(self) -> list[int]:
        """The rooms kept now."""

    def read(self, lesson_id: int) -> LiveRoom:
        """The room as it is now (an empty one if nobody came yet); changes to it are not kept."""
        return room_from_json(lesson_id, self._load(lesson_id))

    @contextmanager
    def changing(self, lesson_id: int) -> Iterator[LiveRoom]:
        """The room under the lesson's lock; what the block changes is kept when it ends (not when
        it raises)."""
        with self._locked(lesson_id):
            room = self.read(lesson_id)
            before = set(room.participants)
            yield room
            after = set(room.participants)
            self._save(lesson_id, room_to_json(room), after - before, before - after)

    def of_socket(self, sid: str) -> tuple[LiveRoom, Participant] | None:
        lesson_id = self.lesson_of(sid)
        if lesson_id is None:
            return None
        room = self.read(lesson_id)
        person = room.participants.get(sid)
        return (room, person) if person is not None else None

    # -- people's sockets ------------------------------------------------------------------------

    @abstractmethod
    def add_socket(self, user_id: int, sid: str, token: str) -> None: ...

    @abstractmethod
    def drop_socket(self, user_id: int, sid: str) -> None: ...

    @abstractmethod
    def sockets_of(self, user_id: int) -> dict[str, str]:
        """The person's open sockets on every instance, with their session's token hash."""

    # -- chat ------------------------------------------------------------------------------------

    @abstractmethod
    def allow(self, kind: str, user_id: int, burst: int, seconds: float) -> bool:
        """At most `burst` actions of a kind per `seconds` per person, whichever instance they
        act on (a sliding window)."""

    def allow_chat(self, user_id: int) -> bool:
        """At most BURST lines per BURST_SECONDS per person."""
        return self.allow("chat", user_id, BURST, BURST_SECONDS)

    # -- instances -------------------------------------------------------------------------------

    @abstractmethod
    def beat(self) -> None:
        """Say that this instance lives (for BEAT_TTL seconds)."""

    @abstractmethod
    def alive(self) -> set[str]:
        """The instances that said so lately."""

    def ghosts(self, room: LiveRoom) -> list[Participant]:
        """Participants whose socket was on an instance that stopped answering."""
        holders = {p.instance for p in room.participants.values()}
        if holders <= {self.instance}:
            return []
        living = self.alive() | {self.instance}
        return [p for p in room.participants.values() if p.instance not in living]


class MemoryRoomStore(RoomStore):
    """One process: the embedded default, and the tests'."""

    def __init__(self, instance: str) -> None:
        super().__init__(instance)
        self._guard = threading.Lock()
        self._locks: dict[int, threading.RLock] = defaultdict(threading.RLock)
        self._rooms: dict[int, str] = {}
        self._lesson_of: dict[str, int] = {}
        self._sockets: dict[int, dict[str, str]] = defaultdict(dict)
        self._windows: dict[tuple[str, int], deque[float]] = defaultdict(deque)

    def _load(self, lesson_id: int) -> str | None:
        return self._rooms.get(lesson_id)

    def _save(self, lesson_id: int, text: str, entered: set[str], left: set[str]) -> None:
        with self._guard:
            self._rooms[lesson_id] = text
            for sid in entered:
                self._lesson_of[sid] = lesson_id
            for sid in left:
                self._lesson_of.pop(sid, None)

    @contextmanager
    def _locked(self, lesson_id: int) -> Iterator[None]:
        with self._guard:
            lock = self._locks[lesson_id]
        with lock:
            yield

    def lesson_of(self, sid: str) -> int | None:
        return self._lesson_of.get(sid)

    def lesson_ids(self) -> list[int]:
        return list(self._rooms)

    def add_socket(self, user_id: int, sid: str, token: str) -> None:
        with self._guard:
            self._sockets[user_id][sid] = token

    def drop_socket(self, user_id: int, sid: str) -> None:
        with self._guard:
            self._sockets[user_id].pop(sid, None)
            if not self._sockets[user_id]:
                del self._sockets[user_id]

    def sockets_of(self, user_id: int) -> dict[str, str]:
        with self._guard:
            return dict(self._sockets.get(user_id, {}))

    def allow(self, kind: str, user_id: int, burst: int, seconds: float) -> bool:
        with self._guard:
            now, times = time.monotonic(), self._windows[kind, user_id]
            while times and now - times[0] > seconds:
                times.popleft()
            if len(times) >= burst:
                return False
            times.append(now)
            return True

    def beat(self) -> None:
        pass  # one process: it lives while it is asked

    def alive(self) -> set[str]:
        return {self.instance}


# A sliding window per person in one step: drop what is older than the window, count, add.
_WINDOW_SCRIPT = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 1)
return 1
"""


class RedisRoomStore(RoomStore):
    """Several instances: the rooms, the indexes and the locks in Redis (`REDIS_URL`)."""

    def __init__(self, instance: str, url: str, prefix: str = "intersession:") -> None:
        import redis

        super().__init__(instance)
        self.redis = redis.Redis.from_url(url, decode_responses=True)
        self.prefix = prefix
        self._window = self.redis.register_script(_WINDOW_SCRIPT)

    def _key(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    def _load(self, lesson_id: int) -> str | None:
        value = self.redis.get(self._key("room", lesson_id))
        return str(value) if value is not None else None

    def _save(self, lesson_id: int, text: str, entered: set[str], left: set[str]) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.set(self._key("room", lesson_id), text, ex=ROOM_TTL)
        # Every key lapses by itself: an instance killed mid-lesson cannot clean up after it.
        pipe.sadd(self._key("rooms"), lesson_id)
        pipe.expire(self._key("rooms"), ROOM_TTL)
        for sid in entered:
            pipe.set(self._key("lesson-of", sid), lesson_id, ex=ROOM_TTL)
        if left:
            pipe.delete(*(self._key("lesson-of", sid) for sid in left))
        pipe.execute()

    @contextmanager
    def _locked(self, lesson_id: int) -> Iterator[None]:
        lock = self.redis.lock(
            self._key("room", lesson_id, "lock"),
            timeout=LOCK_SECONDS,
            blocking_timeout=LOCK_SECONDS,
        )
        if not lock.acquire():
            raise TimeoutError(f"the room of lesson {lesson_id} stayed locked")
        try:
            yield
        finally:
            lock.release()

    def lesson_of(self, sid: str) -> int | None:
        value = self.redis.get(self._key("lesson-of", sid))
        return int(value) if value is not None else None

    def lesson_ids(self) -> list[int]:
        ids = []
        for value in self.redis.smembers(self._key("rooms")):
            if self.redis.exists(self._key("room", value)):
                ids.append(int(value))
            else:  # expired with its lesson
                self.redis.srem(self._key("rooms"), value)
        return ids

    def add_socket(self, user_id: int, sid: str, token: str) -> None:
        """Kept as long as a room: renewed with each new socket of the person."""
        key = self._key("sockets", user_id)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(key, sid, token)
        pipe.expire(key, ROOM_TTL)
        pipe.execute()

    def drop_socket(self, user_id: int, sid: str) -> None:
        self.redis.hdel(self._key("sockets", user_id), sid)

    def sockets_of(self, user_id: int) -> dict[str, str]:
        return {
            str(k): str(v) for k, v in self.redis.hgetall(self._key("sockets", user_id)).items()
        }

    def allow(self, kind: str, user_id: int, burst: int, seconds: float) -> bool:
        now = time.time()
        member = f"{now}:{secrets.token_hex(4)}"
        return bool(
            self._window(keys=[self._key(kind, user_id)], args=[now, seconds, burst, member])
        )

    def beat(self) -> None:
        self.redis.set(self._key("instance", self.instance), str(time.time()), ex=BEAT_TTL)

    def alive(self) -> set[str]:
        prefix = self._key("instance", "")
        return {str(key)[len(prefix) :] for key in self.redis.scan_iter(match=prefix + "*")}


def room_store(instance: str, redis_url: str = "") -> RoomStore:
    """The store the settings ask for: Redis when a URL is given, else this process's memory."""
    return RedisRoomStore(instance, redis_url) if redis_url else MemoryRoomStore(instance)
