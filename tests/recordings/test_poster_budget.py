"""A recording's poster is decoded from a VP8 key frame whose size is whatever the sender's
encoder wrote: a frame over the picture budget is not decoded.

The poster step is run on its own, on a track whose container says 64 x 64. That the writer and
the finishing copy such a frame without allocating for its size, and that the engine no longer
keeps one over its bound, is test_passthrough_memory.py's."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

POSTER = """
import json, sys
from pathlib import Path
from intersession.recordings import finishing
folder = Path(sys.argv[1])
made = finishing._write_poster(finishing.tracks_in(folder), 0, folder / "poster.jpg")
# VmHWM, not ru_maxrss: the latter keeps the forking test process's size across exec.
status = Path("/proc/self/status").read_text().splitlines()
peak = int(next(line for line in status if line.startswith("VmHWM:")).split()[1]) / 1024
print(json.dumps({"made": made, "peak_mb": peak}))
"""


def camera_track(folder: Path, claimed: tuple[int, int]) -> None:
    """A camera's video track of key frames that say they are `claimed` pixels large."""
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = 64, 64, "yuv420p"
    encoder.time_base = Fraction(1, 30)
    black = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
    key = b"".join(bytes(p) for p in [*encoder.encode(black.reformat(format="yuv420p")),
                                      *encoder.encode(None)])  # fmt: skip
    key = key[:6] + struct.pack("<HH", *claimed) + key[10:]
    with av.open(str(folder / "0000000100-camera-video-abcdef.mkv"), "w", format="matroska") as out:
        stream = out.add_stream("libvpx", rate=30)
        stream.width, stream.height = 64, 64  # the muxer's libvpx context opens at this size
        stream.time_base = Fraction(1, 1000)
        for n in range(10):
            packet = av.Packet(key)
            packet.stream, packet.pts, packet.dts = stream, 100 + n * 500, 100 + n * 500
            packet.time_base = stream.time_base
            out.mux(packet)


def poster(folder: Path) -> dict[str, object]:
    run = subprocess.run([sys.executable, "-c", POSTER, str(folder)], capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    return dict(json.loads(run.stdout.strip().splitlines()[-1]))


def test_an_oversized_key_frame_is_not_decoded(tmp_path: Path) -> None:
    camera_track(tmp_path, (16000, 16000))  # 384 MB decoded, and libvpx tries
    result = poster(tmp_path)
    assert result["made"] is False and not (tmp_path / "poster.jpg").exists()
    assert float(result["peak_mb"]) < 150, result  # type: ignore[arg-type]


def test_a_key_frame_within_budget_still_makes_a_poster(tmp_path: Path) -> None:
    camera_track(tmp_path, (64, 64))
    result = poster(tmp_path)
    assert result["made"] is True and (tmp_path / "poster.jpg").stat().st_size > 0


def test_a_key_frame_whose_header_does_not_fit_its_data_makes_no_poster(tmp_path: Path) -> None:
    camera_track(tmp_path, (200, 200))  # within the budget, but the data is for 64 x 64
    result = poster(tmp_path)
    assert result["made"] is False and not (tmp_path / "poster.jpg").exists()
