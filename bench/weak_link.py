"""One listener on a rural link, ten on a clean one: what each receives, with the engine's bounds
on a weak link's demands (retransmissions, key frames) on and off, side by side in one run.

The engine (MediaRoom) works in a process of its own; the publisher (aiortc, 640x360 VP8 and
Opus), the listeners and the link run here. The weak listener's datagrams cross `LinkRelay`
(tests/media/peers.py): 256 kbit/s toward it through a 40-packet queue, 200 ms each way, 5% lost
at random both ways (this kernel has no netem). After the measured 30 s the link is cut for 5 s
and restored.

    .venv/bin/python bench/weak_link.py [--seconds 30] [--runs 2]

One JSON line per run: bounds on/off; the weak listener's audio on time (the share of the Opus
frames sent that arrived within 400 ms of the fastest one's delay: a jitter buffer's reach),
decoded video fps and longest freeze, the clean listeners' fps_min; key frames asked of the
publisher, the link's losses and overflows; reconnect_s (from the link's
return to the first key frame and sound). The last line: per variant, the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
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
from aiortc import AudioStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from bench.room_load import CELL, HEIGHT, ClockCamera, Engine
from intersession.rooms.media import passthrough
from tests.media.peers import Collector, LinkRelay

CLEAN_LISTENERS = 10
JITTER_BUDGET = 0.4
OPUS_FRAME = 960  # 20 ms at 48 kHz


class BusyCamera(ClockCamera):
    """The painted clock above, noise below: a picture the encoder cannot squeeze, so the
    publisher sends what it is set to (800 kbit/s) as a real classroom camera would."""

    async def recv(self) -> av.VideoFrame:
        frame = await super().recv()
        luma = frame.planes[0]
        rows = bytearray(bytes(luma))
        top = luma.line_size * (CELL * 3 + HEIGHT // 3)
        rows[top:] = os.urandom(len(rows) - top)
        luma.update(bytes(rows))
        return frame


def engine_process(pipe: Connection, bounded: bool) -> None:
    """The engine as it is, or with its bounds on a weak link's demands switched off."""
    if not bounded:
        from intersession.rooms.media import forwarding

        forwarding.RETRANSMIT_SHARE = forwarding.RETRANSMIT_BURST = 10**9  # every NACK answered
        forwarding.KEYFRAME_RECOVERY = forwarding.KEYFRAME_INTERVAL  # key frames as fast as asked

        def lost_picture(track: forwarding.ListenerTrack) -> None:
            # As before the bounds: deltas go on being sent, and the publisher is asked at once.
            fanout = track._on_fell_behind.__self__  # type: ignore[attr-defined]
            fanout.keyframe_needed()

        forwarding.ListenerTrack.lost_picture = lost_picture  # type: ignore[method-assign]
    from bench.room_load import engine_process as serve

    serve(pipe)


class VariantEngine(Engine):
    def __init__(self, bounded: bool) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=engine_process, args=(child, bounded), daemon=True)
        self.process.start()


class RoomOnPipe:
    """The calls Collector.join makes, on the engine's process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def subscribe(self, listener_id: str, source_id: str = "main") -> str:
        return str(await self.engine.call("subscribe", listener_id, source_id))

    async def accept_answer(self, listener_id: str, answer: str, source_id: str = "main") -> None:
        await self.engine.call("accept_answer", listener_id, answer, source_id)


def unwrapped(stamps: list[int]) -> list[int]:
    """RTP timestamps (32 bits) made monotonic across a wrap."""
    out, offset, last = [], 0, None
    for stamp in stamps:
        if last is not None and stamp < last - 2**31:
            offset += 2**32
        last = stamp
        out.append(stamp + offset)
    return out


def audio_on_time(packets: list[tuple[float, Any]], begin: float, end: float) -> float:
    inside = [(when, int(p.pts)) for when, p in packets if begin <= when <= end]
    if len(inside) < 2:
        return 0.0
    stamps = unwrapped([stamp for _, stamp in inside])
    delays = [when - stamp / 48000 for (when, _), stamp in zip(inside, stamps, strict=True)]
    fastest = min(delays)
    sent = (max(stamps) - min(stamps)) // OPUS_FRAME + 1
    on_time = len({s for s, d in zip(stamps, delays, strict=True) if d <= fastest + JITTER_BUDGET})
    return min(1.0, on_time / sent)


def video_figures(listener: Collector, begin: float, end: float) -> tuple[float, float]:
    """Decoded frames per second, and the longest time without a new picture."""
    times = [t for t in listener.decoded_frame_times() if begin <= t <= end]
    edges = [begin, *times, end]
    longest = max(later - earlier for earlier, later in itertools.pairwise(edges))
    return len(times) / (end - begin), longest


async def one_run(bounded: bool, seconds: float) -> dict[str, Any]:
    engine = VariantEngine(bounded)
    room = RoomOnPipe(engine)
    publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    publisher.addTrack(BusyCamera())
    publisher.addTrack(AudioStreamTrack())
    await publisher.setLocalDescription(await publisher.createOffer())
    answer = await engine.call("publish", publisher.localDescription.sdp)
    await publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    await engine.call("wait_for_tracks", "main", 2)
    await asyncio.sleep(1)
    for sender in publisher.getSenders():  # aiortc's encoder starts at 500 kbit/s
        encoder = getattr(sender, "_RTCRtpSender__encoder", None)
        if encoder is not None and hasattr(encoder, "target_bitrate"):
            encoder.target_bitrate = 800_000
    link = LinkRelay(kbps=256, delay=0.2, loss=0.05)
    await link.start()
    weak = Collector()
    await weak.join(room, "weak", relay=link)  # type: ignore[arg-type]
    clean = [Collector() for _ in range(CLEAN_LISTENERS)]
    for index, listener in enumerate(clean):
        await listener.join(room, f"clean-{index}")  # type: ignore[arg-type]
    await asyncio.sleep(4)  # connected, and a first picture
    counted = await engine.call("counters")
    begin = time.monotonic()
    await asyncio.sleep(seconds)
    end = time.monotonic()
    counters = await engine.call("counters")
    lost, overflowed = link.lost, link.overflowed
    link.cut()
    await asyncio.sleep(5)
    link.restore()
    restored = time.monotonic()
    # As a browser whose decoder lost its picture: a key-frame request a second until one comes.
    video = next(r for r in weak.pc.getReceivers() if r.track.kind == "video")
    ssrc = video.getSynchronizationSources()[0].source
    for _ in range(12):
        if any(w > restored and passthrough.is_vp8_keyframe(p) for w, p in weak.packets["video"]):
            break
        await video._send_rtcp_pli(ssrc)
        await asyncio.sleep(1)
    await asyncio.sleep(1)
    fps, freeze = video_figures(weak, begin, end)
    picture = [
        w for w, p in weak.packets["video"] if w > restored and passthrough.is_vp8_keyframe(p)
    ]
    sound = [w for w, _ in weak.packets["audio"] if w > restored]
    back = max(picture[0], sound[0]) - restored if picture and sound else None
    result = {
        "bounded": bounded,
        "weak_audio_on_time": round(audio_on_time(weak.packets["audio"], begin, end), 3),
        "weak_video_fps": round(fps, 1),
        "weak_longest_freeze_s": round(freeze, 2),
        "others_fps_min": round(
            min(
                sum(begin <= w <= end for w, _ in listener.packets["video"]) / (end - begin)
                for listener in clean
            ),
            1,
        ),
        "keyframes": counters["keyframes_asked"] - counted["keyframes_asked"],
        "link_lost": lost,
        "link_overflowed": overflowed,
        "reconnect_s": round(back, 2) if back is not None else None,
    }
    for listener in [weak, *clean]:
        await listener.close()
    await link.close()
    await publisher.close()
    await engine.call("stop")
    engine.process.join(timeout=10)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=2)
    options = parser.parse_args()
    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])
    results = []
    for _ in range(options.runs):
        for bounded in (True, False):  # interleaved: the machine's load falls on both alike
            result = asyncio.run(one_run(bounded, options.seconds))
            print(json.dumps(result), flush=True)
            results.append(result)
    summary: dict[str, Any] = {"summary": True}
    for bounded in (True, False):
        runs = [r for r in results if r["bounded"] is bounded]
        summary["bounded" if bounded else "unbounded"] = {
            key: statistics.median(r[key] for r in runs if r[key] is not None)
            for key in runs[0]
            if key != "bounded" and any(r[key] is not None for r in runs)
        }
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
