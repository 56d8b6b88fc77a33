"""One lesson's media: the advisor publishes to the engine, every listener gets the packets as sent.

The engine fixes one codec per kind (VP8, Opus) on every leg, answers the publisher's offer and makes
the offers to listeners itself, so no browser's preference can slip another codec in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamTrack

from intersession.rooms.media.forwarding import Fanout, ListenerTrack

logger = logging.getLogger(__name__)
CODECS = {"video": ("video/VP8", "video/rtx"), "audio": ("audio/opus",)}


def _preferred(kind: str, capabilities: object) -> list[object]:
    return [c for c in capabilities.codecs if c.mimeType in CODECS[kind]]  # type: ignore[attr-defined]


@dataclass
class Listener:
    pc: RTCPeerConnection
    tracks: list[tuple[Fanout, ListenerTrack]] = field(default_factory=list)


class MediaRoom:
    """A publisher and its listeners, on the engine's event loop."""

    def __init__(self, ice_servers: list[str] | None = None) -> None:
        self.config = RTCConfiguration(
            iceServers=[RTCIceServer(urls=url) for url in ice_servers or []]
        )
        self.publisher: RTCPeerConnection | None = None
        self.fanouts: dict[str, Fanout] = {}
        self.listeners: dict[str, Listener] = {}
        self._pending: set[asyncio.Future[None]] = set()

    async def publish(self, offer_sdp: str) -> str:
        """Answer the publisher's offer with VP8 and Opus only; returns the answer's SDP."""
        await self._close_publisher()
        pc = RTCPeerConnection(self.config)
        self.publisher = pc
        for kind in ("audio", "video"):
            transceiver = pc.addTransceiver(kind, direction="recvonly")
            transceiver.setCodecPreferences(_preferred(kind, RTCRtpReceiver.getCapabilities(kind)))  # type: ignore[arg-type]

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            receiver = next(t.receiver for t in pc.getTransceivers() if t.receiver.track is track)
            fanout = Fanout(track, lambda: self._ask_keyframe(receiver))
            self.fanouts[track.kind] = fanout
            fanout.start()

        await pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        return pc.localDescription.sdp

    def _ask_keyframe(self, receiver: RTCRtpReceiver) -> None:
        """Forward a key-frame request to the publisher (aiortc has no public call for it)."""
        for source in receiver.getSynchronizationSources():
            task = asyncio.ensure_future(receiver._send_rtcp_pli(source.source))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def subscribe(self, listener_id: str) -> str:
        """Make an offer to a listener for everything published; returns its SDP."""
        await self.leave(listener_id)
        pc = RTCPeerConnection(self.config)
        listener = Listener(pc)
        self.listeners[listener_id] = listener
        for kind, fanout in self.fanouts.items():
            track = fanout.add_listener()
            sender = pc.addTrack(track)
            transceiver = next(t for t in pc.getTransceivers() if t.sender is sender)
            transceiver.setCodecPreferences(_preferred(kind, RTCRtpSender.getCapabilities(kind)))  # type: ignore[arg-type]
            # A listener's key-frame request cannot reach an encoder: pass it on to the publisher.
            sender._send_keyframe = fanout.keyframe_needed  # type: ignore[method-assign]
            listener.tracks.append((fanout, track))
        await pc.setLocalDescription(await pc.createOffer())
        return pc.localDescription.sdp

    async def accept_answer(self, listener_id: str, answer_sdp: str) -> None:
        listener = self.listeners.get(listener_id)
        if listener is None:
            raise KeyError(listener_id)
        await listener.pc.setRemoteDescription(RTCSessionDescription(answer_sdp, "answer"))

    async def leave(self, listener_id: str) -> None:
        listener = self.listeners.pop(listener_id, None)
        if listener is None:
            return
        for fanout, track in listener.tracks:
            fanout.remove_listener(track)
        await listener.pc.close()

    async def _close_publisher(self) -> None:
        for fanout in self.fanouts.values():
            await fanout.stop()
        self.fanouts.clear()
        if self.publisher is not None:
            with contextlib.suppress(Exception):
                await self.publisher.close()
            self.publisher = None

    async def close(self) -> None:
        for listener_id in list(self.listeners):
            await self.leave(listener_id)
        await self._close_publisher()
