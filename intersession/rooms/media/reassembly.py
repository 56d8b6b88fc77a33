"""Frames handed on as soon as they are whole, where aiortc's receivers hold them back.

aiortc 1.16's jitter buffer lets go of a frame only when a packet of a later one arrives: a video
frame waits one frame interval (33 ms at 30 fps, 67 ms for the small picture's 15 fps) and a sound
packet four more packets (80 ms), in the engine, on every hop. A decoder that plays what it gets
needs that wait; the engine does not (it forwards, and the listener's browser keeps a jitter buffer
of its own). This buffer hands a video frame on with the packet that completes it (the one with
the marker bit, or a late one that fills its gap) and each sound packet as it comes.

`passthrough.install()` puts it in place of the module's `JitterBuffer`, the name the receivers
build theirs with; tests/media/test_aiortc_contract.py fails if that name moves.
"""

from __future__ import annotations

from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add, uint16_gt


class PromptJitterBuffer(JitterBuffer):
    def __init__(self, capacity: int, prefetch: int = 0, is_video: bool = False) -> None:
        super().__init__(capacity, prefetch=0, is_video=is_video)
        self._newest: int | None = None  # the highest sequence number seen

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        if not self._is_video:
            return False, self._sound(packet)
        late = self._newest is not None and not uint16_gt(packet.sequence_number, self._newest)
        if not late:
            self._newest = packet.sequence_number
        ask, frame = super().add(packet)  # a frame given up on (a packet of a later one came)
        if frame is None and (packet.marker or late):
            frame = self._whole_frame()
        return ask, frame

    def _sound(self, packet: RtpPacket) -> JitterFrame | None:
        """Each sound packet is a frame of its own; one older than the last handed on is dropped
        (its moment has passed: the listener's buffer would discard it)."""
        if self._newest is not None and not uint16_gt(packet.sequence_number, self._newest):
            return None
        self._newest = packet.sequence_number
        return JitterFrame(data=packet._data, timestamp=packet.timestamp)  # type: ignore[attr-defined]

    def _whole_frame(self) -> JitterFrame | None:
        """The oldest frame held, if all of its packets are here up to the one that ends it."""
        if self._origin is None:
            return None
        first = self._packets[self._origin % self._capacity]
        if first is None:
            return None
        parts = []
        for count in range(self._capacity):
            packet = self._packets[uint16_add(self._origin, count) % self._capacity]
            if packet is None or packet.timestamp != first.timestamp:
                return None
            parts.append(packet)
            if packet.marker:
                self.remove(count + 1)
                data = b"".join(part._data for part in parts)  # type: ignore[attr-defined]
                return JitterFrame(data=data, timestamp=first.timestamp)
        return None
