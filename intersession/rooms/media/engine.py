"""The media engine on an event loop thread of the web process: the web process hands it work and
waits. Tests use it; a running platform uses worker processes (workers.py) with the same `request`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from intersession.rooms.media import consent, passthrough
from intersession.rooms.media.room import MediaRoom

T = TypeVar("T")


class EngineError(Exception):
    """The engine could not do what was asked in time."""


class MediaEngine:
    def __init__(self, ice_servers: list[str], host_addresses: list[str] | None = None) -> None:
        passthrough.install()
        # Process-wide, and this engine shares its process with the web app: see consent.py.
        consent.install()
        if host_addresses:
            passthrough.gather_only(host_addresses)
        self.ice_servers = ice_servers
        self.rooms: dict[int, MediaRoom] = {}
        self.lost_callbacks: list[Callable[[set[int]], None]] = []  # never lost: same process
        self.event_callbacks: list[Callable[[int, str, dict[str, Any]], None]] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="media-engine", daemon=True
        )
        self.thread.start()

    def call(self, work: Callable[[], Awaitable[T]], timeout: float = 15) -> T:
        """Run `work()` on the engine's loop and wait for its result."""
        if threading.current_thread() is self.thread:
            raise RuntimeError("called from the engine's own loop")
        future = asyncio.run_coroutine_threadsafe(_as_coroutine(work), self.loop)
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()
            raise EngineError("the media engine did not answer in time") from None

    def request(self, room_id: int, operation: str, *args: Any, timeout: float = 15) -> Any:
        """What a worker process is asked, done here: `operation` of the room, with `args`."""
        if operation == "close_room":
            room = self.rooms.pop(room_id, None)
            return self.call(room.close, timeout) if room else None
        return self.call(lambda: getattr(self.room(room_id), operation)(*args), timeout)

    def room(self, lesson_id: int) -> MediaRoom:
        """The lesson's room, made on first use (only on the engine's loop)."""
        if lesson_id not in self.rooms:

            def notify(event: str, data: dict[str, Any]) -> None:
                for callback in self.event_callbacks:
                    callback(lesson_id, event, data)

            self.rooms[lesson_id] = MediaRoom(self.ice_servers, notify)
        return self.rooms[lesson_id]

    def stop(self) -> None:
        async def close_all() -> None:
            for room in list(self.rooms.values()):
                await room.close()
            self.rooms.clear()
            # Inside the engine's own thread: the caller's thread may have a loop of its own.
            await self.loop.shutdown_asyncgens()

        try:
            self.call(close_all, timeout=10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
            self.loop.close()


async def _as_coroutine(work: Callable[[], Awaitable[Any]]) -> Any:
    return await work()
