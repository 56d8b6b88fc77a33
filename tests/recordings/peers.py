"""aiortc peers for recording tests: a camera (picture and a tone), a shared screen, a microphone."""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from typing import Any

import av
import numpy as np
from aiortc import (
    AudioStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.mediastreams import AUDIO_PTIME

from intersession.rooms.media.room import MediaRoom


class ToneTrack(AudioStreamTrack):
    """A voice stand-in: a tone with some noise, so that Opus has something to carry."""

    def __init__(self, pitch: float = 440.0) -> None:
        super().__init__()
        self.pitch = pitch
        self.sent = 0
        self.started: float | None = None

    async def recv(self) -> av.AudioFrame:
        samples = int(AUDIO_PTIME * 48_000)
        if self.started is None:
            self.started = time.time()
        wait = self.started + self.sent / 48_000 - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        t = (np.arange(samples) + self.sent) / 48_000
        wave = 0.3 * np.sin(2 * math.pi * self.pitch * t) + 0.05 * np.random.randn(samples)
        data = (np.clip(wave, -1, 1) * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(np.repeat(data, 2).reshape(1, -1), layout="stereo")
        frame.sample_rate, frame.pts = 48_000, self.sent
        frame.time_base = fractions.Fraction(1, 48_000)
        self.sent += samples
        return frame


class SizedVideoTrack(VideoStreamTrack):
    """A picture of a chosen size (aiortc's own is always 640x480)."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self.size = (width, height)

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        width, height = self.size
        frame = av.VideoFrame.from_ndarray(
            np.full((height, width, 3), (pts // 3000) % 255, np.uint8), format="rgb24"
        )
        frame.pts, frame.time_base = pts, time_base
        return frame


async def publish(
    room: MediaRoom, source_id: str, tracks: list[Any], recording: dict[str, Any] | None
) -> RTCPeerConnection:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    for track in tracks:
        pc.addTrack(track)
    await pc.setLocalDescription(await pc.createOffer())
    answer = await room.publish(pc.localDescription.sdp, source_id, recording)
    await pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    await room.wait_for_tracks(source_id, len(tracks))
    return pc
