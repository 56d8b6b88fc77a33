"""A lesson recorded through the live room's signalling, with the engine in a worker process of
its own: the worker is killed halfway, the page publishes again, and the recording keeps both
parts, marked incomplete."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from flask import Flask

from intersession.core.db import db
from intersession.lessons.models import Lesson
from intersession.recordings import services
from intersession.recordings.models import Recording, RecordingState
from tests.conftest import make_app
from tests.media.test_forwarding import run_in_loop
from tests.recordings.conftest import LessonHub
from tests.recordings.peers import SizedVideoTrack, ToneTrack
from tests.rooms.test_signalling import ack, room_client, started

pytestmark = pytest.mark.media


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path, MEDIA_WORKERS=1)
    with app.app_context():
        db.drop_all()  # a shared server database may hold the last test's tables
        db.create_all()
        yield app
        engine = app.extensions.get("media_engine")
        if engine is not None:
            engine.stop()
        db.session.remove()
        db.engine.dispose()


def test_a_recording_survives_a_media_worker_restart(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    advisor = room_client(app, "adv")
    joined = ack(advisor, "join", {"lesson": lesson_id})
    assert joined["recorded"] is True

    async def publish_camera() -> RTCPeerConnection:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTrack(SizedVideoTrack(320, 240))
        pc.addTrack(ToneTrack())
        await pc.setLocalDescription(await pc.createOffer())
        for _attempt in range(40):  # a restarting worker answers "engine" for a moment
            answer = ack(advisor, "publish", {"sdp": pc.localDescription.sdp, "source": "camera"})
            if "sdp" in answer:
                break
            await asyncio.sleep(0.25)
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        return pc

    async def scenario() -> dict[str, Any]:
        begun = time.time()
        first = await publish_camera()
        await asyncio.sleep(3)
        worker = app.extensions["media_engine"].workers[0]
        os.kill(worker.pid, signal.SIGKILL)
        await first.close()
        await asyncio.sleep(1)
        second = await publish_camera()  # as the page does when told the engine restarted
        await asyncio.sleep(3)
        assert ack(advisor, "end", {}) == {"ok": True}
        ended = time.time()
        await second.close()
        return {"length": ended - begun}

    result = run_in_loop(scenario)
    recording = db.session.query(Recording).filter_by(lesson_id=lesson_id).one()
    assert recording.state is RecordingState.FINISHING
    assert recording.incomplete and recording.stop_reason == "engine-restarted"
    tracks = sorted(p.name for p in services.folder_of(recording).glob("*.mkv"))
    assert len(tracks) == 4  # camera picture and voice, before and after the restart

    services.finish_recording(recording.id)
    db.session.refresh(recording)
    assert recording.state is RecordingState.READY
    # The lesson's whole time is there: the part before the restart was kept.
    assert abs(recording.duration_seconds - result["length"]) <= 1.5
    with av.open(str(services.folder_of(recording) / "lesson.webm")) as played:
        frames = [f.time for f in played.decode(video=0)]
    assert min(frames) < 1.0 and max(frames) > result["length"] - 1.5
    assert db.session.get(Lesson, lesson_id).room_ended_at is not None


def test_a_full_disk_stops_the_recording_and_tells_the_advisor(
    app: Flask, lessons: LessonHub
) -> None:
    app.config["RECORDING_MIN_FREE_MB"] = 1 << 40  # more than any disk has free
    lesson_id = started(lessons)
    advisor, pupil = room_client(app, "adv"), room_client(app, "pup")
    ack(advisor, "join", {"lesson": lesson_id})
    ack(pupil, "join", {"lesson": lesson_id})

    async def scenario() -> None:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTrack(SizedVideoTrack(320, 240))
        pc.addTrack(ToneTrack())
        await pc.setLocalDescription(await pc.createOffer())
        answer = ack(advisor, "publish", {"sdp": pc.localDescription.sdp, "source": "camera"})
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        for _ in range(100):
            if any(p["name"] == "recording-stopped" for p in advisor.get_received("/room")):
                break
            await asyncio.sleep(0.1)
        await pc.close()

    received: list[dict[str, Any]] = []
    original = advisor.get_received

    def keep(namespace: str = "/room") -> list[dict[str, Any]]:
        packets = original(namespace)
        received.extend(packets)
        return packets

    advisor.get_received = keep
    run_in_loop(scenario)
    assert {
        "name": "recording-stopped",
        "args": [{"reason": "disk-full"}],
        "namespace": "/room",
    } in received
    assert not any(p["name"] == "recording-stopped" for p in pupil.get_received("/room"))
    recording = db.session.query(Recording).filter_by(lesson_id=lesson_id).one()
    db.session.refresh(recording)
    assert recording.incomplete and recording.stop_reason == "disk-full"
    assert recording.state is RecordingState.RECORDING  # the lesson goes on
