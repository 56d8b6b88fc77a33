"""Copying VP8 packets into a file costs memory by the packets, not by the size their key frame
claims: the engine's writer and the finishing mux what was sent without opening an encoder. A
key frame claiming more than the engine records (the header allows 16383 x 16383) is left out.

Each run is a subprocess of its own, measured by its peak resident size (VmHWM) over what it held
once everything was imported."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from intersession.recordings import writer

RUN = """
import json, sys, time
from pathlib import Path
import av
from intersession.recordings import finishing, writer

def peak_mb():
    # VmHWM, not ru_maxrss: the latter keeps the forking test process's size across exec.
    status = Path("/proc/self/status").read_text().splitlines()
    return int(next(line for line in status if line.startswith("VmHWM:")).split()[1]) / 1024

mode, folder, key = sys.argv[1], Path(sys.argv[2]), bytes.fromhex(sys.argv[3])
baseline = peak_mb()
result = {}
if mode == "writer":
    stopped = []
    track = writer.TrackWriter(folder, "camera", "video", time.time(), 0, stopped.append)
    for n in range(10):
        packet = av.Packet(key)
        packet.pts = n * 3000  # RTP timestamps, 30 a second
        track.offer(packet)
    track.finish()
    track.join()
    result["stopped"] = stopped
else:
    result["has_video"] = finishing.finish(folder).has_video
result["grew_mb"] = peak_mb() - baseline
print(json.dumps(result))
"""
SLACK_MB = 150  # what muxing a few packets may cost; an encoder at 4000 x 4000 takes 400 MB


def key_frame(claimed: tuple[int, int]) -> bytes:
    """A real 64 x 64 VP8 key frame whose header says it is `claimed` pixels large."""
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = 64, 64, "yuv420p"
    encoder.time_base = Fraction(1, 30)
    black = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
    key = b"".join(bytes(p) for p in [*encoder.encode(black.reformat(format="yuv420p")),
                                      *encoder.encode(None)])  # fmt: skip
    return key[:6] + struct.pack("<HH", *claimed) + key[10:]


def run(mode: str, folder: Path, key: bytes) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", RUN, mode, str(folder), key.hex()],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def camera_track(folder: Path, key: bytes) -> None:
    """A camera track of key frames as an engine without the size check would have written it
    (so, here, without an encoder: the file is made the way the writer now makes its own)."""
    with av.open(str(folder / "0000000100-camera-video-abcdef.mkv"), "w", format="matroska") as out:
        stream = out.add_mux_stream("vp8", rate=30, width=64, height=64)
        stream.time_base = Fraction(1, 1000)
        for n in range(10):
            packet = av.Packet(key)
            packet.stream, packet.pts, packet.dts = stream, 100 + n * 100, 100 + n * 100
            packet.time_base = stream.time_base
            packet.is_keyframe = True
            out.mux(packet)


def picture_packets(path: Path) -> list[tuple[int, int, bytes]]:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        size = (video.codec_context.width, video.codec_context.height)
        return [(*size, bytes(p)) for p in container.demux(video) if p.size]


def test_the_writer_copies_a_large_key_frame_without_an_encoder(tmp_path: Path) -> None:
    key = key_frame((4000, 4000))  # 400 MB with a libvpx encoder opened at that size
    result = run("writer", tmp_path, key)
    assert result["stopped"] == []
    assert float(result["grew_mb"]) < SLACK_MB, result  # type: ignore[arg-type]
    (track,) = tmp_path.glob("*-camera-video-*.mkv")
    assert picture_packets(track) == [(4000, 4000, key)] * 10  # every packet, as sent


def test_the_writer_leaves_out_a_key_frame_over_the_bound(tmp_path: Path) -> None:
    key = key_frame((16000, 16000))  # 6.5 GB with a libvpx encoder opened at that size
    assert writer.vp8_size(key) == (16000, 16000) and not writer.recordable((16000, 16000))
    result = run("writer", tmp_path, key)
    assert float(result["grew_mb"]) < SLACK_MB, result  # type: ignore[arg-type]
    assert not list(tmp_path.glob("*.mkv"))  # not one packet of it was kept


def test_the_finishing_copies_a_large_key_frame_without_an_encoder(tmp_path: Path) -> None:
    key = key_frame((4000, 4000))
    camera_track(tmp_path, key)
    result = run("finishing", tmp_path, key)
    assert result["has_video"] is True
    assert float(result["grew_mb"]) < SLACK_MB, result  # type: ignore[arg-type]
    assert picture_packets(tmp_path / "lesson.webm") == [(4000, 4000, key)] * 10


def test_the_finishing_leaves_out_a_recorded_key_frame_over_the_bound(tmp_path: Path) -> None:
    key = key_frame((16000, 16000))
    camera_track(tmp_path, key)  # a track kept before the engine checked sizes
    result = run("finishing", tmp_path, key)
    assert result["has_video"] is False  # the voice only, and no poster
    assert float(result["grew_mb"]) < SLACK_MB, result  # type: ignore[arg-type]
    assert not (tmp_path / "poster.jpg").exists()


def test_the_writer_goes_on_at_the_next_key_frame_within_the_bound(tmp_path: Path) -> None:
    large, small = key_frame((16000, 16000)), key_frame((64, 64))
    inter = b"\x01" + bytes(40)  # the lowest bit set: predicted from the key frame before it
    stopped: list[str] = []
    track = writer.TrackWriter(tmp_path, "screen", "video", time.time(), 0, stopped.append)
    for n, data in enumerate([large, inter, inter, small, inter, large, inter, small]):
        packet = av.Packet(data)
        packet.pts = n * 3000
        track.offer(packet)
    track.finish()
    track.join()
    assert stopped == []
    (kept,) = tmp_path.glob("*-screen-video-*.mkv")
    assert [data for _w, _h, data in picture_packets(kept)] == [small, inter, small]
