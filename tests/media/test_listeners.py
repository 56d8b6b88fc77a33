"""Listeners as a lesson has them, against the engine in a media-worker process: a class that joins
at once all get a picture, a listener on a long round trip is kept, and one that goes is let go."""

from __future__ import annotations

import asyncio
import time

import pytest

from intersession.rooms.media import passthrough
from intersession.rooms.media.workers import MediaWorkers
from tests.media.peers import Collector, WorkerRoom, run_in_loop, start_publisher

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
    assert max(f["asked_at"] or 0 for f in figures) < 0.1
    without = [i for i, f in enumerate(figures) if f["first_frame_after_join"] is None]
    assert without == [], f"listeners without a picture: {without} {figures}"
    late = [f["first_frame_after_join"] for f in figures if f["first_frame_after_join"] >= 1.0]  # type: ignore[operator]
    assert late == [], figures
    assert all(f["frames"] >= 45 for f in figures), figures  # and video went on (~30 fps, 3 s)
