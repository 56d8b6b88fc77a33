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
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamTrack

from intersession.recordings.writer import RoomRecorder
from intersession.rooms.media import links
from intersession.rooms.media.forwarding import Fanout, ListenerTrack
from intersession.rooms.media.hooks import (
    bound_to_the_listener,
    receiver_report,
    sound_sent_twice,
    without_bandwidth_estimates,
)
from intersession.rooms.media.opus import with_resilient_opus

logger = logging.getLogger(__name__)
CODECS = {"video": ("video/VP8", "video/rtx"), "audio": ("audio/opus",)}
KINDS = ("audio", "video")


def _preferred(kind: str, capabilities: object) -> list[object]:
    return [c for c in capabilities.codecs if c.mimeType in CODECS[kind]]  # type: ignore[attr-defined]


@dataclass
class Source:
    pc: RTCPeerConnection
    fanouts: dict[str, Fanout] = field(default_factory=dict)  # by kind; video: the full picture
    small: Fanout | None = None  # the camera's second, small encoding, when it sends one
    label: str | None = None  # what the recording keeps of it: camera, screen, floor


@dataclass
class Listener:
    pc: RTCPeerConnection
    tracks: list[tuple[Fanout, ListenerTrack]] = field(default_factory=list)
    senders: dict[str, tuple[RTCRtpSender, ListenerTrack]] = field(default_factory=dict)
    judge: links.LinkJudge = field(default_factory=lambda: links.LinkJudge(["full", None]))

    @property
    def video(self) -> ListenerTrack | None:
        sent = self.senders.get("video")
        return sent[1] if sent else None


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
        self._watching: asyncio.Task[None] | None = None

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
        # One transport for every section from the start: aiortc's default policy gives a second
        # video section the first one's transport and then leaves it there when the browser's
        # bundle moves the first onto the audio's (the small encoding would never arrive).
        pc = RTCPeerConnection(
            RTCConfiguration(
                iceServers=self.config.iceServers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE
            )
        )
        source = Source(pc, label=recording["label"] if recording else None)
        self.sources[source_id] = source
        # One receiving transceiver per section of the offer, made first so that aiortc answers
        # with our codecs only (an unused one would break its answer).
        offered = [
            line[2:].split(" ", 1)[0] for line in offer_sdp.splitlines() if line.startswith("m=")
        ]
        if offered.count("audio") > 1 or offered.count("video") > 2:
            raise ValueError("one microphone and at most two camera encodings")
        for kind in offered:
            if kind not in KINDS:
                raise ValueError(f"cannot receive {kind}")
            transceiver = pc.addTransceiver(kind, direction="recvonly")
            transceiver.setCodecPreferences(_preferred(kind, RTCRtpReceiver.getCapabilities(kind)))  # type: ignore[arg-type]

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            transceivers = [t for t in pc.getTransceivers() if t.kind == track.kind]
            receiver = next(t.receiver for t in transceivers if t.receiver.track is track)
            if offered.count("video") > 1:
                without_bandwidth_estimates(receiver)
            fanout = Fanout(track, lambda: self._ask_keyframe(receiver))
            if track.kind == "video" and receiver is not transceivers[0].receiver:
                # A second video section: the camera's small encoding, for weak links. It is
                # neither recorded nor listened to by itself.
                self._add_small(source_id, source, fanout)
                fanout.start()
                return
            source.fanouts[track.kind] = fanout
            if self.recorder is not None and source.label is not None:
                writer = self.recorder.track(source_id, source.label, track.kind)
                if writer is not None:
                    fanout.taps.append(writer)
                    fanout.keyframe_needed()  # the file starts at a key frame, so ask for one now
            fanout.start()

        await pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        return with_resilient_opus(pc.localDescription.sdp)

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
        self,
        listener_id: str,
        source_id: str = "main",
        kinds: tuple[str, ...] = KINDS,
        picture: str = "full",
    ) -> str:
        """Make an offer to a listener for a source's tracks of these kinds; returns its SDP.
        `picture` is the one it starts on (full, small, none: its school's link, as checked)."""
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
            listener.senders[kind] = (sender, track)
        if not listener.tracks:
            await self._drop(listener_id, source_id)
            raise KeyError(source_id)
        if listener.video is not None and source.small is not None:
            source.small.add_listener(listener.video)
            listener.tracks.append((source.small, listener.video))
            listener.judge.pictures.insert(1, "small")
        if listener.video is None:
            listener.judge.pictures = [None]
        self._start_on(listener, None if picture == "none" else picture)
        self._watch_links()
        await pc.setLocalDescription(await pc.createOffer())
        return pc.localDescription.sdp

    @staticmethod
    def _start_on(listener: Listener, picture: str | None) -> None:
        judge, video = listener.judge, listener.video
        if video is None or picture not in judge.pictures or picture == judge.picture:
            return
        judge.level = judge.pictures.index(picture)
        video.choose(None if picture is None else judge.level)

    def _add_small(self, source_id: str, source: Source, fanout: Fanout) -> None:
        """The small encoding arrived: everyone who listens to the source may get it."""
        source.small = fanout
        for (_listener_id, listened), listener in self.listeners.items():
            track = listener.video
            if listened == source_id and track is not None and len(track.feeds) == 1:
                fanout.add_listener(track)
                listener.tracks.append((fanout, track))
                judge = listener.judge
                judge.pictures.insert(1, "small")
                if judge.level > 0:
                    judge.level += 1  # it stays on what it had: none

    def _watch_links(self) -> None:
        if self._watching is None or self._watching.done():
            self._watching = asyncio.ensure_future(self._judge_links())

    async def _judge_links(self) -> None:
        """Every CHECK_EVERY, each listener's receiver reports decide its picture (links.py)."""
        while self.listeners:
            await asyncio.sleep(links.CHECK_EVERY)
            now = asyncio.get_running_loop().time()
            for (listener_id, source_id), listener in list(self.listeners.items()):
                if listener.pc.connectionState != "connected":
                    continue
                with contextlib.suppress(Exception):  # a connection closing meanwhile
                    self._judge(listener_id, source_id, listener, now)

    def _judge(self, listener_id: str, source_id: str, listener: Listener, now: float) -> None:
        streams: dict[str, links.Counts] = {}
        rtts: list[float] = []
        for kind, (sender, track) in listener.senders.items():
            stats = receiver_report(sender)
            if stats is not None:
                streams[kind] = links.Counts(stats.packetsLost, stats.packetsReceived)
                if stats.roundTripTime is not None:
                    rtts.append(stats.roundTripTime)
                    track.round_trip = stats.roundTripTime  # how long its resent copies take
        judge = listener.judge
        changed = judge.report(now, streams, max(rtts) if rtts else None)
        if "audio" in listener.senders:
            sender, audio = listener.senders["audio"]
            if judge.repeat_sound and not audio.repeated:
                sound_sent_twice(sender, audio)
            audio.repeated = judge.repeat_sound
        if changed:
            self._show(listener_id, source_id, listener)

    async def try_picture(self, listener_id: str, source_id: str) -> str | None:
        """The listener asked to try a better picture than its link was judged to carry; returns
        the picture it is on now."""
        listener = self.listeners[(listener_id, source_id)]
        if listener.video is not None and listener.judge.try_up(asyncio.get_running_loop().time()):
            self._show(listener_id, source_id, listener)
        return listener.judge.picture

    def _show(self, listener_id: str, source_id: str, listener: Listener) -> None:
        """Send the listener the picture its judge chose, and tell the web process."""
        picture, video = listener.judge.picture, listener.video
        if video is None:
            return
        logger.info("listener %s of %s: picture %s", listener_id, source_id, picture or "none")
        video.choose(None if picture is None else listener.judge.level)
        self.notify("picture", {"listener": listener_id, "source": source_id, "picture": picture})

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
        if source.small is not None:
            await source.small.stop()
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
        tracks = {track for listener in self.listeners.values() for _f, track in listener.tracks}
        pictures = [listener.judge.picture for listener in self.listeners.values()]
        return {
            "keyframes_asked": self.keyframes_asked,
            "dropped": sum(track.dropped for track in tracks),
            "small_pictures": pictures.count("small"),
            "small_sources": sum(source.small is not None for source in self.sources.values()),
            "sound_only": sum(
                listener.judge.picture is None and listener.video is not None
                for listener in self.listeners.values()
            ),
        }

    async def close(self) -> None:
        if self._watching is not None:
            self._watching.cancel()
        for listener_id, source_id in list(self.listeners):
            await self._drop(listener_id, source_id)
        for source_id in list(self.sources):
            await self.unpublish(source_id)
        await self.stop_recording()
