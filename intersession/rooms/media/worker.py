"""A media-worker process: the engine's rooms on an event loop of their own, in a process of their own.

The web process starts it (`python -m intersession.rooms.media.worker SOCKET`), hands it its settings
and a random key on standard input, and talks to it over a Unix socket that only the web process's
user can open and only the holder of the key can use. The worker ends when that connection does.

Why a process: the engine forwards packets in Python; sharing one interpreter lock with web requests
or other peers stalls the publisher's input (see bench/room_load.py --in-process: 21-26 fps and
1-4 s latency at 40 listeners, against 30 fps and about 110 ms in a process of its own).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from multiprocessing.connection import Connection, Listener
from typing import Any

from intersession.rooms.media import consent, passthrough
from intersession.rooms.media.room import MediaRoom

# What the web process may ask of a room; nothing else is called.
OPERATIONS = frozenset(
    {"publish", "subscribe", "accept_answer", "leave", "unpublish", "drop_listener", "counters",
     "wait_for_tracks", "close_room", "stop_recording", "load", "try_picture"}
)  # fmt: skip


class Worker:
    def __init__(self, connection: Connection, ice_servers: list[str]) -> None:
        self.connection = connection
        self.ice_servers = ice_servers
        self.rooms: dict[int, MediaRoom] = {}
        self.loop = asyncio.new_event_loop()
        self.send_lock = threading.Lock()

    def notifier(self, room_id: int) -> Any:
        """What a room tells the web process unasked (request id 0): e.g. its recording stopped."""

        def notify(event: str, data: dict[str, Any]) -> None:
            self.reply(0, True, (room_id, event, data))

        return notify

    def reply(self, request_id: int, ok: bool, value: Any) -> None:
        with self.send_lock:
            self.connection.send((request_id, ok, value))

    async def run(
        self, request_id: int, room_id: int, operation: str, args: tuple[Any, ...]
    ) -> None:
        try:
            if operation == "close_room":
                room = self.rooms.pop(room_id, None)
                if room is not None:
                    await room.close()
                value = None
            elif operation == "load":  # of the whole worker, for a media node's heartbeat
                value = {
                    "rooms": len(self.rooms),
                    "sources": sum(len(r.sources) for r in self.rooms.values()),
                    "listeners": sum(len(r.listeners) for r in self.rooms.values()),
                }
            else:
                if room_id not in self.rooms:
                    self.rooms[room_id] = MediaRoom(self.ice_servers, self.notifier(room_id))
                value = await getattr(self.rooms[room_id], operation)(*args)
        except (KeyError, ValueError) as error:
            self.reply(request_id, False, error)
        except Exception as error:  # aiortc's own errors do not cross the process boundary as such
            self.reply(request_id, False, ValueError(f"{type(error).__name__}: {error}"))
        else:
            self.reply(request_id, True, value)

    def read(self) -> None:
        """Requests from the web process, handed to the loop; the end of the connection ends it."""
        while True:
            try:
                request_id, room_id, operation, args = self.connection.recv()
            except (EOFError, OSError, ValueError, TypeError):
                self.loop.call_soon_threadsafe(self.loop.stop)
                return
            if operation == "shutdown":
                self.loop.call_soon_threadsafe(self.loop.stop)
                return
            if operation not in OPERATIONS or not isinstance(room_id, int):
                self.reply(request_id, False, ValueError(f"unknown operation {operation!r}"))
                continue
            asyncio.run_coroutine_threadsafe(
                self.run(request_id, room_id, operation, tuple(args)), self.loop
            )

    def serve(self) -> None:
        threading.Thread(target=self.read, name="media-control", daemon=True).start()
        self.loop.run_forever()

        async def close_all() -> None:
            for room in self.rooms.values():
                await room.close()

        self.loop.run_until_complete(close_all())
        self.loop.close()


def main() -> None:
    path = sys.argv[1]
    settings = json.loads(sys.stdin.readline())
    passthrough.install()
    # Consent checks that wait for long round trips, for every ICE connection of this process:
    # the worker is the engine's own process (see consent.py).
    consent.install()
    if settings["host_addresses"]:
        passthrough.gather_only(settings["host_addresses"])
    old_mask = os.umask(0o077)  # the socket is for the web process's user only
    try:
        listener = Listener(path, family="AF_UNIX", authkey=bytes.fromhex(settings["key"]))
    finally:
        os.umask(old_mask)
    print("ready", flush=True)
    connection = listener.accept()
    listener.close()  # removes the socket: nobody else can connect from now on
    os.rmdir(os.path.dirname(path))
    Worker(connection, settings["ice_servers"]).serve()


if __name__ == "__main__":
    main()
