"""One listener on a rural link, ten on a clean one: what each receives when the advisor's camera
comes in one encoding and when it comes in two (full and small, as the page sends it), side by
side in one run.

The engine (MediaRoom) works in a process of its own; the publisher (aiortc: a grainy moving
picture at 640x360, 30 fps, capped at 500 kbit/s as the lesson's camera; with two encodings also
320x180 at 15 fps capped at 120 kbit/s, as room.js sends it; and Opus), the listeners and the link
run here. The weak listener's datagrams cross `LinkRelay` (tests/media/peers.py): 256 kbit/s
toward it through a 40-packet queue, 200 ms each way, 5% lost at random both ways (this kernel
has no netem). Its client gives up on lost packets at the next key frame and asks for one when
stuck, as a browser does. The measured 30 s start 8 s after it joined (the engine needs a few
seconds to see that its link does not carry the full picture). Then the link is cut for 5 s and
restored.

    .venv/bin/python bench/weak_link.py [--seconds 30] [--runs 2] [--encodings 2]
    .venv/bin/python bench/weak_link.py --pages [CHECKOUT ...]    (bench/pages.py)
    .venv/bin/python bench/weak_link.py --upload [CHECKOUT ...] [--upload-kbps 512] (bench/uploads.py)

One JSON line per run: encodings 1 or 2; the weak listener's audio on time (the share of the
Opus frames sent that reached its machine within 400 ms of the fastest one's delay, a jitter
buffer's reach: judged at the link's end, as a browser plays it), decoded video fps and longest
freeze, how many of the seconds it was on the full picture, the small one or sound only; the clean listeners' fps_min; key frames
asked of the publisher, the link's losses and overflows; reconnect_s (from the link's return to
the first decoded picture and sound). The last line: per variant, the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench.room_load import Engine
from intersession.rooms.media import passthrough
from tests.media.peers import Collector, LinkRelay, start_two_encoding_publisher

CLEAN_LISTENERS = 10
JITTER_BUDGET = 0.4
OPUS_FRAME = 960  # 20 ms at 48 kHz


class RoomOnPipe:
    """The calls Collector.join makes, on the engine's process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def publish(self, offer_sdp: str, source_id: str = "main") -> str:
        return str(await self.engine.call("publish", offer_sdp, source_id))

    async def wait_for_tracks(self, source_id: str, count: int) -> None:
        await self.engine.call("wait_for_tracks", source_id, count)

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


def audio_on_time(delivered: list[tuple[float, int, int]], begin: float, end: float) -> float:
    inside = sorted((when, stamp) for when, _seq, stamp in delivered if begin <= when <= end)
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


def picture_of(counters: dict[str, int]) -> str:
    """The weak listener's picture (the clean ones stay on the full one)."""
    if counters["sound_only"]:
        return "none"
    return "small" if counters["small_pictures"] else "full"


async def one_run(encodings: int, seconds: float) -> dict[str, Any]:
    engine = Engine()
    room = RoomOnPipe(engine)
    publisher = await start_two_encoding_publisher(
        room, full_kbps=500, small_kbps=120, encodings=encodings
    )
    await asyncio.sleep(1)
    link = LinkRelay(kbps=256, delay=0.2, loss=0.05)
    await link.start()
    weak = Collector()
    await weak.join(room, "weak", relay=link)  # type: ignore[arg-type]
    clean = [Collector() for _ in range(CLEAN_LISTENERS)]
    for index, listener in enumerate(clean):
        await listener.join(room, f"clean-{index}")  # type: ignore[arg-type]
    await asyncio.sleep(8)  # connected, and the weak listener's picture chosen
    counted = await engine.call("counters")
    lost_before, overflowed_before = link.lost, link.overflowed
    begin = time.monotonic()
    seconds_on = {"full": 0, "small": 0, "none": 0}  # the weak listener's picture, each second
    while time.monotonic() < begin + seconds:
        await asyncio.sleep(1)
        now = await engine.call("counters")
        seconds_on[picture_of(now)] += 1
    end = time.monotonic()
    counters = await engine.call("counters")
    lost, overflowed = link.lost - lost_before, link.overflowed - overflowed_before
    link.cut()
    await asyncio.sleep(5)
    link.restore()
    restored = time.monotonic()
    await asyncio.sleep(12)
    fps, freeze = video_figures(weak, begin, end)
    picture = [t for t in weak.decoded_frame_times() if t > restored]
    sound = [t for t, _seq, _stamp in link.delivered["audio"] if t > restored]
    back = max(picture[0], sound[0]) - restored if picture and sound else None
    result = {
        "encodings": encodings,
        "weak_audio_on_time": round(audio_on_time(link.delivered["audio"], begin, end), 3),
        "weak_video_fps": round(fps, 1),
        "weak_longest_freeze_s": round(freeze, 2),
        "weak_seconds_on": seconds_on,
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


def pages_of(checkouts: list[Path]) -> None:
    from bench.pages import measure

    lines = []
    for root in checkouts:
        for line in measure(root.resolve(), root.name):
            print(json.dumps(line), flush=True)
            lines.append(line)
    summary: dict[str, Any] = {"summary": True}
    for root in checkouts:
        for visit in ("first", "repeat"):
            mine = [
                line for line in lines if line["checkout"] == root.name and line["visit"] == visit
            ]
            summary[f"{root.name}_{visit}_bytes_max"] = max(line["bytes"] for line in mine)
            summary[f"{root.name}_{visit}_usable_s_max"] = max(line["usable_s"] for line in mine)
    print(json.dumps(summary), flush=True)


def upload_of(checkouts: list[Path], kbps: int, runs: int) -> None:
    from bench.uploads import measure_upload

    lines = []
    for _ in range(runs):
        for root in checkouts:  # interleaved: the machine's load falls on both alike
            line = measure_upload(root.resolve(), root.name, kbps)
            print(json.dumps(line), flush=True)
            lines.append(line)
    summary: dict[str, Any] = {"summary": True, "upload_kbps": kbps}
    for root in checkouts:
        mine = [line for line in lines if line["checkout"] == root.name]
        summary[f"{root.name}_seconds_max"] = max(line["seconds"] for line in mine)
        summary[f"{root.name}_sent_twice_share_max"] = max(
            line["sent_twice_share"] for line in mine
        )
    print(json.dumps(summary), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--pages", nargs="*", metavar="CHECKOUT",
        help="measure the pupil's pages instead (bench/pages.py): of this checkout, or of each "
        "checkout given (e.g. a worktree of the commit before a change)",
    )  # fmt: skip
    parser.add_argument(
        "--upload", nargs="*", metavar="CHECKOUT",
        help="measure a 5 MB answer sent over a link that drops twice (bench/uploads.py), of "
        "this checkout or of each given",
    )  # fmt: skip
    parser.add_argument("--upload-kbps", type=int, default=512, help="the uplink for --upload")
    parser.add_argument(
        "--encodings", type=int, choices=(1, 2), action="append",
        help="the variants to run (both unless given)",
    )  # fmt: skip
    options = parser.parse_args()
    if options.pages is not None:
        pages_of([Path(p) for p in options.pages] or [Path(__file__).resolve().parent.parent])
        return
    if options.upload is not None:
        here = [Path(__file__).resolve().parent.parent]
        upload_of([Path(p) for p in options.upload] or here, options.upload_kbps, options.runs)
        return
    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])
    variants = sorted(set(options.encodings or (1, 2)), reverse=True)
    results = []
    for _ in range(options.runs):
        for encodings in variants:  # interleaved: the machine's load falls on both alike
            result = asyncio.run(one_run(encodings, options.seconds))
            print(json.dumps(result), flush=True)
            results.append(result)
    summary: dict[str, Any] = {"summary": True}
    for encodings in variants:
        runs = [r for r in results if r["encodings"] == encodings]
        figures: dict[str, Any] = {
            key: statistics.median(r[key] for r in runs if r[key] is not None)
            for key in runs[0]
            if key not in ("encodings", "weak_seconds_on") and any(r[key] is not None for r in runs)
        }
        figures["weak_seconds_on"] = [r["weak_seconds_on"] for r in runs]
        summary["two_encodings" if encodings == 2 else "one_encoding"] = figures
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
