"""Listeners as a lesson has them, against the engine in a media-worker process: a class that joins
at once all get a picture, a listener on a long round trip is kept, and one that goes is let go."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from intersession.rooms.media import consent, passthrough
from intersession.rooms.media.room import MediaRoom
from intersession.rooms.media.workers import MediaWorkers
from tests.media.peers import Collector, DelayRelay, WorkerRoom, run_in_loop, start_publisher

pytestmark = pytest.mark.media


def _loopback_peers() -> None:
    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])


def test_ten_listeners_joining_together_all_get_a_picture(workers: MediaWorkers) -> None:
    """A class at the start of a lesson: ten listeners whose joins start within 100 ms, well after
    the publisher's first key frame. Each one must decode video within 1 s of joining."""
    _loopback_peers()

    async def scenario() -> list[dict[str, float | None]]:
        room = WorkerRoom(workers, 11)
        publisher = await start_publisher(room, "camera")
        await asyncio.sleep(1.5)  # the lesson is on: the first key frame is long past
        listeners = [Collector() for _ in range(10)]

        async def join(index: int) -> tuple[float, float]:
            await asyncio.sleep(index * 0.01)
            asked = time.monotonic()
            return asked, await listeners[index].join(room, f"pupil-{index}", "camera")

        joins = await asyncio.gather(*(join(index) for index in range(10)))
        await asyncio.sleep(3)
        figures = []
        for (asked, joined), listener in zip(joins, listeners, strict=True):
            frames = listener.decoded_frame_times()
            figures.append({
                "asked_at": asked - joins[0][0],
                "first_frame_after_join": frames[0] - joined if frames else None,
                "first_frame_after_asking": frames[0] - asked if frames else None,
                "frames": len(frames),
            })  # fmt: skip
        for listener in listeners:
            await listener.close()
        await publisher.close()
        room.close()
        return figures

    figures = run_in_loop(scenario)
    print("first picture after joining:", [f["first_frame_after_join"] for f in figures])
    # The scenario's premise (the joins overlap: each takes longer than this), not the engine's
    # doing: on a busy machine this process's own loop starts the tenth one a little late.
    assert max(f["asked_at"] or 0 for f in figures) < 0.5
    without = [i for i, f in enumerate(figures) if f["first_frame_after_join"] is None]
    assert without == [], f"listeners without a picture: {without} {figures}"
    late = [f["first_frame_after_join"] for f in figures if f["first_frame_after_join"] >= 1.0]  # type: ignore[operator]
    assert late == [], figures
    assert all(f["frames"] >= 45 for f in figures), figures  # and video went on (~30 fps, 3 s)


def test_a_listener_on_a_long_round_trip_stays_connected(workers: MediaWorkers) -> None:
    """A listener 800 ms of round trip away (400 ms each way through a relay) keeps its connection
    and its video for two minutes: consent checks wait for answers that long."""
    _loopback_peers()
    # The listener stands in for a browser, whose consent checks also tolerate long round trips
    # (stock aioice would let this client go by itself after 30 s).
    consent.install()

    async def scenario() -> dict[str, Any]:
        room = WorkerRoom(workers, 12)
        publisher = await start_publisher(room, "camera")
        relay = DelayRelay(0.4)
        await relay.start()
        listener = Collector()
        joined = await listener.join(room, "rural", "camera", relay=relay)
        await asyncio.sleep(120)
        frames = [when - joined for when in listener.decoded_frame_times()]
        state = listener.pc.connectionState
        await listener.close()
        await relay.close()
        await publisher.close()
        room.close()
        return {"state": state, "frames": frames, "through_relay": relay.forwarded}

    result = run_in_loop(scenario, timeout=180)
    frames = result["frames"]
    print("first picture after", frames[:1], "s;", len(frames), "pictures in 120 s")
    last = frames[-1] if frames else None
    assert result["state"] == "connected", f"{result['state']}; last picture {last} s after joining"
    assert frames and frames[0] < 10, frames[:5]  # ICE and DTLS over the slow link took a while
    # Video all along: every 10 s of the two minutes after the first picture has pictures.
    windows = {int(when // 10) for when in frames}
    missing = [w for w in range(int(frames[0] // 10) + 1, 12) if w not in windows]
    assert missing == [], f"no video in these 10 s windows: {missing}"
    assert len(frames) > 25 * (120 - frames[0])  # about 30 fps
    assert result["through_relay"] > 1000  # it did go through the relay


def test_a_listener_that_closes_its_connection_leaves_nothing_behind() -> None:
    """The listener's client closes its connection without the room being told: the room lets go
    of its connection and its queues in the fan-outs, and the others go on."""
    _loopback_peers()

    async def scenario() -> dict[str, Any]:
        room = MediaRoom(ice_servers=[])
        publisher = await start_publisher(room)
        staying, leaving = Collector(), Collector()
        await staying.join(room, "staying")
        await leaving.join(room, "leaving")
        await asyncio.sleep(1.5)
        before = {kind: len(f.listeners) for kind, f in room.fanouts.items()}
        await leaving.close()
        for _ in range(100):  # the engine hears of it at once (DTLS close), give it 5 s
            if not room.listeners.get(("leaving", "main")):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        after = {kind: len(f.listeners) for kind, f in room.fanouts.items()}
        still = ("leaving", "main") in room.listeners
        count = len(staying.packets["video"])
        await asyncio.sleep(1)
        went_on = len(staying.packets["video"]) - count
        await staying.close()
        await room.close()
        await publisher.close()
        return {"before": before, "after": after, "still": still, "went_on": went_on}

    result = run_in_loop(scenario)
    assert result["before"] == {"audio": 2, "video": 2}
    assert not result["still"]
    assert result["after"] == {"audio": 1, "video": 1}
    assert result["went_on"] > 15


def test_a_listener_that_vanishes_is_let_go_when_consent_expires() -> None:
    """A listener whose network goes (nothing more arrives from it, nothing reaches it) is let go
    once consent expires, about 30 s after its last answer: consent still expires, and what the
    room held for the listener goes with it."""
    _loopback_peers()

    async def scenario() -> dict[str, Any]:
        room = MediaRoom(ice_servers=[])
        publisher = await start_publisher(room)
        relay = DelayRelay(0.02)
        await relay.start()
        listener = Collector()
        await listener.join(room, "gone", relay=relay)
        await asyncio.sleep(3)
        frames = len(listener.packets["video"])
        relay.cut()
        cut_at = time.monotonic()
        let_go_after = None
        while time.monotonic() - cut_at < 50:
            if ("gone", "main") not in room.listeners:
                let_go_after = time.monotonic() - cut_at
                break
            await asyncio.sleep(0.2)
        queues = {kind: len(f.listeners) for kind, f in room.fanouts.items()}
        await listener.close()
        await relay.close()
        await room.close()
        await publisher.close()
        return {"frames": frames, "let_go_after": let_go_after, "queues": queues}

    result = run_in_loop(scenario, timeout=90)
    print("let go", result["let_go_after"], "s after the cut")
    assert result["frames"] > 30  # it was receiving through the relay before the cut
    assert result["let_go_after"] is not None, result
    assert 24 <= result["let_go_after"] <= 45, result  # RFC 7675: 30 s, checks every 4-6 s
    assert result["queues"] == {"audio": 0, "video": 0}
