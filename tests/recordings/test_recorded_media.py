"""The engine records what it forwards, packets as they came, and the finishing step makes a
playable file, a light voice file and a poster from it (real aiortc peers on loopback)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import av
import pytest

from intersession.recordings import finishing
from intersession.rooms.media import passthrough
from intersession.rooms.media.room import MediaRoom
from tests.media.test_forwarding import run_in_loop
from tests.recordings.peers import SizedVideoTrack, ToneTrack, publish

pytestmark = pytest.mark.media


def record_lesson(folder: Path, *, screen: bool = True, floor: bool = True) -> dict[str, Any]:
    """About 7 s: the advisor's camera throughout, a screen shared from 2 s to 4.5 s, a pupil's
    microphone with the floor from 3 s to 5 s."""
    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])
    events: list[tuple[str, dict[str, Any]]] = []

    async def scenario() -> dict[str, Any]:
        room = MediaRoom(ice_servers=[], notify=lambda e, d: events.append((e, d)))
        started = time.time()
        about = {"folder": str(folder), "started_at": started, "min_free_bytes": 0}
        camera = await publish(
            room, "adv", [SizedVideoTrack(640, 360), ToneTrack(440)], about | {"label": "camera"}
        )
        peers = [camera]
        await asyncio.sleep(2)
        if screen:
            shared = await publish(
                room, "adv:screen", [SizedVideoTrack(320, 240)], about | {"label": "screen"}
            )
            peers.append(shared)
        await asyncio.sleep(1)
        if floor:
            mic = await publish(room, "pup", [ToneTrack(660)], about | {"label": "floor"})
            peers.append(mic)
        await asyncio.sleep(1.5)
        if screen:
            await room.unpublish("adv:screen")
        await asyncio.sleep(0.5)
        if floor:
            await room.unpublish("pup")
        await asyncio.sleep(2)
        stopped = await room.stop_recording()
        ended = time.time()
        await room.close()
        for pc in peers:
            await pc.close()
        return {"length": ended - started, "stopped": stopped}

    result = run_in_loop(scenario)
    result["events"] = events
    return result


def decode_all(path: Path) -> dict[str, Any]:
    found: dict[str, Any] = {"sizes": set(), "video": 0, "audio": 0, "end": 0.0, "codecs": set()}
    with av.open(str(path)) as container:
        for stream in container.streams:
            found["codecs"].add(stream.codec_context.name)
        for frame in container.decode(*container.streams):
            if isinstance(frame, av.VideoFrame):
                found["video"] += 1
                found["sizes"].add((frame.width, frame.height))
            else:
                found["audio"] += 1
            if frame.time is not None:
                found["end"] = max(found["end"], frame.time)
    return found


def test_a_recorded_lesson_becomes_a_playable_file_a_voice_file_and_a_poster(
    tmp_path: Path,
) -> None:
    result = record_lesson(tmp_path)
    assert result["stopped"] == {"recording": True, "stopped_because": None}
    names = sorted(p.name.split("-", 1)[1].rsplit("-", 1)[0] for p in tmp_path.glob("*.mkv"))
    assert names == ["camera-audio", "camera-video", "floor-audio", "screen-video"]

    done = finishing.finish(tmp_path)
    assert abs(done.duration - result["length"]) <= 1.0
    assert done.has_video and done.has_screen

    lesson = decode_all(tmp_path / "lesson.webm")
    assert lesson["codecs"] == {"vp8", "opus"}
    assert abs(lesson["end"] - result["length"]) <= 1.0
    assert lesson["video"] > 5 * 30 * 0.8  # the picture throughout, never re-encoded
    assert lesson["sizes"] == {(640, 360), (320, 240)}  # the camera, the screen, the camera again

    voice = decode_all(tmp_path / "audio.webm")
    assert voice["codecs"] == {"opus"} and voice["video"] == 0
    assert abs(voice["end"] - result["length"]) <= 1.0
    per_hour = done.audio_bytes / done.duration * 3600
    assert per_hour <= 10 * 1024 * 1024, per_hour  # the weak link's budget
    with av.open(str(tmp_path / "poster.jpg")) as poster:
        frame = next(poster.decode(video=0))
        assert (frame.width, frame.height) in {(640, 360), (320, 240)}

    # Finishing again (a task run twice) gives the same files, once.
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.webm")}
    again = finishing.finish(tmp_path)
    assert again == done
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.webm")} == before
    assert not list(tmp_path.glob("*.tmp"))


def test_a_camera_only_lesson_with_a_full_disk_stops_recording_and_says_so(
    tmp_path: Path,
) -> None:
    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])
    events: list[tuple[str, dict[str, Any]]] = []

    async def scenario() -> dict[str, Any]:
        room = MediaRoom(ice_servers=[], notify=lambda e, d: events.append((e, d)))
        # A disk that never has this much free: the first check stops the recording.
        about = {"folder": str(tmp_path), "started_at": time.time(), "label": "camera",
                 "min_free_bytes": 1 << 62}  # fmt: skip
        camera = await publish(room, "adv", [SizedVideoTrack(320, 240), ToneTrack()], about)
        await asyncio.sleep(2)
        # The lesson goes on: a listener still gets the picture.
        forwarded = sum(1 for s in room.sources.values() for f in s.fanouts.values())
        stopped = await room.stop_recording()
        await room.close()
        await camera.close()
        return {"stopped": stopped, "forwarded": forwarded}

    result = run_in_loop(scenario)
    assert result["stopped"]["stopped_because"] == "disk-full"
    assert ("recording-stopped", {"reason": "disk-full"}) in events
    assert result["forwarded"] == 2
    with pytest.raises(finishing.NothingRecorded):
        finishing.finish(tmp_path)
