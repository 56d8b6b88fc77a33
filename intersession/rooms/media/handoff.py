"""Received frames go straight to their track, on the event loop, with no decoder thread between.

aiortc 1.16 hands each reassembled frame to a thread of its receiver (a `queue.Queue` that
`decoder_worker` reads), which decodes it and puts the result back on the loop's track queue with
`run_coroutine_threadsafe`: two thread switches per frame, and the interpreter's lock taken each
time. The engine forwards encoded frames and has nothing to decode, so the receiver's queue is
replaced by a `Handoff` that puts each frame on the track's queue at once. The decoder thread
still starts (the receiver starts and joins it), only to tell the handoff where the track's queue
is and end.

`passthrough.install()` puts both in place through the names the receiver module uses (`queue`
and `decoder_worker`); tests/media/test_aiortc_contract.py fails if they move.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from fractions import Fraction
from types import SimpleNamespace
from typing import Any

import av


class Handoff:
    """Stands in for the receiver's queue to its decoder thread. Used on the loop's thread."""

    def __init__(self) -> None:
        self.track_queue: asyncio.Queue[Any] | None = None
        self.waiting: list[Any] = []  # what came before the track's queue was known
        self.time_bases: dict[int, Fraction] = {}

    def put(self, item: Any) -> None:
        """A (codec, frame) from the receiver, or None when it stops (the track ends)."""
        if self.track_queue is None:
            self.waiting.append(item)
            return
        if item is None:
            self.track_queue.put_nowait(None)
            return
        codec, frame = item
        time_base = self.time_bases.get(codec.clockRate)
        if time_base is None:
            time_base = self.time_bases[codec.clockRate] = Fraction(1, codec.clockRate)
        packet = av.Packet(frame.data)
        packet.pts, packet.time_base = frame.timestamp, time_base
        self.track_queue.put_nowait(packet)

    def deliver_to(self, track_queue: asyncio.Queue[Any]) -> None:
        self.track_queue = track_queue
        waiting, self.waiting = self.waiting, []
        for item in waiting:
            self.put(item)


def tell_the_handoff(
    loop: asyncio.AbstractEventLoop, input_q: Any, output_q: asyncio.Queue[Any],
    decode_error: threading.Event,
) -> None:  # fmt: skip
    """In place of `decoder_worker`, on the receiver's decoder thread: one call, then it ends."""
    if isinstance(input_q, Handoff):
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(input_q.deliver_to, output_q)


# What the receiver module sees as `queue`: its `queue.Queue()` is a Handoff.
queue_module = SimpleNamespace(Queue=Handoff)
