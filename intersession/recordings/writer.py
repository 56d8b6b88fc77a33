"""Writing what the engine forwards to disk, packets as they came (no decoding while the lesson
runs): one Matroska file per recorded track, its packets placed on the lesson's timeline.

This runs in the media worker, which has no database: the web process tells it the recording's
folder and when the recording started, and it names each file by its label, kind and the moment
it opened, so that the finishing task can put them together. A worker that dies leaves the files
as far as they were written (Matroska is readable without its closing index).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import secrets
import shutil
import struct
import threading
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av

logger = logging.getLogger(__name__)

MS = Fraction(1, 1000)
CLOCK = {"video": 90_000, "audio": 48_000}
QUEUE_PACKETS = 600  # about 10 s of audio and video behind a slow disk before packets are let go
SPACE_CHECK_SECONDS = 5.0
# Matroska wants Opus's identification header; browsers send 2-channel Opus at 48 kHz.
OPUS_HEAD = b"OpusHead" + struct.pack("<BBHIhB", 1, 2, 312, 48_000, 0, 0)
# Which tracks of a source are kept: the advisor's camera (picture and voice), the shared screen,
# and the microphone of whoever has the floor.
KEPT = {"camera": ("audio", "video"), "screen": ("video",), "floor": ("audio",)}
# A VP8 key frame's header may claim up to 16383 x 16383 whatever the frame holds. Copying its
# packets costs nothing at that size, but what is recorded is decoded later (the poster, every
# player of the catch-up), so the engine keeps no picture larger than an 8K screen's.
MAX_SIDE = 7680
MAX_PIXELS = 7680 * 4320


def vp8_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a VP8 key frame's header (RFC 6386, 9.1), None for other frames."""
    if len(data) < 10 or data[0] & 0x01 or data[3:6] != b"\x9d\x01\x2a":
        return None
    width, height = struct.unpack("<HH", data[6:10])
    return width & 0x3FFF, height & 0x3FFF


def recordable(size: tuple[int, int]) -> bool:
    """Whether a key frame of this size is kept (see MAX_SIDE)."""
    width, height = size
    return 0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE and width * height <= MAX_PIXELS


class DiskFull(Exception):
    pass


class TrackWriter:
    """One track of one source into one file, on a thread of its own so that a slow disk never
    holds up the engine's loop."""

    def __init__(
        self,
        folder: Path,
        label: str,
        kind: str,
        started_at: float,
        min_free_bytes: int,
        on_stopped: Callable[[str], None],
    ) -> None:
        self.folder, self.label, self.kind = folder, label, kind
        self.started_at = started_at
        self.min_free_bytes = min_free_bytes
        self.on_stopped = on_stopped
        self.queue: queue.Queue[tuple[float, av.Packet] | None] = queue.Queue()
        self.anchor: tuple[float, int] | None = None  # (ms on the timeline, first RTP timestamp)
        self.last_rtp = 0
        self.wraps = 0
        self.waiting_for_keyframe = kind == "video"
        self.dropped = 0
        self.refused = False  # a key frame over the size bound was left out (said once)
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name=f"record-{label}-{kind}", daemon=True)
        self.thread.start()

    def offer(self, packet: av.Packet) -> None:
        """From the engine's loop; never waits."""
        if self.stopped:
            return
        if self.kind == "video":
            # The header is in the first 10 bytes: no copy of the whole frame on the loop.
            size = vp8_size(bytes(memoryview(packet)[:10]))
            if size is not None and not recordable(size):
                # The frames after it are predicted from it: none decodes until the next key
                # frame, so that is where the file goes on.
                if not self.refused:
                    self.refused = True
                    logger.warning("%s video not recorded at %d x %d", self.label, *size)
                self.waiting_for_keyframe = True
                return
            if self.waiting_for_keyframe:
                if size is None:
                    return
                self.waiting_for_keyframe = False
        if self.queue.qsize() >= QUEUE_PACKETS:
            self.dropped += 1
            if self.kind == "video":  # what follows a gap does not decode until a key frame
                self.waiting_for_keyframe = True
            return
        self.queue.put_nowait((time.time(), packet))

    def finish(self) -> None:
        """No more packets: the thread writes what is queued, closes the file and ends."""
        self.stopped = True
        self.queue.put_nowait(None)

    def join(self) -> None:
        self.thread.join(timeout=30)

    def _timeline_ms(self, arrived: float, rtp: int) -> int:
        """The packet's place on the recording's timeline: the first packet's arrival, then the
        sender's own clock (RTP timestamps, unwrapped past 2^32)."""
        if self.anchor is None:
            self.anchor = ((arrived - self.started_at) * 1000, rtp)
            self.last_rtp = rtp
        if rtp < self.last_rtp and self.last_rtp - rtp > 1 << 31:
            self.wraps += 1
        self.last_rtp = rtp
        start_ms, first = self.anchor
        ticks = rtp + (self.wraps << 32) - first
        return max(0, round(start_ms + ticks * 1000 / CLOCK[self.kind]))

    def _open(
        self, first: bytes, arrived: float
    ) -> tuple[av.container.OutputContainer, av.stream.Stream]:
        offset = max(0, round((arrived - self.started_at) * 1000))
        name = f"{offset:010d}-{self.label}-{self.kind}-{secrets.token_hex(3)}.mkv"
        # Short clusters, flushed as they close: a killed worker loses at most a second.
        container = av.open(
            str(self.folder / name), "w", format="matroska",
            options={"cluster_time_limit": "1000", "flush_packets": "1"},
        )  # fmt: skip
        stream: av.stream.Stream
        if self.kind == "video":
            # A stream with no codec context: an encoder opened just to describe the stream
            # would take about 25 bytes a pixel of the size the sender claims (400 MB at
            # 4000 x 4000), before a packet is written.
            width, height = vp8_size(first) or (640, 360)
            stream = container.add_mux_stream("vp8", rate=30, width=width, height=height)
        else:
            # Opus has no size to claim: its encoder is small, and it is what gives Matroska
            # the channel count and identification header a stream without a context lacks.
            audio = container.add_stream("libopus", rate=48_000)
            audio.codec_context.layout = "stereo"
            audio.codec_context.extradata = OPUS_HEAD
            stream = audio
        stream.time_base = MS
        return container, stream

    def _space_left(self) -> None:
        if shutil.disk_usage(self.folder).free < self.min_free_bytes:
            raise DiskFull

    def _run(self) -> None:
        container: av.container.OutputContainer | None = None
        stream: av.stream.Stream | None = None
        checked_at = 0.0
        last_ms = -1
        reason = "closed"
        try:
            while (item := self.queue.get()) is not None:
                arrived, packet = item
                data = bytes(packet)
                if not data:
                    continue
                if time.monotonic() - checked_at > SPACE_CHECK_SECONDS:
                    self._space_left()
                    checked_at = time.monotonic()
                if container is None or stream is None:
                    container, stream = self._open(data, arrived)
                at = self._timeline_ms(arrived, int(packet.pts or 0))
                at = max(at, last_ms + 1)  # strictly increasing, as Matroska wants
                last_ms = at
                out = av.Packet(data)
                out.stream = stream
                out.pts = out.dts = at
                out.time_base = MS
                out.is_keyframe = self.kind == "audio" or vp8_size(data) is not None
                container.mux(out)
        except DiskFull:
            reason = "disk-full"
        except OSError as error:
            reason = "disk-full" if error.errno == 28 else "write-failed"  # ENOSPC
            logger.warning("recording of %s %s stopped: %s", self.label, self.kind, error)
        finally:
            self.stopped = True
            if container is not None:
                with contextlib.suppress(Exception):
                    container.close()
        if reason != "closed":
            self.on_stopped(reason)


class RoomRecorder:
    """The recorded tracks of one lesson's room."""

    def __init__(
        self,
        folder: str,
        started_at: float,
        min_free_bytes: int,
        on_stopped: Callable[[str], None],
    ) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.started_at = started_at
        self.min_free_bytes = min_free_bytes
        self.on_stopped = on_stopped
        self.writers: dict[tuple[str, str], TrackWriter] = {}  # (source, kind) -> writer
        self.finished: list[TrackWriter] = []  # until their threads are joined
        self.stopped_because: str | None = None

    def track(self, source_id: str, label: str, kind: str) -> TrackWriter | None:
        """A writer for a new track of a source, or None when that track is not kept."""
        if self.stopped_because or kind not in KEPT.get(label, ()):
            return None
        self.finish_track(source_id, kind)
        writer = TrackWriter(
            self.folder, label, kind, self.started_at, self.min_free_bytes, self._stopped
        )
        self.writers[(source_id, kind)] = writer
        return writer

    def finish_track(self, source_id: str, kind: str) -> None:
        writer = self.writers.pop((source_id, kind), None)
        if writer is not None:
            writer.finish()
            self.finished.append(writer)

    def _stopped(self, reason: str) -> None:
        """A writer met a full disk: the whole recording stops (on the writer's thread)."""
        if self.stopped_because is None:
            self.stopped_because = reason
            for writer in list(self.writers.values()):
                writer.stopped = True
            self.on_stopped(reason)

    def close(self) -> None:
        """Finish every track and wait until the files are closed (off the engine's loop)."""
        for key in list(self.writers):
            self.finish_track(*key)
        finished, self.finished = self.finished, []
        for writer in finished:
            writer.join()
