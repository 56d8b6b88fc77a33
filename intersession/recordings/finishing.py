"""Putting a lesson's recorded tracks together after the lesson, with PyAV (see the README on why
not ffmpeg): a playable WebM (the shared screen while there was one, else the advisor's camera;
the video packets copied as recorded, never re-encoded), a light audio-only WebM (every microphone
mixed into one Opus voice track at 16 kbit/s), a poster picture and the duration.

Everything is written under temporary names and renamed when whole, so running it twice, or again
after a killed run, gives the same files once.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from intersession.core import pictures, storage
from intersession.recordings.writer import MS, recordable, vp8_size

logger = logging.getLogger(__name__)

RATE = 48_000
BLOCK = RATE  # one second of samples mixed at a time: memory stays flat whatever the length
VOICE_BITRATE = 16_000  # with 60 ms frames about 8 MB an hour: a lesson over a weak link
POSTER_WIDTH = 640
VIDEO_FILE, AUDIO_FILE, POSTER_FILE = "lesson.webm", "audio.webm", "poster.jpg"
# The same tracks give the same bytes: no random ids in the container.
BITEXACT = {"fflags": "+bitexact"}
TRACK_NAME = re.compile(r"^(\d{10})-(camera|screen|floor)-(audio|video)-[0-9a-f]{6}\.mkv$")


class NothingRecorded(Exception):
    """No track of the recording could be read."""


@dataclass(frozen=True)
class Track:
    path: Path
    label: str
    kind: str
    first_ms: int
    last_ms: int


@dataclass(frozen=True)
class Finished:
    duration: float  # seconds
    video_bytes: int
    audio_bytes: int
    has_video: bool
    has_screen: bool


def tracks_in(folder: Path) -> list[Track]:
    """The readable recorded tracks of the folder, each with the span it covers."""
    found = []
    for path in sorted(folder.iterdir()):
        match = TRACK_NAME.match(path.name)
        if not match:
            continue
        span = _span(path)
        if span is not None:
            found.append(Track(path, match[2], match[3], *span))
    return found


def _span(path: Path) -> tuple[int, int] | None:
    """First and last packet times (ms) of a track file; None when nothing in it can be read (a
    worker killed before its first packet reached the disk)."""
    first = last = None
    try:
        with av.open(str(path)) as container:
            for packet in container.demux(container.streams[0]):
                if packet.pts is None:
                    continue
                at = int(packet.pts * packet.time_base * 1000)
                first = at if first is None else first
                last = at
    except (av.error.FFmpegError, IndexError) as error:  # cut short: what was read still counts
        logger.info("recorded track %s ends early: %s", path.name, error)
    return (first, last) if first is not None and last is not None else None


def _packets(track: Track) -> Iterator[tuple[int, bytes]]:
    """(ms, data) of a track's packets, as far as the file can be read."""
    try:
        with av.open(str(track.path)) as container:
            for packet in container.demux(container.streams[0]):
                if packet.pts is not None and packet.size:
                    yield int(packet.pts * packet.time_base * 1000), bytes(packet)
    except av.error.FFmpegError:
        return


def _bounded(packets: Iterator[tuple[int, bytes]]) -> Iterator[tuple[int, bytes]]:
    """A video track's packets without any key frame over the engine's size bound, nor the
    frames predicted from it (until the next key frame): the engine keeps none now, but a track
    recorded before it checked may hold one."""
    refused = False
    for at, data in packets:
        size = vp8_size(data)
        if size is not None:
            refused = not recordable(size)
        if not refused:
            yield at, data


class _Voice:
    """One microphone's decoded samples (mono float), handed out block by block on the timeline."""

    def __init__(self, track: Track) -> None:
        self.frames = self._decoded(track)
        self.pending: tuple[int, np.ndarray] | None = None  # (first sample, samples)

    @staticmethod
    def _decoded(track: Track) -> Iterator[tuple[int, np.ndarray]]:
        try:
            with av.open(str(track.path)) as container:
                for frame in container.decode(container.streams[0]):
                    if (
                        not isinstance(frame, av.AudioFrame)
                        or frame.pts is None
                        or not frame.time_base
                    ):
                        continue
                    start = round(float(frame.pts * frame.time_base) * RATE)
                    samples = frame.to_ndarray().astype(np.float32)
                    yield start, samples.mean(axis=0) if samples.ndim == 2 else samples
        except av.error.FFmpegError:
            return

    def add_into(self, block: np.ndarray, block_start: int) -> None:
        block_end = block_start + len(block)
        while True:
            if self.pending is None:
                self.pending = next(self.frames, None)
                if self.pending is None:
                    return
            start, samples = self.pending
            if start >= block_end:
                return
            end = start + len(samples)
            lo, hi = max(start, block_start), min(end, block_end)
            if lo < hi:
                block[lo - block_start : hi - block_start] += samples[lo - start : hi - start]
            if end > block_end:
                self.pending = (block_end, samples[block_end - start :])
                return
            self.pending = None


def _mix_voice(tracks: list[Track], length_ms: int, target: Path) -> None:
    """Every microphone on one timeline, mixed to mono, as Opus in WebM."""
    voices = [_Voice(t) for t in tracks if t.kind == "audio"]
    total = round(length_ms * RATE / 1000)
    with av.open(str(target), "w", format="webm", options=BITEXACT) as out:
        stream = out.add_stream("libopus", rate=RATE)
        stream.codec_context.layout = "mono"
        stream.codec_context.bit_rate = VOICE_BITRATE
        # Longer frames: fewer packets, so less of the file is container overhead.
        stream.codec_context.options = {"application": "voip", "frame_duration": "60"}
        for block_start in range(0, total, BLOCK):
            block = np.zeros(min(BLOCK, total - block_start), dtype=np.float32)
            for voice in voices:
                voice.add_into(block, block_start)
            np.clip(block, -1.0, 1.0, out=block)
            frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = RATE
            frame.pts = block_start
            frame.time_base = Fraction(1, RATE)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def _picture(tracks: list[Track]) -> Iterator[tuple[int, bytes]]:
    """The video to show, in time order: the screen while it was shared, else the camera; after
    the screen, the camera again from its next key frame."""
    screens = [t for t in tracks if t.kind == "video" and t.label == "screen"]
    cameras = [t for t in tracks if t.kind == "video" and t.label == "camera"]
    shared = [(t.first_ms, t.last_ms) for t in screens]
    streams = [((at, 0, data) for at, data in _bounded(_packets(t))) for t in screens]
    streams += [((at, 1, data) for at, data in _bounded(_packets(t))) for t in cameras]
    camera_needs_key = True
    for at, is_camera, data in heapq.merge(*streams):
        if not is_camera:
            camera_needs_key = True
            yield at, data
            continue
        if any(start <= at <= end for start, end in shared):
            continue
        if camera_needs_key:
            if vp8_size(data) is None:
                continue
            camera_needs_key = False
        yield at, data


def _write_lesson(tracks: list[Track], voice: Path, target: Path) -> bool:
    """The playable file: the picture's packets as recorded and the mixed voice. Returns whether
    it has a picture."""
    picture = _picture(tracks)
    first = next(picture, None)
    with (
        av.open(str(voice)) as voice_in,
        av.open(str(target), "w", format="webm", options=BITEXACT) as out,
    ):
        streams: dict[int, av.stream.Stream] = {
            1: out.add_stream_from_template(voice_in.streams.audio[0])
        }
        if first is not None:
            # No codec context, so no encoder: one opened only to describe the stream takes
            # about 25 bytes a pixel of the key frame's size (400 MB at 4000 x 4000).
            width, height = vp8_size(first[1]) or (640, 360)
            video = out.add_mux_stream("vp8", rate=30, width=width, height=height)
            video.time_base = MS
            streams[0] = video

        def video_packets() -> Iterator[tuple[int, int, av.Packet]]:
            last = -1
            for at, data in itertools.chain([first] if first else [], picture):
                last = max(at, last + 1)  # strictly increasing, as Matroska wants
                packet = av.Packet(data)
                packet.pts = packet.dts = last
                packet.time_base = MS
                packet.is_keyframe = vp8_size(data) is not None
                yield last, 0, packet

        voice_packets = (
            (int(p.pts * p.time_base * 1000), 1, p)
            for p in voice_in.demux(voice_in.streams.audio[0])
            if p.pts is not None and p.time_base is not None and p.size
        )
        for _at, which, packet in heapq.merge(
            video_packets(), voice_packets, key=lambda item: (item[0], item[1])
        ):
            packet.stream = streams[which]
            out.mux(packet)
    return first is not None


def _write_poster(tracks: list[Track], at_ms: int, target: Path) -> bool:
    """A JPEG of the picture from the first key frame at or after `at_ms` (else the first)."""
    first = chosen = None
    for at, data in _picture(tracks):
        if vp8_size(data) is None:
            continue
        first = first or data
        if at >= at_ms:
            chosen = data
            break
    chosen = chosen or first
    size = vp8_size(chosen) if chosen else None
    # The frame's size is whatever the sender's encoder wrote (up to 16383 x 16383, 400 MB
    # decoded): the picture budget decides whether this worker may decode it.
    if chosen is None or size is None or not pictures.decodable(*size, bytes_per_pixel=1.5):
        return False
    decoder = av.CodecContext.create("vp8", "r")
    try:
        frames = decoder.decode(av.Packet(chosen))
    except av.error.FFmpegError as error:  # a key frame whose header does not fit its data
        logger.info("no poster: %s", error)
        return False
    if not frames:
        return False
    frame = frames[0]
    width = min(POSTER_WIDTH, frame.width) // 2 * 2
    height = max(2, round(frame.height * width / frame.width) // 2 * 2)
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    picture = frame.reformat(width=width, height=height, format="yuvj420p")
    data = b"".join(bytes(p) for p in [*encoder.encode(picture), *encoder.encode(None)])
    target.write_bytes(data)
    return True


def finish(folder: Path) -> Finished:
    """Build the three files of a recording from its tracks (again from scratch when run again)."""
    for leftover in folder.glob(f"*{storage.TEMPORARY_SUFFIX}"):
        leftover.unlink()
    tracks = tracks_in(folder)
    if not tracks:
        raise NothingRecorded(str(folder))
    length_ms = max(t.last_ms for t in tracks) + 20
    voice, lesson, poster = (
        folder / f"{n}{storage.TEMPORARY_SUFFIX}" for n in (AUDIO_FILE, VIDEO_FILE, POSTER_FILE)
    )
    _mix_voice(tracks, length_ms, voice)
    has_video = _write_lesson(tracks, voice, lesson)
    has_poster = has_video and _write_poster(tracks, length_ms // 10, poster)
    for temporary, final in ((voice, AUDIO_FILE), (lesson, VIDEO_FILE), (poster, POSTER_FILE)):
        if temporary.exists():
            os.replace(temporary, folder / final)
    if not has_poster:
        (folder / POSTER_FILE).unlink(missing_ok=True)
    return Finished(
        duration=length_ms / 1000,
        video_bytes=(folder / VIDEO_FILE).stat().st_size,
        audio_bytes=(folder / AUDIO_FILE).stat().st_size,
        has_video=has_video,
        has_screen=any(t.label == "screen" and t.kind == "video" for t in tracks),
    )
