"""Fan-out of one published track to many listeners, packets as they came, with bounded queues."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from intersession.rooms.media.passthrough import is_vp8_keyframe

QUEUE_PACKETS = 120  # about 4 s of video at 30 fps, or 2.4 s of audio
KEYFRAME_INTERVAL = 0.3  # at most one key-frame request to the publisher per 300 ms


class ListenerTrack(MediaStreamTrack):
    """What one listener's sender reads: the publisher's packets, from a key frame on."""

    def __init__(self, kind: str, on_keyframe_needed: Callable[[], None]) -> None:
        super().__init__()
        self.kind = kind
        self.queue: asyncio.Queue[av.Packet | None] = asyncio.Queue(maxsize=QUEUE_PACKETS)
        self.waiting_for_keyframe = kind == "video"
        self._on_keyframe_needed = on_keyframe_needed
        self.dropped = 0

    def offer(self, packet: av.Packet) -> None:
        """Called by the fan-out; never waits. A listener that falls behind is cut back to the next
        key frame instead of growing its queue or delaying the others."""
        if self.waiting_for_keyframe:
            if not is_vp8_keyframe(packet):
                self.dropped += 1
                return
            self.waiting_for_keyframe = False
        try:
            self.queue.put_nowait(packet)
        except asyncio.QueueFull:
            self.dropped += self.queue.qsize() + 1
            while not self.queue.empty():
                self.queue.get_nowait()
            if self.kind == "video":
                self.waiting_for_keyframe = True
                self._on_keyframe_needed()

    async def recv(self) -> av.Packet:
        packet = await self.queue.get()
        if packet is None:
            self.stop()
            raise MediaStreamError
        return packet

    def close(self) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)


class Fanout:
    """Reads a publisher's track and offers each packet to every listener."""

    def __init__(self, source: MediaStreamTrack, request_keyframe: Callable[[], None]) -> None:
        self.source = source
        self.kind = source.kind
        self.listeners: list[ListenerTrack] = []
        self.taps: list[Callable[[av.Packet], None]] = []  # the recording's writers
        self._request_keyframe = request_keyframe
        self._last_request = 0.0
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while True:
            try:
                packet = await self.source.recv()
            except MediaStreamError:
                break
            if not isinstance(packet, av.Packet):  # the passthrough decoder is not installed
                raise TypeError("the engine forwards encoded packets only")
            for listener in list(self.listeners):
                listener.offer(packet)
            for tap in self.taps:
                tap(packet)
        for listener in self.listeners:
            listener.close()

    def add_listener(self) -> ListenerTrack:
        listener = ListenerTrack(self.kind, self.keyframe_needed)
        self.listeners.append(listener)
        self.keyframe_needed()  # a new listener sees nothing until the next key frame
        return listener

    def remove_listener(self, listener: ListenerTrack) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)
        listener.close()

    def keyframe_needed(self) -> None:
        if self.kind != "video":
            return
        now = time.monotonic()
        if now - self._last_request >= KEYFRAME_INTERVAL:
            self._last_request = now
            self._request_keyframe()

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        for listener in self.listeners:
            listener.close()
