"""Real aiortc peers for the media tests: a publisher, listeners that keep what arrives, the engine
in a worker process behind the same calls as an in-process room, and a UDP relay that adds delay."""

from __future__ import annotations

import asyncio
import random
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from typing import Any, Protocol

import av
import numpy
from aiortc import (
    AudioStreamTrack,
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add

from intersession.rooms.media.hooks import starts_keyframe
from intersession.rooms.media.reassembly import PromptJitterBuffer
from intersession.rooms.media.workers import MediaWorkers


def run_in_loop(scenario: Callable[[], Awaitable[Any]], timeout: float = 60) -> Any:
    """An event loop of its own on a thread, as the engine runs (and away from Playwright's)."""
    result: dict[str, Any] = {}

    def target() -> None:
        loop = asyncio.new_event_loop()
        try:
            result["value"] = loop.run_until_complete(asyncio.wait_for(scenario(), timeout))
        except BaseException as error:  # handed to the test thread below
            result["error"] = error
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    # A daemon: a scenario stuck past its timeout fails its test, and never holds pytest at exit.
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout + 10)
    if thread.is_alive():
        raise TimeoutError(f"the scenario's event loop did not end within {timeout + 10} s")
    if "error" in result:
        raise result["error"]
    return result["value"]


class Room(Protocol):
    """What the peers need of a room: a `MediaRoom` in this process, or `WorkerRoom`."""

    async def publish(self, offer_sdp: str, source_id: str = ...) -> str: ...
    async def wait_for_tracks(self, source_id: str, count: int) -> None: ...
    async def subscribe(self, listener_id: str, source_id: str = ...) -> str: ...
    async def accept_answer(
        self, listener_id: str, answer_sdp: str, source_id: str = ...
    ) -> None: ...


class WorkerRoom:
    """A room on a media-worker process, asked from the event loop through threads of its own
    (the pool's `request` waits for the answer; many listeners join at once)."""

    def __init__(self, workers: MediaWorkers, room_id: int) -> None:
        self.workers = workers
        self.room_id = room_id
        self.executor = ThreadPoolExecutor(max_workers=24, thread_name_prefix="ask-worker")

    async def ask(self, operation: str, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.executor, lambda: self.workers.request(self.room_id, operation, *args)
        )

    async def publish(self, offer_sdp: str, source_id: str = "main") -> str:
        return str(await self.ask("publish", offer_sdp, source_id))

    async def wait_for_tracks(self, source_id: str, count: int) -> None:
        await self.ask("wait_for_tracks", source_id, count)

    async def subscribe(self, listener_id: str, source_id: str = "main") -> str:
        return str(await self.ask("subscribe", listener_id, source_id))

    async def accept_answer(
        self, listener_id: str, answer_sdp: str, source_id: str = "main"
    ) -> None:
        await self.ask("accept_answer", listener_id, answer_sdp, source_id)

    def close(self) -> None:
        self.executor.shutdown(wait=True)


async def start_publisher(room: Room, source_id: str = "main") -> RTCPeerConnection:
    """An aiortc publisher of video (VP8, 30 fps) and audio, its tracks arrived at the engine."""
    publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    publisher.addTrack(VideoStreamTrack())
    publisher.addTrack(AudioStreamTrack())
    return await _published(room, publisher, source_id)


async def _published(room: Room, publisher: RTCPeerConnection, source_id: str) -> RTCPeerConnection:
    """The publisher's offer answered by the room, and its tracks arrived there."""
    await publisher.setLocalDescription(await publisher.createOffer())
    answer = await room.publish(publisher.localDescription.sdp, source_id)
    await publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    await room.wait_for_tracks(source_id, 2)
    return publisher


class NoisyCamera(MediaStreamTrack):
    """A camera whose picture moves and is grainy everywhere, as a classroom's is: the encoder
    needs about what it is allowed (a flat picture would need next to nothing, pure noise many
    times more)."""

    kind = "video"

    def __init__(self, width: int, height: int, fps: float) -> None:
        super().__init__()
        self.width, self.height, self.fps = width, height, fps
        self._started: float | None = None
        self._count = 0
        self._random = numpy.random.default_rng(7)

    async def recv(self) -> av.VideoFrame:
        if self._started is None:
            self._started = time.monotonic()
        self._count += 1
        await asyncio.sleep(max(0.0, self._started + self._count / self.fps - time.monotonic()))
        frame = av.VideoFrame(self.width, self.height, "yuv420p")
        luma = frame.planes[0]
        columns = numpy.arange(luma.line_size) + self._count * 4
        picture = (numpy.add.outer(numpy.arange(self.height), columns) // 2).astype(numpy.uint8)
        grain = self._random.integers(0, 32, size=picture.shape, dtype=numpy.uint8)
        picture[:, ::8] += grain[:, ::8]
        luma.update(picture.tobytes())
        for chroma in frame.planes[1:]:
            chroma.update(bytes([128]) * (chroma.line_size * chroma.height))
        frame.pts = round(self._count * 90000 / self.fps)
        frame.time_base = Fraction(1, 90000)
        return frame


class CappedVp8Encoder(Vp8Encoder):
    """VP8 at no more than `bps`, whatever the engine's bandwidth estimates say: as a browser
    whose sender has a `maxBitrate`."""

    def __init__(self, bps: int) -> None:
        super().__init__()
        self.cap = bps
        self._Vp8Encoder__target_bitrate = bps

    @property
    def target_bitrate(self) -> int:
        return int(self._Vp8Encoder__target_bitrate)

    @target_bitrate.setter
    def target_bitrate(self, bitrate: int) -> None:
        self._Vp8Encoder__target_bitrate = min(self.cap, bitrate)


async def start_two_encoding_publisher(
    room: Room, source_id: str = "main", full_kbps: int = 600, small_kbps: int = 100,
    encodings: int = 2,
) -> RTCPeerConnection:  # fmt: skip
    """A publisher as the advisor's page is: its camera at 640x360 (30 fps) and again at 320x180
    (15 fps) in a second video section, and its microphone (one transport: see room.publish).
    With `encodings=1`, the camera once, as before."""
    publisher = RTCPeerConnection(
        RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    )
    publisher.addTrack(AudioStreamTrack())
    cameras = [(NoisyCamera(640, 360, 30), full_kbps), (NoisyCamera(320, 180, 15), small_kbps)]
    for camera, kbps in cameras[:encodings]:
        sender = publisher.addTrack(camera)
        sender._RTCRtpSender__encoder = CappedVp8Encoder(kbps * 1000)  # type: ignore[attr-defined]
    return await _published(room, publisher, source_id)


class KeyFrameJitterBuffer(PromptJitterBuffer):
    """aiortc's video jitter buffer waits for a missing packet until 512 newer ones have come
    (seconds, or half a minute at a small picture's rate); a browser gives up on it and decodes
    from the next key frame. This one does as a browser: a key frame's first packet lets go of
    everything before it, and a whole frame goes at once (as the engine's)."""

    STUCK = 1.0  # seconds without a picture before a key frame is asked for, as a browser does

    def __init__(self, capacity: int, is_video: bool = True) -> None:
        super().__init__(capacity, is_video=is_video)
        self._pictured = self._asked = time.monotonic()

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        if self._origin is not None and packet.sequence_number != self._origin:
            ahead = uint16_add(packet.sequence_number, -self._origin)
            if 0 < ahead < 0x8000 and starts_keyframe(packet.payload):
                self.remove(min(ahead, self.capacity))
                self._origin = packet.sequence_number
        ask, frame = super().add(packet)
        now = time.monotonic()
        if frame is not None or starts_keyframe(packet.payload):  # a picture, or one coming
            self._pictured = now
        elif now - self._pictured > self.STUCK and now - self._asked > self.STUCK:
            ask, self._asked = True, now
        return ask, frame


class Collector:
    """A listener's client: keeps what arrives (encoded packets, as the passthrough is process-wide).
    Its video gives up on lost packets at the next key frame, as a browser's does."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.packets: dict[str, list[tuple[float, av.Packet]]] = {"audio": [], "video": []}
        self.tasks: list[asyncio.Task[None]] = []

        @self.pc.on("track")
        def on_track(track: Any) -> None:
            if track.kind == "video":
                receiver = next(r for r in self.pc.getReceivers() if r.track is track)
                receiver._RTCRtpReceiver__jitter_buffer = KeyFrameJitterBuffer(512, is_video=True)  # type: ignore[attr-defined]
            self.tasks.append(asyncio.ensure_future(self._read(track)))

    async def _read(self, track: Any) -> None:
        while True:
            try:
                packet = await track.recv()
            except Exception:
                return
            self.packets[track.kind].append((time.monotonic(), packet))

    async def join(
        self, room: Room, name: str, source_id: str = "main", relay: DelayRelay | None = None
    ) -> float:
        """Signal with the room (through `relay`, if given); returns when the answer was taken."""
        return await self.answer(
            room, name, await room.subscribe(name, source_id), source_id, relay
        )

    async def answer(
        self, room: Room, name: str, offer: str, source_id: str = "main",
        relay: DelayRelay | None = None,
    ) -> float:  # fmt: skip
        """Take the room's offer and answer it (through `relay`, if given)."""
        if relay is not None:
            offer = relay.stand_in_for_engine(offer)
        await self.pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        answer = self.pc.localDescription.sdp
        if relay is not None:
            answer = relay.stand_in_for_listener(answer)
        await room.accept_answer(name, answer, source_id)
        return time.monotonic()

    def decoded_frame_times(self) -> list[float]:
        """When each video packet that decodes to a picture arrived."""
        decoder = av.CodecContext.create("vp8", "r")
        times = []
        for when, packet in self.packets["video"]:
            try:
                frames = decoder.decode(av.Packet(bytes(packet)))
            except av.error.InvalidDataError:  # what comes before a key frame cannot decode
                continue
            times.extend(when for _frame in frames)
        return times

    def decoded_sizes(self, since: float = 0.0) -> list[tuple[float, int, int]]:
        """When each picture arrived that decodes, and its width and height."""
        decoder = av.CodecContext.create("vp8", "r")
        sizes = []
        for when, packet in self.packets["video"]:
            try:
                frames = decoder.decode(av.Packet(bytes(packet)))
            except av.error.InvalidDataError:
                continue
            sizes.extend((when, f.width, f.height) for f in frames if when >= since)
        return sizes

    def decoded_video_frames(self) -> int:
        return len(self.decoded_frame_times())

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await self.pc.close()


_CANDIDATE = re.compile(r"^a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 (\d+) typ host", re.MULTILINE)


def _ports(sdp: str) -> list[int]:
    """The loopback host candidates' ports, in the order of the media sections."""
    ports = [int(port) for port in _CANDIDATE.findall(sdp)]
    assert ports, "expected loopback host candidates"
    return list(dict.fromkeys(ports))


def _move_port(sdp: str, old: int, new: int) -> str:
    sdp = re.sub(rf"(?m)^(a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 ){old} ", rf"\g<1>{new} ", sdp)
    return re.sub(rf"(?m)^(m=\w+ ){old} ", rf"\g<1>{new} ", sdp)


class DelayRelay:
    """Stands between a listener and the engine on 127.0.0.1 and holds every datagram `delay`
    seconds each way, as a satellite or crowded rural link does (in order, nothing lost).

    The listener sees the relay's front port as the engine's only candidate, the engine sees its back
    port as the listener's: every datagram of ICE, DTLS and media goes through it. `cut()` makes it
    drop everything from then on, as a listener whose network vanished."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.engine: tuple[str, int] | None = None
        self.listener: tuple[str, int] | None = None
        self.sides: dict[str, asyncio.DatagramTransport] = {}
        self.queues: dict[str, deque[tuple[float, bytes]]] = {"front": deque(), "back": deque()}
        self.wake: dict[str, asyncio.Event] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.forwarded = 0
        self.cut_off = False
        self.payload_kinds: dict[int, str] = {}  # from the engine's offer
        self.delivered: dict[str, list[tuple[float, int, int]]] = {"audio": [], "video": []}

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for side in ("front", "back"):
            transport, _protocol = await loop.create_datagram_endpoint(
                lambda side=side: _RelaySide(self, side),  # type: ignore[misc]
                local_addr=("127.0.0.1", 0),
            )
            self.sides[side] = transport
            self.wake[side] = asyncio.Event()
            self.tasks.append(asyncio.ensure_future(self._pump(side)))

    def port(self, side: str) -> int:
        return int(self.sides[side].get_extra_info("sockname")[1])

    def stand_in_for_engine(self, offer_sdp: str) -> str:
        """The engine's offer as the listener sees it. Its media sections are bundled, so the
        connection uses the first one's transport: that is where the relay sends."""
        ports = _ports(offer_sdp)
        self.engine = ("127.0.0.1", ports[0])
        for number, codec in re.findall(r"(?m)^a=rtpmap:(\d+) (\w+)/", offer_sdp):
            self.payload_kinds[int(number)] = "audio" if codec.lower() == "opus" else "video"
        for port in ports:
            offer_sdp = _move_port(offer_sdp, port, self.port("front"))
        return offer_sdp

    def stand_in_for_listener(self, answer_sdp: str) -> str:
        """The listener's answer as the engine sees it: its loopback candidate is the relay's,
        and its others are gone (a browser offers every interface it has, and the engine would
        reach it around the relay)."""
        (port,) = _ports(answer_sdp)  # the listener answers with one bundled transport
        self.listener = ("127.0.0.1", port)
        lines = answer_sdp.split("\r\n")
        kept = [x for x in lines if not x.startswith("a=candidate:") or _CANDIDATE.match(x)]
        return _move_port("\r\n".join(kept), port, self.port("back"))

    def received(self, side: str, data: bytes) -> None:
        """A datagram at the front (from the listener) leaves by the back, and the other way."""
        if self.cut_off:
            return
        out = "back" if side == "front" else "front"
        self.queues[out].append((time.monotonic() + self.delay, data))
        self.wake[out].set()

    async def _pump(self, side: str) -> None:
        queue = self.queues[side]
        while True:
            if not queue:
                self.wake[side].clear()
                await self.wake[side].wait()
                continue
            due, data = queue.popleft()
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            target = self.engine if side == "back" else self.listener
            if target is not None and not self.cut_off:
                self.sides[side].sendto(data, target)
                self.forwarded += 1
                if side == "front":
                    self._note_delivered(data)

    def _note_delivered(self, data: bytes) -> None:
        """What reaches the listener's machine, from the RTP headers (SRTP leaves them clear):
        sound is judged here, as a browser would play it, not by aiortc's audio buffer, which
        stalls at every hole."""
        if len(data) < 12 or data[0] >> 6 != 2 or 192 <= data[1] <= 223:  # not RTP, or RTCP
            return
        kind = self.payload_kinds.get(data[1] & 0x7F)
        if kind is not None:
            sequence, stamp = int.from_bytes(data[2:4], "big"), int.from_bytes(data[4:8], "big")
            self.delivered[kind].append((time.monotonic(), sequence, stamp))

    def cut(self) -> None:
        self.cut_off = True

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for transport in self.sides.values():
            transport.close()


class LinkRelay(DelayRelay):
    """A rural link in user space (this kernel has no netem): toward the listener at most `kbps`,
    through a queue of at most `queue_packets` (drop-tail), `delay` seconds each way, and a share
    `loss` of the datagrams lost at random both ways. `cut()` and `restore()` drop it and bring
    it back."""

    def __init__(self, kbps: float, delay: float, loss: float, queue_packets: int = 40,
                 seed: int = 1) -> None:  # fmt: skip
        super().__init__(delay)
        self.rate = kbps * 1000 / 8  # bytes per second
        self.loss = loss
        self.queue_packets = queue_packets
        self.chance = random.Random(seed)
        self.free_at = 0.0  # when the link has sent what it holds
        self.departures: deque[float] = deque()  # when each held datagram leaves
        self.lost = self.overflowed = 0

    def received(self, side: str, data: bytes) -> None:
        if self.cut_off:
            return
        if self.chance.random() < self.loss:
            self.lost += 1
            return
        out = "back" if side == "front" else "front"
        now = time.monotonic()
        due = now + self.delay
        if out == "front":  # toward the listener: the link's rate and its queue
            while self.departures and self.departures[0] <= now:
                self.departures.popleft()
            if len(self.departures) >= self.queue_packets:
                self.overflowed += 1
                return
            self.free_at = max(now, self.free_at) + len(data) / self.rate
            self.departures.append(self.free_at)
            due = self.free_at + self.delay
        self.queues[out].append((due, data))
        self.wake[out].set()

    def restore(self) -> None:
        self.cut_off = False


class _RelaySide(asyncio.DatagramProtocol):
    def __init__(self, relay: DelayRelay, side: str) -> None:
        self.relay = relay
        self.side = side

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.relay.received(self.side, data)
