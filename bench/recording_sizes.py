"""How big the finished files of a recorded lesson are, and how long finishing takes.

Writes the tracks the media engine would write for a lesson of --minutes (the advisor's camera,
VP8 at 640x360 15 fps about 300 kbit/s, and a voice-like Opus track), finishes them as the Celery
task does, and prints one JSON line: sizes, the voice file's MB per hour, seconds spent.

    .venv/bin/python bench/recording_sizes.py --minutes 10
"""

from __future__ import annotations

import argparse
import fractions
import json
import tempfile
import time
from pathlib import Path

import av
import numpy as np

from intersession.recordings import finishing
from intersession.recordings.writer import OPUS_HEAD

MS = fractions.Fraction(1, 1000)


def voice(seconds: int, rng: np.random.Generator) -> np.ndarray:
    """Speech-like sound: tones gliding in syllables with pauses, and some room noise."""
    t = np.arange(seconds * 48_000) / 48_000
    pitch = 140 + 40 * np.sin(t * 1.7) + 25 * np.sin(t * 5.3)
    syllables = (np.sin(t * 2 * np.pi * 3.2) > -0.2) * (np.sin(t * 2 * np.pi * 0.21) > -0.6)
    wave = 0.25 * np.sin(2 * np.pi * np.cumsum(pitch) / 48_000) * syllables
    return (np.clip(wave + 0.01 * rng.standard_normal(len(t)), -1, 1) * 32767).astype(np.int16)


def write_tracks(folder: Path, minutes: int) -> None:
    rng = np.random.default_rng(7)
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate, encoder.layout, encoder.format = 48_000, "stereo", "s16"
    encoder.bit_rate = 32_000
    with av.open(str(folder / "0000000000-camera-audio-000001.mkv"), "w", format="matroska") as out:
        stream = out.add_stream("libopus", rate=48_000)
        stream.codec_context.layout = "stereo"
        stream.codec_context.extradata = OPUS_HEAD
        stream.time_base = MS
        for minute in range(minutes):
            samples = voice(60, rng)
            frame = av.AudioFrame.from_ndarray(
                np.repeat(samples, 2).reshape(1, -1), layout="stereo"
            )
            frame.sample_rate, frame.pts = 48_000, minute * 60 * 48_000
            for packet in encoder.encode(frame):
                copy = av.Packet(bytes(packet))
                copy.stream, copy.time_base = stream, MS
                copy.pts = copy.dts = int(packet.pts) // 48
                out.mux(copy)
    video = av.CodecContext.create("libvpx", "w")
    video.width, video.height, video.pix_fmt = 640, 360, "yuv420p"
    video.time_base, video.bit_rate = fractions.Fraction(1, 15), 300_000
    video.options = {"deadline": "realtime", "cpu-used": "8"}
    with av.open(str(folder / "0000000000-camera-video-000002.mkv"), "w", format="matroska") as out:
        stream = out.add_stream("libvpx", rate=15)
        stream.width, stream.height, stream.time_base = 640, 360, MS
        for index in range(minutes * 60 * 15):
            shade = np.full((360, 640, 3), (index // 15) % 200 + 20, np.uint8)
            shade[100:260, (index * 4) % 480 : (index * 4) % 480 + 160] = 240
            picture = av.VideoFrame.from_ndarray(shade, format="rgb24").reformat(format="yuv420p")
            picture.pts = index
            for packet in video.encode(picture):
                copy = av.Packet(bytes(packet))
                copy.stream, copy.time_base = stream, MS
                copy.pts = copy.dts = int(packet.pts) * 1000 // 15
                copy.is_keyframe = packet.is_keyframe
                out.mux(copy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        write_tracks(path, args.minutes)
        tracks = sum(p.stat().st_size for p in path.glob("*.mkv"))
        started = time.perf_counter()
        done = finishing.finish(path)
        spent = time.perf_counter() - started
    print(json.dumps({
        "minutes": args.minutes,
        "tracks_bytes": tracks,
        "video_bytes": done.video_bytes,
        "audio_bytes": done.audio_bytes,
        "audio_mb_per_hour": round(done.audio_bytes / done.duration * 3600 / 1024 / 1024, 2),
        "duration_s": round(done.duration, 2),
        "finishing_s": round(spent, 2),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
