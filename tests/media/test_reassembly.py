"""The engine hands a frame on as soon as it is whole (reassembly.py): a video frame with the packet
that completes it, a sound packet as it comes; aiortc's own buffer waits for later ones. And it
hands it to the track on the event loop, with no decoder thread (handoff.py)."""

from __future__ import annotations

import asyncio
import threading
from fractions import Fraction
from typing import Any

import aiortc.rtcrtpreceiver
import av
import pytest
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection
from aiortc.rtp import RtpPacket

from intersession.rooms.media import handoff, passthrough
from intersession.rooms.media.reassembly import PromptJitterBuffer
from intersession.rooms.media.room import MediaRoom
from tests.media.peers import Collector, _published, run_in_loop

pytestmark = pytest.mark.media

SILENCE = b"\xf8\xff\xfe"  # one Opus frame of 20 ms of silence (the engine does not decode it)


def packet(sequence: int, timestamp: int, marker: bool = False, data: bytes = b"x") -> RtpPacket:
    rtp = RtpPacket(payload_type=96, marker=int(marker), sequence_number=sequence,
                    timestamp=timestamp, payload=data)  # fmt: skip
    rtp._data = data  # type: ignore[attr-defined]  # depayloaded, as the receiver leaves it
    return rtp


def test_a_video_frame_goes_with_its_last_packet() -> None:
    buffer = PromptJitterBuffer(capacity=512, is_video=True)
    assert buffer.add(packet(100, 3000, data=b"a")) == (False, None)
    _ask, frame = buffer.add(packet(101, 3000, marker=True, data=b"b"))
    assert frame is not None and (frame.data, frame.timestamp) == (b"ab", 3000)
    _ask, frame = buffer.add(packet(102, 6000, marker=True, data=b"c"))
    assert frame is not None and (frame.data, frame.timestamp) == (b"c", 6000)


def test_a_late_packet_completes_its_frame() -> None:
    buffer = PromptJitterBuffer(capacity=512, is_video=True)
    buffer.add(packet(7, 90, data=b"a"))
    assert buffer.add(packet(9, 90, marker=True, data=b"c"))[1] is None  # 8 is missing
    _ask, frame = buffer.add(packet(8, 90, data=b"b"))  # retransmitted
    assert frame is not None and frame.data == b"abc"


def test_a_frame_whose_end_was_lost_goes_when_the_next_one_comes() -> None:
    buffer = PromptJitterBuffer(capacity=512, is_video=True)
    buffer.add(packet(65535, 10, data=b"a"))  # its marker packet never comes
    _ask, frame = buffer.add(packet(0, 20, data=b"b"))  # across the wrap of sequence numbers
    assert frame is not None and (frame.data, frame.timestamp) == (b"a", 10)
    _ask, frame = buffer.add(packet(1, 20, marker=True, data=b"c"))
    assert frame is not None and (frame.data, frame.timestamp) == (b"bc", 20)


def test_sound_goes_packet_by_packet_and_a_late_one_is_dropped() -> None:
    buffer = PromptJitterBuffer(capacity=16, prefetch=4)
    for sequence in (10, 11, 13):
        frame = buffer.add(packet(sequence, sequence * 960, data=bytes([sequence])))[1]
        assert frame is not None and frame.data == bytes([sequence])
    assert buffer.add(packet(12, 12 * 960))[1] is None  # after 13: its moment has passed
    assert buffer.add(packet(13, 13 * 960))[1] is None  # a duplicate


class PacketTrack(MediaStreamTrack):
    """A publisher's track that sends the encoded packets it is given, when it is given them."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.queue: asyncio.Queue[av.Packet] = asyncio.Queue()

    async def recv(self) -> av.Packet:  # type: ignore[override]
        return await self.queue.get()

    def send(self, data: bytes, pts: int, clock_rate: int) -> None:
        encoded = av.Packet(data)
        encoded.pts, encoded.time_base = pts, Fraction(1, clock_rate)
        self.queue.put_nowait(encoded)


def vp8_frames(count: int) -> list[bytes]:
    encoder: Any = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = 320, 180, "yuv420p"
    encoder.time_base, encoder.framerate = Fraction(1, 90000), 30
    encoder.options = {"deadline": "realtime", "lag-in-frames": "0"}
    frames = []
    for index in range(count):
        picture = av.VideoFrame(320, 180, "yuv420p")
        picture.pts, picture.time_base = index * 3000, Fraction(1, 90000)
        frames.extend(bytes(encoded) for encoded in encoder.encode(picture))
    return frames


def test_the_engine_forwards_each_frame_without_waiting_for_the_next() -> None:
    """The publisher sends one frame (or one sound packet) and nothing after it until the listener
    has it: with aiortc's buffer in the engine the first never arrives. What arrives is what was
    sent, byte for byte."""
    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])
    assert aiortc.rtcrtpreceiver.JitterBuffer is PromptJitterBuffer

    async def arrived(listener: Collector, kind: str, count: int) -> bool:
        for _ in range(50):
            if len(listener.packets[kind]) >= count:
                return True
            await asyncio.sleep(0.1)
        return False

    async def scenario() -> dict[str, Any]:
        room = MediaRoom(ice_servers=[])
        sound, camera = PacketTrack("audio"), PacketTrack("video")
        publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        publisher.addTrack(sound)
        publisher.addTrack(camera)
        await _published(room, publisher, "main")
        listener = Collector()
        await listener.join(room, "pupil")
        for _ in range(50):
            if listener.pc.connectionState == "connected":
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # the engine's senders to the listener are running
        came: dict[str, Any] = {"audio": [], "video": []}
        pictures, sounds = vp8_frames(3), [SILENCE + bytes([index]) for index in range(3)]
        for index, frame in enumerate(pictures):
            camera.send(frame, index * 3000, 90000)
            came["video"].append(await arrived(listener, "video", index + 1))
        for index, data in enumerate(sounds):
            sound.send(data, index * 960, 48000)
            came["audio"].append(await arrived(listener, "audio", index + 1))
        came["same bytes"] = [bytes(p) for _t, p in listener.packets["video"]] == pictures and [
            bytes(p) for _t, p in listener.packets["audio"]
        ] == sounds
        came["decoder threads"] = [t.name for t in threading.enumerate() if "decoder" in t.name]
        came["handoffs"] = sum(
            isinstance(receiver._RTCRtpReceiver__decoder_queue, handoff.Handoff)  # type: ignore[attr-defined]
            for receiver in listener.pc.getReceivers()
        )
        await listener.close()
        await room.close()
        await publisher.close()
        return came

    came = run_in_loop(scenario, timeout=60)
    assert came == {"audio": [True] * 3, "video": [True] * 3, "decoder threads": [],
                    "handoffs": 2, "same bytes": True}, came  # fmt: skip
