"""Media-worker processes: the engine in a process of its own forwards encoded media between real
aiortc peers; a worker that dies is started again and its rooms are reported lost."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from typing import Any

import pytest
from aiortc import (
    AudioStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)

from intersession.rooms.media import passthrough
from intersession.rooms.media.workers import MediaWorkers
from tests.media.peers import Collector, run_in_loop

pytestmark = pytest.mark.media


def test_a_worker_process_forwards_encoded_media(workers: MediaWorkers) -> None:
    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])

    async def ask(*args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, workers.request, *args)

    async def scenario() -> dict[str, Any]:
        publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        publisher.addTrack(AudioStreamTrack())
        publisher.addTrack(VideoStreamTrack())
        await publisher.setLocalDescription(await publisher.createOffer())
        answer = await ask(7, "publish", publisher.localDescription.sdp, "camera")
        await publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        await ask(7, "wait_for_tracks", "camera", 2)
        listener = Collector()
        offer = await ask(7, "subscribe", "pupil", "camera")
        await listener.pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        await listener.pc.setLocalDescription(await listener.pc.createAnswer())
        await ask(7, "accept_answer", "pupil", listener.pc.localDescription.sdp, "camera")
        await asyncio.sleep(3)
        result = {
            "video": len(listener.packets["video"]),
            "frames": listener.decoded_video_frames(),
            "audio": len(listener.packets["audio"]),
        }
        await listener.close()
        await publisher.close()
        return result

    result = run_in_loop(scenario)
    assert result["video"] > 40 and result["audio"] > 60
    assert result["frames"] >= result["video"] * 0.9  # packets came through the process intact
    with pytest.raises(ValueError, match="unknown operation"):
        workers.request(7, "__init__")
    with pytest.raises(KeyError):
        workers.request(7, "subscribe", "pupil", "no-such-source")


def test_a_dead_worker_is_started_again_and_its_rooms_reported(workers: MediaWorkers) -> None:
    lost: list[set[int]] = []
    workers.lost_callbacks.append(lost.append)
    assert workers.request(3, "counters")["keyframes_asked"] == 0  # answered: the worker is up
    worker = workers.worker_for(3)
    old_pid = worker.pid
    assert old_pid is not None
    os.kill(old_pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while not lost and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lost == [{3}]
    assert worker.pid != old_pid
    assert workers.request(3, "counters")["keyframes_asked"] == 0  # answered: the worker is up
    assert workers.request(4, "counters")["dropped"] == 0  # the other one
