"""One lesson's media: sources (the advisor's camera, a shared screen, the microphone of whoever has
the floor) publish to the engine, and every listener gets each source's packets as they were sent.

The engine fixes one codec per kind (VP8, Opus) on every leg, answers each publisher's offer and makes
the offers to listeners itself, so no browser's preference can slip another codec in. A listener
holds one peer connection per source, so a source coming or going never disturbs the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamTrack

from intersession.recordings.writer import RoomRecorder
from intersession.rooms.media.forwarding import Fanout, ListenerTrack

logger = logging.getLogger(__name__)
CODECS = {"video": ("video/VP8", "video/rtx"), "audio": ("audio/opus",)}
KINDS = ("audio", "video")


def _preferred(kind: str, capabilities: object) -> list[object]:
    return [c for c in capabilities.codecs if c.mimeType in CODECS[kind]]  # type: ignore[attr-defined]


@dataclass
class Source:
    pc: RTCPeerConnection
    fanouts: dict[str, Fanout] = field(default_factory=dict)
    label: str | None = None  # what the recording keeps of it: camera, screen, floor


@dataclass
class Listener:
    pc: RTCPeerConnection
    tracks: list[tuple[Fanout, ListenerTrack]] = field(default_factory=list)


def bound_to_the_listener(sender: RTCRtpSender, track: ListenerTrack) -> None:
    """aiortc's sender answers a PLI by asking its encoder, and every NACK from its history; a
    forwarding sender has no encoder, and a weak link's NACKs must not crowd out the sound. Both
    are its private calls (tests/media/test_aiortc_contract.py fails if aiortc changes them)."""
    retransmit = sender._retransmit

    async def bounded(sequence_number: int) -> None:
        if track.may_retransmit(sequence_number):
            await retransmit(sequence_number)

    sender._retransmit = bounded  # type: ignore[method-assign]
    # The key-frame request goes to the publisher, at the pace of one that fell behind.
    sender._send_keyframe = track.lost_picture  # type: ignore[method-assign]


class MediaRoom:
    """Sources and their listeners, on the engine's event loop."""

    def __init__(
        self,
        ice_servers: list[str] | None = None,
        notify: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self.config = RTCConfiguration(
            iceServers=[RTCIceServer(urls=url) for url in ice_servers or []]
        )
        self.notify = notify or (lambda event, data: None)  # to the web process, from any thread
        self.recorder: RoomRecorder | None = None
        self.sources: dict[str, Source] = {}
        self.listeners: dict[tuple[str, str], Listener] = {}  # (listener, source) -> connection
        self._pending: set[asyncio.Future[None]] = set()
        self.keyframes_asked = 0

    @property
    def fanouts(self) -> dict[str, Fanout]:
        """The main source's tracks by kind (kept for callers that know one source)."""
        source = self.sources.get("main")
        return source.fanouts if source else {}

    async def publish(
        self, offer_sdp: str, source_id: str = "main", recording: dict[str, Any] | None = None
    ) -> str:
        """Answer a source's offer with VP8 and Opus only; returns the answer's SDP. With
        `recording` (folder, started_at, label, min_free_bytes) its kept tracks are written too."""
        await self.unpublish(source_id)
        if recording is not None:
            self._recorder_for(recording)
        pc = RTCPeerConnection(self.config)
        source = Source(pc, label=recording["label"] if recording else None)
        self.sources[source_id] = source
        # One receiving transceiver per section of the offer, made first so that aiortc answers
        # with our codecs only (an unused one would break its answer).
        offered = [
            line[2:].split(" ", 1)[0] for line in offer_sdp.splitlines() if line.startswith("m=")
        ]
        for kind in offered:
            if kind not in KINDS:
                raise ValueError(f"cannot receive {kind}")
            transceiver = pc.addTransceiver(kind, direction="recvonly")
            transceiver.setCodecPreferences(_preferred(kind, RTCRtpReceiver.getCapabilities(kind)))  # type: ignore[arg-type]

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            receiver = next(t.receiver for t in pc.getTransceivers() if t.receiver.track is track)
            fanout = Fanout(track, lambda: self._ask_keyframe(receiver))
            source.fanouts[track.kind] = fanout
            if self.recorder is not None and source.label is not None:
                writer = self.recorder.track(source_id, source.label, track.kind)
                if writer is not None:
                    fanout.taps.append(writer)
                    fanout.keyframe_needed()  # the file starts at a key frame, so ask for one now
            fanout.start()

        await pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        return pc.localDescription.sdp

    def _recorder_for(self, recording: dict[str, Any]) -> RoomRecorder:
        """The room's recorder, made on the first recorded source (again after a restart)."""
        if self.recorder is None or str(self.recorder.folder) != recording["folder"]:
            loop = asyncio.get_running_loop()

            def stopped(reason: str) -> None:  # on a writer's thread
                loop.call_soon_threadsafe(self.notify, "recording-stopped", {"reason": reason})

            self.recorder = RoomRecorder(
                recording["folder"], float(recording["started_at"]),
                int(recording.get("min_free_bytes", 0)), stopped,
            )  # fmt: skip
        return self.recorder

    async def stop_recording(self) -> dict[str, Any]:
        """Close the recorded files (the lesson ended); says why it stopped early, if it did."""
        recorder, self.recorder = self.recorder, None
        if recorder is None:
            return {"recording": False, "stopped_because": None}
        for source in self.sources.values():
            for fanout in source.fanouts.values():
                fanout.taps.clear()
        await asyncio.get_running_loop().run_in_executor(None, recorder.close)
        return {"recording": True, "stopped_because": recorder.stopped_because}

    def _ask_keyframe(self, receiver: RTCRtpReceiver) -> None:
        """Forward a key-frame request to the publisher (aiortc has no public call for it)."""
        self.keyframes_asked += 1
        for ssrc in receiver.getSynchronizationSources():
            task = asyncio.ensure_future(receiver._send_rtcp_pli(ssrc.source))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def wait_for_tracks(self, source_id: str, count: int, timeout: float = 5) -> None:
        """Until the source's tracks have arrived (they come with its first packets)."""
        for _ in range(int(timeout / 0.05)):
            source = self.sources.get(source_id)
            if source and len(source.fanouts) >= count:
                return
            await asyncio.sleep(0.05)

    async def subscribe(
        self, listener_id: str, source_id: str = "main", kinds: tuple[str, ...] = KINDS
    ) -> str:
        """Make an offer to a listener for a source's tracks of these kinds; returns its SDP."""
        await self._drop(listener_id, source_id)
        source = self.sources.get(source_id)
        if source is None:
            raise KeyError(source_id)
        pc = RTCPeerConnection(self.config)
        listener = Listener(pc)
        self.listeners[(listener_id, source_id)] = listener
        self._let_go_when_closed(listener_id, source_id, listener)
        for kind, fanout in source.fanouts.items():
            if kind not in kinds:
                continue
            track = fanout.add_listener()
            sender = pc.addTrack(track)
            transceiver = next(t for t in pc.getTransceivers() if t.sender is sender)
            transceiver.setCodecPreferences(_preferred(kind, RTCRtpSender.getCapabilities(kind)))  # type: ignore[arg-type]
            bound_to_the_listener(sender, track)
            listener.tracks.append((fanout, track))
        if not listener.tracks:
            await self._drop(listener_id, source_id)
            raise KeyError(source_id)
        await pc.setLocalDescription(await pc.createOffer())
        return pc.localDescription.sdp

    def _let_go_when_closed(self, listener_id: str, source_id: str, listener: Listener) -> None:
        """When the listener's connection ends by itself (its client closed it, or consent expired
        on a network that went), drop what the room holds for it: its queues in the fan-outs would
        otherwise fill, be cut back and ask the publisher for key frames for nobody."""

        @listener.pc.on("connectionstatechange")
        def on_state() -> None:
            ended = listener.pc.connectionState in ("failed", "closed")
            if ended and self.listeners.get((listener_id, source_id)) is listener:
                task = asyncio.ensure_future(self._drop(listener_id, source_id, only=listener))
                self._pending.add(task)
                task.add_done_callback(self._pending.discard)

    async def accept_answer(
        self, listener_id: str, answer_sdp: str, source_id: str = "main"
    ) -> None:
        listener = self.listeners.get((listener_id, source_id))
        if listener is None:
            raise KeyError(listener_id)
        await listener.pc.setRemoteDescription(RTCSessionDescription(answer_sdp, "answer"))

    async def _drop(self, listener_id: str, source_id: str, only: Listener | None = None) -> None:
        """Close a listener's connection and take its queues out of the fan-outs; with `only`,
        just that connection (not a newer one the listener made meanwhile)."""
        if only is not None and self.listeners.get((listener_id, source_id)) is not only:
            return
        listener = self.listeners.pop((listener_id, source_id), None)
        if listener is None:
            return
        for fanout, track in listener.tracks:
            fanout.remove_listener(track)
        await listener.pc.close()

    async def leave(self, participant_id: str) -> None:
        """Close everything of one participant: what they listen to and what they publish."""
        for listener_id, source_id in list(self.listeners):
            if listener_id == participant_id:
                await self._drop(listener_id, source_id)
        for source_id in list(self.sources):
            if source_id == participant_id or source_id.startswith(participant_id + ":"):
                await self.unpublish(source_id)

    async def unpublish(self, source_id: str) -> None:
        for listener_id, listened in list(self.listeners):
            if listened == source_id:
                await self._drop(listener_id, source_id)
        source = self.sources.pop(source_id, None)
        if source is None:
            return
        for fanout in source.fanouts.values():
            await fanout.stop()
            if self.recorder is not None:
                self.recorder.finish_track(source_id, fanout.kind)
        if source.label == "screen":
            # The recording shows the camera again from here: it must start at a key frame.
            for other in self.sources.values():
                if other.label == "camera" and "video" in other.fanouts:
                    other.fanouts["video"].keyframe_needed()
        with contextlib.suppress(Exception):
            await source.pc.close()

    async def drop_listener(self, listener_id: str) -> int:
        """Cut a listener's connections as a network fault would; returns how many."""
        keys = [key for key in self.listeners if key[0] == listener_id]
        for key in keys:
            await self._drop(*key)
        return len(keys)

    async def counters(self) -> dict[str, int]:
        """For the benchmark and the logs: key frames asked of publishers, packets dropped for
        listeners that fell behind."""
        dropped = sum(
            track.dropped for listener in self.listeners.values() for _f, track in listener.tracks
        )
        return {"keyframes_asked": self.keyframes_asked, "dropped": dropped}

    async def close(self) -> None:
        for listener_id, source_id in list(self.listeners):
            await self._drop(listener_id, source_id)
        for source_id in list(self.sources):
            await self.unpublish(source_id)
        await self.stop_recording()
