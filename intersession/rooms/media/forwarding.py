"""Fan-out of one published track to many listeners, packets as they came, with bounded queues."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError
from aiortc.utils import uint16_gt

from intersession.rooms.media.passthrough import is_vp8_keyframe

QUEUE_PACKETS = 120  # about 4 s of video at 30 fps, or 2.4 s of audio
# Retransmissions to a listener: at most this share of the packets it was sent, in bursts of at
# most RETRANSMIT_BURST, each packet at most twice. A weak link's NACKs answered without limit
# (once 155 a second to a 256 kbit/s link) crowd out the sound they should save.
RETRANSMIT_SHARE = 0.1
RETRANSMIT_BURST = 10
ROUND_TRIP_GUESS = 0.25  # until the listener's first receiver report says
RESEND_AFTER_ROUND_TRIPS = 1.25  # a copy not arrived by then was lost too
KEYFRAME_INTERVAL = 0.3  # a new listener's request goes at most 300 ms after the last one
# A listener that fell behind (a weak link), or anyone still waiting, is served a key frame at
# most this often: one weak link must not turn into a stream of key frames for the whole room.
KEYFRAME_RECOVERY = 2.0
KEYFRAME_IN_FLIGHT = 1.0  # a key-frame request this soon after one was sent is for that one


class ListenerTrack(MediaStreamTrack):
    """What one listener's sender reads: the publisher's packets, from a key frame on.

    A camera may come in several encodings (feeds, best first: the full picture, a small one);
    the listener gets one of them, or none (sound only), as its link allows (see links.py). A
    switch takes effect at the new encoding's next key frame, its timestamps carried on from the
    last packet sent, so the listener's decoder sees one stream that changes size."""

    def __init__(self, kind: str, on_fell_behind: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.queue: asyncio.Queue[av.Packet | None] = asyncio.Queue(maxsize=QUEUE_PACKETS)
        # Per feed, how to ask its publisher's encoding for a key frame (at a fell-behind pace).
        self.feeds: list[Callable[[], None]] = [on_fell_behind] if on_fell_behind else []
        self.wanted: int | None = 0  # the feed to forward; None: no picture (sound only)
        self.current: int | None = None if kind == "video" else 0  # the feed forwarded now
        self.dropped = 0
        self.delivered = 0  # packets handed to the listener's sender
        self._tokens = float(RETRANSMIT_BURST)
        self._counted = 0
        # sequence number -> times retransmitted, and when last
        self._resent: dict[int, tuple[int, float]] = {}
        self.round_trip = ROUND_TRIP_GUESS  # seconds; the listener's receiver reports tell
        # The sequence number the latest key frame went out with (hooks.keyframes_noted).
        self.keyframe_sequence: int | None = None
        self.refused_retransmissions = 0
        self.resent = 0  # packets sent again
        self.repeated = False  # sound sent twice (a lossy link; see hooks.sound_sent_twice)
        self._shift = 0  # added to the current feed's timestamps (0 until a switch)
        self._last_pts: int | None = None  # the last timestamp handed on, and when
        self._last_at = 0.0
        self._last_feed: int | None = None  # the feed the last packet came from
        self._keyframe_at = -KEYFRAME_IN_FLIGHT  # when the last key frame was handed on

    def add_feed(self, on_fell_behind: Callable[[], None]) -> int:
        self.feeds.append(on_fell_behind)
        return len(self.feeds) - 1

    @property
    def waiting_for_keyframe(self) -> bool:
        return self.kind == "video" and self.wanted is not None and self.current != self.wanted

    def waits_on(self, feed: int) -> bool:
        return self.wanted == feed and self.waiting_for_keyframe

    def choose(self, feed: int | None) -> None:
        """Forward `feed` from its next key frame on (None: no picture). Going to a smaller one,
        or to none, the present one stops at once: the link it did not fit must drain."""
        if self.kind != "video" or feed == self.wanted:
            return
        smaller = feed is None or (self.wanted is not None and feed > self.wanted)
        self.wanted = feed
        if smaller:
            self.current = None
            self._let_backlog_go()
        if feed is not None:
            self.feeds[feed]()

    def may_retransmit(self, sequence_number: int, now: float | None = None) -> bool:
        """Whether a packet the listener reported lost is sent again (see RETRANSMIT_SHARE).

        What is of no use is not sent, and costs the share nothing: a picture to one without
        one (sound only, or waiting for a key frame), a packet sent before the latest key frame
        (the listener decodes from there on; a client asks again for all it misses, old holes
        too, at each new gap), or one asked for again within the round trip (its copy is on its
        way). A picture's packet that is of use but cannot be sent again leaves a hole no later
        delta decodes past: the key frame is asked for at once, and the deltas wait for it."""
        if self.kind == "video" and (
            self.current is None
            or (self.keyframe_sequence is not None
                and uint16_gt(self.keyframe_sequence, sequence_number))
        ):  # fmt: skip
            return False
        now = time.monotonic() if now is None else now
        times, last = self._resent.get(sequence_number, (0, 0.0))
        if times and now - last < self.round_trip * RESEND_AFTER_ROUND_TRIPS:
            return False
        self._tokens = min(
            RETRANSMIT_BURST, self._tokens + (self.delivered - self._counted) * RETRANSMIT_SHARE
        )
        self._counted = self.delivered
        if self._tokens < 1 or times >= 2:
            self.refused_retransmissions += 1
            self.lost_picture()
            return False
        self._tokens -= 1
        self.resent += 1
        if len(self._resent) > 512:  # the sender keeps 128 packets: older ones are long gone
            self._resent.clear()
        self._resent[sequence_number] = (times + 1, now)
        return True

    def lost_picture(self) -> None:
        """The listener's decoder asked for a key frame (a PLI): its deltas are of no use until
        one comes, so they are not sent, and it is served as one that fell behind. Unless one
        is on its way: a request sent before it arrived is answered already."""
        if self.kind != "video" or self.wanted is None:
            return
        if (
            self.current == self.wanted
            and time.monotonic() - self._keyframe_at < KEYFRAME_IN_FLIGHT
        ):
            return
        self.current = None
        self.feeds[self.wanted]()

    def offer(self, packet: av.Packet, feed: int = 0) -> None:
        """Called by a fan-out; never waits. A listener that falls behind is cut back to the next
        key frame instead of growing its queue or delaying the others."""
        current_before = self.current
        if feed != self.current:
            if feed != self.wanted:
                return  # another encoding than this listener's
            if not is_vp8_keyframe(packet):
                self.dropped += 1
                return
            self._switch_to(feed, packet)
        if self._shift:
            packet = _shifted(packet, self._shift)
        try:
            self.queue.put_nowait(packet)
        except asyncio.QueueFull:
            self.dropped += self.queue.qsize() + 1
            self._let_backlog_go()
            if self.kind == "video" and self.wanted is not None:
                self.current = None
                self.feeds[self.wanted]()
            return
        if self.kind == "video":
            self._last_pts, self._last_at = int(packet.pts or 0), time.monotonic()
            self._last_feed = feed
            if feed != current_before:
                self._keyframe_at = self._last_at

    def _switch_to(self, feed: int, keyframe: av.Packet) -> None:
        """From here on the listener gets `feed`. Each encoding has timestamps of its own: the
        first key frame goes on from the last packet sent, as much later as time has passed."""
        self.current = feed
        if self._last_pts is None or feed == self._last_feed:
            return  # the first picture, or the same encoding again after a loss: no jump
        self._last_feed = feed
        clock = 1 / keyframe.time_base if keyframe.time_base else 90000
        later = max(1, round((time.monotonic() - self._last_at) * clock))
        self._shift = (self._last_pts + later - int(keyframe.pts or 0)) % 2**32

    def _let_backlog_go(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()

    async def recv(self) -> av.Packet:
        packet = await self.queue.get()
        if packet is None:
            self.stop()
            raise MediaStreamError
        self.delivered += 1
        return packet

    def close(self) -> None:
        self._let_backlog_go()
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)


def _shifted(packet: av.Packet, shift: int) -> av.Packet:
    """A copy of a shared packet with its timestamp moved (the others' copies keep theirs)."""
    moved = av.Packet(bytes(packet))
    moved.pts = (int(packet.pts or 0) + shift) % 2**32
    if packet.time_base is not None:
        moved.time_base = packet.time_base
    return moved


@dataclass(eq=False)
class Feed:
    """One encoding's place in a listener's track, as a fan-out holds it."""

    track: ListenerTrack
    index: int

    @property
    def waiting_for_keyframe(self) -> bool:
        return self.track.waits_on(self.index)

    def offer(self, packet: av.Packet) -> None:
        self.track.offer(packet, self.index)


class Consumer(Protocol):
    """What the fan-out feeds besides listeners: the recording's writers."""

    waiting_for_keyframe: bool
    stopped: bool  # takes nothing more (a full disk), so waits for nothing

    def offer(self, packet: av.Packet) -> None: ...


class Fanout:
    """Reads a publisher's track and offers each packet to every listener.

    Key frames: a listener (or writer) that waits for one receives no video, so nothing on its side
    will ask again; the fan-out asks the publisher for it, and keeps asking while anyone waits. A
    request is never dropped for the rate limit, only deferred: requests of listeners who join
    together go out as one, at most one per KEYFRAME_INTERVAL; a listener that fell behind waits
    KEYFRAME_RECOVERY from the last request."""

    def __init__(self, source: MediaStreamTrack, request_keyframe: Callable[[], None]) -> None:
        self.source = source
        self.kind = source.kind
        self.listeners: list[Feed] = []
        self.taps: list[Consumer] = []  # the recording's writers
        self._request_keyframe = request_keyframe
        self._last_request = -KEYFRAME_RECOVERY
        self._wanted = False  # a request is due as soon as the rate limit allows
        self._timer: asyncio.TimerHandle | None = None
        self._stopped = False
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        try:
            while True:
                try:
                    packet = await self.source.recv()
                except MediaStreamError:
                    break
                if not isinstance(packet, av.Packet):  # the passthrough decoder is not installed
                    raise TypeError("the engine forwards encoded packets only")
                for listener in list(self.listeners):
                    listener.offer(packet)
                for tap in list(self.taps):
                    tap.offer(packet)
                # A consumer that fell behind waits for a key frame without saying so.
                if self.kind == "video" and self._timer is None and self._anyone_waiting():
                    self._plan()
        finally:
            self._end()

    def add_listener(self, track: ListenerTrack | None = None) -> ListenerTrack:
        """A new listener's track fed from here, or another encoding for `track`."""
        track = track if track is not None else ListenerTrack(self.kind)
        feed = Feed(track, track.add_feed(self.fell_behind))
        self.listeners.append(feed)
        if track.waits_on(feed.index):
            self.keyframe_needed()  # a new listener sees nothing until the next key frame
        return track

    def remove_listener(self, track: ListenerTrack) -> None:
        self.listeners = [feed for feed in self.listeners if feed.track is not track]
        track.close()

    def keyframe_needed(self) -> None:
        """Ask the publisher for a key frame: now, or as soon as the rate limit allows."""
        if self.kind != "video" or self._stopped:
            return
        self._wanted = True
        self._plan()

    def fell_behind(self) -> None:
        """A listener let its backlog go and waits for a key frame: it is served with whoever
        else waits, at most once per KEYFRAME_RECOVERY (a new listener's request is not held)."""
        if self.kind == "video" and not self._stopped and self._timer is None:
            self._plan()

    def _anyone_waiting(self) -> bool:
        return any(listener.waiting_for_keyframe for listener in self.listeners) or any(
            tap.waiting_for_keyframe and not tap.stopped for tap in self.taps
        )

    def _plan(self) -> None:
        """Set the one timer to when the next request is due: a new need KEYFRAME_INTERVAL after
        the last request, a consumer still waiting KEYFRAME_RECOVERY after it (the key frame takes
        the publisher's round trip to come; asking sooner would make it send several)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._wanted:
            due = self._last_request + KEYFRAME_INTERVAL
        elif self._anyone_waiting():
            due = self._last_request + KEYFRAME_RECOVERY
        else:
            return
        delay = due - time.monotonic()
        if delay > 0:
            self._timer = asyncio.get_running_loop().call_later(delay, self._due)
            return
        self._wanted = False
        self._last_request = time.monotonic()
        self._request_keyframe()
        self._plan()  # to ask again if someone still waits then

    def _due(self) -> None:
        self._timer = None
        if not self._stopped:
            self._plan()

    def _end(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for feed in self.listeners:
            feed.track.close()

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self._end()
