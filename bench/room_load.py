"""Load on the media engine: one publisher, N listeners, all aiortc peers on loopback.

The engine (MediaRoom, the code the live room runs) works in a child process of its own, as a media
worker would, driven over a pipe; this process holds the publisher and the listeners. The publisher
sends 640x360 VP8 at 30 fps with its capture time painted into each frame, plus Opus. Every
listener counts the frames it receives; one of them (the probe) also decodes every frame and reads
the painted time, which gives capture-to-decode latency.

    .venv/bin/python bench/room_load.py            # N = 1, 5, 10, 20, 40
    .venv/bin/python bench/room_load.py --n 40 --runs 5

One JSON line per run: n, worker_cpu (core-seconds per second of the engine's process), fps_min,
fps_mean, latency_p50_ms, latency_p95_ms, rss_mb.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import av
import numpy as np
from aiortc import (
    AudioStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)

from intersession.rooms.media import passthrough

WIDTH, HEIGHT, BITS, CELL = 640, 360, 32, 16
WARMUP, MEASURE = 4.0, 10.0


# -- the engine's process ----------------------------------------------------------------------


def engine_process(pipe: Connection) -> None:
    """Serve MediaRoom calls from the pipe until told to stop."""
    from intersession.rooms.media.room import MediaRoom

    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])

    async def serve() -> None:
        room = MediaRoom([])
        loop = asyncio.get_running_loop()
        while True:
            request = await loop.run_in_executor(None, pipe.recv)
            op, args = request
            if op == "stop":
                await room.close()
                pipe.send(None)
                return
            try:
                pipe.send(await getattr(room, op)(*args))
            except Exception as error:  # handed back to the bench
                pipe.send(error)

    asyncio.run(serve())


class Engine:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=engine_process, args=(child,), daemon=True)
        self.process.start()

    async def call(self, op: str, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        self.pipe.send((op, args))
        result = await loop.run_in_executor(None, self.pipe.recv)
        if isinstance(result, Exception):
            raise result
        return result

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0


# -- the publisher and the listeners ------------------------------------------------------------


class ClockCamera(VideoStreamTrack):
    """640x360 at 30 fps; the capture time (ms, 32 bits) painted as black and white cells."""

    def __init__(self) -> None:
        super().__init__()
        self.started = time.monotonic()

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        stamp = int((time.monotonic() - self.started) * 1000) & 0xFFFFFFFF
        image = np.full((HEIGHT, WIDTH, 3), 96, dtype=np.uint8)
        image[CELL * 3 :, :, 1] = (pts // 3000) % 200  # some motion for the encoder
        for bit in range(BITS):
            value = 255 if stamp >> (BITS - 1 - bit) & 1 else 0
            image[0:CELL, bit * CELL + 64 : (bit + 1) * CELL + 64] = value
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        return frame


def read_stamp(frame: av.VideoFrame) -> int:
    luma = frame.to_ndarray(format="gray")
    stamp = 0
    for bit in range(BITS):
        centre = luma[CELL // 2, bit * CELL + 64 + CELL // 2]
        stamp = stamp << 1 | (1 if centre > 128 else 0)
    return stamp


class Listener:
    def __init__(self, started: float, probe: bool) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.started, self.probe = started, probe
        self.frames: list[float] = []
        self.latencies: list[float] = []
        self.decoder = av.CodecContext.create("vp8", "r") if probe else None
        self.tasks: list[asyncio.Task[None]] = []

        @self.pc.on("track")
        def on_track(track: Any) -> None:
            self.tasks.append(asyncio.ensure_future(self.read(track)))

    async def read(self, track: Any) -> None:
        while True:
            try:
                packet = await track.recv()
            except Exception:
                return
            if track.kind != "video":
                continue
            now = time.monotonic()
            self.frames.append(now)
            if self.decoder is not None:
                for frame in self.decoder.decode(av.Packet(bytes(packet))):
                    painted = read_stamp(frame)
                    elapsed = int((now - self.started) * 1000) & 0xFFFFFFFF
                    self.latencies.append(((elapsed - painted) & 0xFFFFFFFF) / 1.0)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await self.pc.close()


async def one_run(n: int) -> dict[str, Any]:
    engine = Engine()
    publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    camera = ClockCamera()
    publisher.addTrack(AudioStreamTrack())
    publisher.addTrack(camera)
    await publisher.setLocalDescription(await publisher.createOffer())
    answer = await engine.call("publish", publisher.localDescription.sdp)
    await publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    await engine.call("wait_for_tracks", "main", 2)
    listeners = [Listener(camera.started, probe=index == 0) for index in range(n)]
    for index, listener in enumerate(listeners):
        offer = await engine.call("subscribe", f"listener-{index}")
        await listener.pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        await listener.pc.setLocalDescription(await listener.pc.createAnswer())
        await engine.call("accept_answer", f"listener-{index}", listener.pc.localDescription.sdp)
    await asyncio.sleep(WARMUP)
    cpu_before, begin = engine.cpu_seconds(), time.monotonic()
    for listener in listeners:
        listener.latencies.clear()
    await asyncio.sleep(MEASURE)
    end = time.monotonic()
    cpu = (engine.cpu_seconds() - cpu_before) / (end - begin)
    fps = [
        sum(begin <= t <= end for t in listener.frames) / (end - begin) for listener in listeners
    ]
    latencies = sorted(listeners[0].latencies)
    result = {
        "n": n,
        "worker_cpu": round(cpu, 3),
        "fps_min": round(min(fps), 1),
        "fps_mean": round(statistics.fmean(fps), 1),
        "latency_p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
        "latency_p95_ms": round(latencies[int(len(latencies) * 0.95)], 1) if latencies else None,
        "rss_mb": round(engine.rss_mb(), 1),
    }
    for listener in listeners:
        await listener.close()
    await publisher.close()
    await engine.call("stop")
    engine.process.join(timeout=10)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="*", default=[1, 5, 10, 20, 40])
    parser.add_argument("--runs", type=int, default=1)
    options = parser.parse_args()
    passthrough.install()  # listeners get packets; the probe decodes them itself
    passthrough.gather_only(["127.0.0.1"])
    for n in options.n:
        for _ in range(options.runs):
            print(json.dumps(asyncio.run(one_run(n))), flush=True)


if __name__ == "__main__":
    main()
