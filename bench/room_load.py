"""Load on the media engine: one publisher, N listeners, all aiortc peers on loopback.

The engine (MediaRoom, the code the live room runs) works in a child process of its own, as a media
worker would, driven over a pipe; this process holds the publisher and the listeners. The publisher
sends 640x360 VP8 at 30 fps with its capture time painted into each frame, plus Opus. Every
listener counts the frames it receives; one of them (the probe) also decodes every frame and reads
the painted time, which gives capture-to-decode latency.

    .venv/bin/python bench/room_load.py            # N = 1, 5, 10, 20, 40
    .venv/bin/python bench/room_load.py --n 40 --runs 5
    .venv/bin/python bench/room_load.py --n 1 10 20 --runs 3 --compare-receivers

One JSON line per run: n, worker_cpu (core-seconds per second of the engine's process), fps_min,
fps_mean, latency_p50_ms, latency_p95_ms (video, capture to decode), sound_p50_ms and sound_p95_ms
(a sound packet from the publisher's send to the probe's track), rss_mb. The sound is Opus-framed
packets that carry their send time (the engine forwards them as they are).

`--compare-receivers` runs each point three times, interleaved, with the engine's receivers as
aiortc makes them ("aiortc": a frame waits for a packet of the next one, then crosses to a decoder
thread and back), with prompt reassembly only (reassembly.py, "prompt") and as the engine has them
(prompt, and handed to the track on the loop: handoff.py, "ours"); the listeners are always as the
engine's, as browsers are prompt. The last line is a summary: per N, the medians of each and the
ratios to "aiortc".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import struct
import sys
import time
from fractions import Fraction
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import av
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)

from intersession.rooms.media import passthrough

WIDTH, HEIGHT, BITS, CELL = 640, 360, 32, 16
WARMUP, MEASURE = 4.0, 10.0


# -- the engine's process ----------------------------------------------------------------------


ARMS = ["aiortc", "prompt", "ours"]


def receivers_as(arm: str) -> None:
    """Install the engine's receivers (passthrough.install), or put some of aiortc's back."""
    import queue

    import aiortc.jitterbuffer
    import aiortc.rtcrtpreceiver as receiver

    decoder_worker = receiver.decoder_worker  # aiortc's, before the engine's stand-in
    passthrough.install()
    if arm in ("aiortc", "prompt"):  # aiortc's decoder thread, given encoded frames as before
        receiver.queue = queue
        receiver.decoder_worker = decoder_worker
        receiver.get_decoder = lambda codec: EncodedFrames(codec.clockRate)  # type: ignore[assignment, return-value]
    if arm == "aiortc":
        receiver.JitterBuffer = aiortc.jitterbuffer.JitterBuffer  # type: ignore[misc]


class EncodedFrames:
    """A decoder for aiortc's decoder thread that hands the encoded frame on."""

    def __init__(self, clock_rate: int) -> None:
        self.time_base = Fraction(1, clock_rate)

    def decode(self, encoded_frame: Any) -> list[av.Packet]:
        packet = av.Packet(encoded_frame.data)
        packet.pts, packet.time_base = encoded_frame.timestamp, self.time_base
        return [packet]


def engine_process(pipe: Connection, arm: str) -> None:
    """Serve MediaRoom calls from the pipe until told to stop."""
    serve_room(pipe, arm, ["127.0.0.1"])


def serve_room(pipe: Connection, arm: str, addresses: list[str]) -> None:
    """The engine's side: a MediaRoom gathering on `addresses`, its calls read from the pipe."""
    receivers_as(arm)
    passthrough.gather_only(addresses)
    from intersession.rooms.media.room import MediaRoom

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
    def __init__(self, arm: str = "ours", target: Any = engine_process) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=target, args=(child, arm), daemon=True)
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


class InProcessEngine:
    """The engine on a thread of this process, as the web process runs it today: it shares the
    interpreter (and its lock) with the publisher and the 40 listeners. For comparison only."""

    def __init__(self) -> None:

        from intersession.rooms.media.engine import MediaEngine

        self.engine = MediaEngine([], ["127.0.0.1"])
        self.thread_id = self.engine.thread.native_id

    async def call(self, op: str, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        room = self.engine.room(1)
        return await loop.run_in_executor(
            None, lambda: self.engine.call(lambda: getattr(room, op)(*args))
        )

    def cpu_seconds(self) -> float:
        """The engine's loop thread only (its packetizing and forwarding)."""
        stat = Path(f"/proc/self/task/{self.thread_id}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        return 0.0

    def stop(self) -> None:
        self.engine.stop()


# -- the publisher and the listeners ------------------------------------------------------------


class ClockCamera(VideoStreamTrack):
    """640x360 at 30 fps; the capture time (ms, 32 bits) painted as black and white cells."""

    def __init__(self) -> None:
        super().__init__()
        self.started = time.monotonic()

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        stamp = int((time.monotonic() - self.started) * 1000) & 0xFFFFFFFF
        frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
        luma, stride = frame.planes[0], frame.planes[0].line_size
        rows = bytearray([96]) * (stride * HEIGHT)
        shade = (pts // 3000) % 200  # some motion below the stamp, for the encoder
        rows[stride * CELL * 3 :] = bytes([shade]) * (stride * (HEIGHT - CELL * 3))
        for bit in range(BITS):
            value = 255 if stamp >> (BITS - 1 - bit) & 1 else 0
            left = bit * CELL + 64
            for y in range(CELL):
                rows[y * stride + left : y * stride + left + CELL] = bytes([value]) * CELL
        luma.update(bytes(rows))
        for chroma in frame.planes[1:]:
            chroma.update(bytes([128]) * (chroma.line_size * (HEIGHT // 2)))
        frame.pts, frame.time_base = pts, time_base
        return frame


class StampedSound(MediaStreamTrack):
    """Opus-framed packets every 20 ms, each carrying the time it was sent (a float after the
    table-of-contents byte of a silent frame)."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.started = time.monotonic()

    async def recv(self) -> av.Packet:
        self.count += 1
        await asyncio.sleep(max(0.0, self.started + self.count * 0.02 - time.monotonic()))
        packet = av.Packet(b"\xf8" + struct.pack(">d", time.monotonic()))
        packet.pts, packet.time_base = self.count * 960, Fraction(1, 48000)
        return packet


def read_stamp(frame: av.VideoFrame) -> int:
    luma, stride = bytes(frame.planes[0]), frame.planes[0].line_size
    stamp = 0
    for bit in range(BITS):
        centre = luma[(CELL // 2) * stride + bit * CELL + 64 + CELL // 2]
        stamp = stamp << 1 | (1 if centre > 128 else 0)
    return stamp


class Listener:
    def __init__(self, started: float, probe: bool) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.started, self.probe = started, probe
        self.frames: list[float] = []
        self.latencies: list[float] = []
        self.read_at: list[float] = []  # when each latency was read
        self.sound_latencies: list[float] = []
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
            now = time.monotonic()
            if track.kind != "video":
                data = bytes(packet)
                if self.probe and len(data) == 9:
                    self.sound_latencies.append((now - struct.unpack(">d", data[1:])[0]) * 1000)
                continue
            self.frames.append(now)
            if self.decoder is not None:
                try:
                    frames = self.decoder.decode(av.Packet(bytes(packet)))
                except av.error.InvalidDataError:  # before the first key frame
                    continue
                for frame in frames:
                    painted = read_stamp(frame)
                    elapsed = int((now - self.started) * 1000) & 0xFFFFFFFF
                    self.latencies.append(((elapsed - painted) & 0xFFFFFFFF) / 1.0)
                    self.read_at.append(now)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await self.pc.close()


async def one_run(n: int, in_process: bool = False, arm: str = "ours") -> dict[str, Any]:
    engine: Any = InProcessEngine() if in_process else Engine(arm)
    publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    camera = ClockCamera()
    publisher.addTrack(StampedSound())
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
    counted = await engine.call("counters")
    cpu_before, begin = engine.cpu_seconds(), time.monotonic()
    for listener in listeners:
        listener.latencies.clear()
        listener.read_at.clear()
        listener.sound_latencies.clear()
    await asyncio.sleep(MEASURE)
    end = time.monotonic()
    cpu = (engine.cpu_seconds() - cpu_before) / (end - begin)
    counters = await engine.call("counters")
    fps = [
        sum(begin <= t <= end for t in listener.frames) / (end - begin) for listener in listeners
    ]
    latencies = sorted(listeners[0].latencies)
    sound = sorted(listeners[0].sound_latencies)
    result = {
        "n": n,
        "worker_cpu": round(cpu, 3),
        "fps_min": round(min(fps), 1),
        "fps_mean": round(statistics.fmean(fps), 1),
        "latency_p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
        "latency_p95_ms": round(latencies[int(len(latencies) * 0.95)], 1) if latencies else None,
        "sound_p50_ms": round(sound[len(sound) // 2], 1) if sound else None,
        "sound_p95_ms": round(sound[int(len(sound) * 0.95)], 1) if sound else None,
        "rss_mb": round(engine.rss_mb(), 1),
        # While measuring: key frames asked of the publisher, packets dropped for slow listeners.
        "keyframes": counters["keyframes_asked"] - counted["keyframes_asked"],
        "dropped": counters["dropped"] - counted["dropped"],
    }
    for listener in listeners:
        await listener.close()
    await publisher.close()
    if in_process:
        engine.stop()
    else:
        await engine.call("stop")
        engine.process.join(timeout=10)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="*", default=[1, 5, 10, 20, 40])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--in-process", action="store_true", help="the engine on a thread of the bench's process"
    )
    parser.add_argument(
        "--compare-receivers", action="store_true", help="aiortc's receivers against the engine's"
    )
    options = parser.parse_args()
    passthrough.install()  # listeners get packets; the probe decodes them itself
    passthrough.gather_only(["127.0.0.1"])
    arms = ARMS if options.compare_receivers else ["ours"]
    results: list[dict[str, Any]] = []
    for n in options.n:
        for _ in range(options.runs):
            for arm in arms:
                result = asyncio.run(one_run(n, options.in_process, arm))
                result |= {"receivers": arm} | ({"in_process": True} if options.in_process else {})
                results.append(result)
                print(json.dumps(result), flush=True)
    if options.compare_receivers:
        print(json.dumps({"summary": compared(results, options.n)}), flush=True)


def compared(results: list[dict[str, Any]], points: list[int]) -> list[dict[str, Any]]:
    """Per N: the medians of each arm's figures, and their ratios to aiortc's receivers'."""
    summary = []
    for n in points:
        row: dict[str, Any] = {"n": n}
        for figure in ("worker_cpu", "latency_p50_ms", "sound_p50_ms", "fps_min"):
            medians = {}
            for arm in ARMS:
                values = [r[figure] for r in results if r["n"] == n and r["receivers"] == arm]
                values = [v for v in values if v is not None]
                medians[arm] = round(statistics.median(values), 3) if values else None
                row[f"{figure}_{arm}"] = medians[arm]
            for arm in ARMS[1:]:
                if medians["aiortc"] and medians[arm] is not None:
                    row[f"{figure}_ratio_{arm}"] = round(medians[arm] / medians["aiortc"], 3)
        summary.append(row)
    return summary


if __name__ == "__main__":
    main()
