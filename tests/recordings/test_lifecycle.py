"""After the lesson: finishing is idempotent and redone after a killed worker; the sweep finishes
rooms nobody ended and frees the recorded tracks once the room cannot open again."""

from __future__ import annotations

import fractions
import os
import signal
import struct
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import av
import numpy as np
from flask import Flask

from intersession.core.db import db, utcnow
from intersession.recordings import services
from intersession.recordings.models import Recording, RecordingState
from intersession.recordings.writer import OPUS_HEAD
from tests.assignments.test_pages import signed_in
from tests.recordings.conftest import LessonHub


def long_voice_track(folder: Path, minutes: int) -> None:
    """A camera microphone's track as the engine writes it, long enough to take a while to mix."""
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate, encoder.layout, encoder.format = 48_000, "stereo", "s16"
    with av.open(str(folder / "0000000100-camera-audio-abcdef.mkv"), "w", format="matroska") as out:
        stream = out.add_stream("libopus", rate=48_000)
        stream.codec_context.layout = "stereo"
        stream.codec_context.extradata = OPUS_HEAD
        stream.time_base = fractions.Fraction(1, 1000)
        tone = (np.sin(np.arange(960 * 50) * 0.06) * 8000).astype(np.int16)
        for second in range(minutes * 60):
            frame = av.AudioFrame.from_ndarray(np.repeat(tone, 2).reshape(1, -1), layout="stereo")
            frame.sample_rate, frame.pts = 48_000, second * 48_000
            for packet in encoder.encode(frame):
                data = bytes(packet)
                copy = av.Packet(data)
                copy.stream = stream
                copy.pts = copy.dts = 100 + int(packet.pts) // 48
                copy.time_base = stream.time_base
                out.mux(copy)
    assert struct.unpack("<I", OPUS_HEAD[12:16])[0] == 48_000


def test_a_finishing_killed_halfway_is_redone_once(app: Flask, lessons: LessonHub) -> None:
    lesson = lessons.started_lesson()
    instructions = services.engine_instructions(lesson, "camera")
    assert instructions is not None
    folder = Path(instructions["folder"])
    long_voice_track(folder, minutes=4)
    recording = db.session.query(Recording).filter_by(lesson_id=lesson.id).one()
    recording.state, recording.finishing_since = RecordingState.FINISHING, utcnow()
    db.session.commit()

    # A worker runs the finishing and is killed while its files are half written.
    code = "import sys; from pathlib import Path; from intersession.recordings import finishing; finishing.finish(Path(sys.argv[1]))"
    worker = subprocess.Popen([sys.executable, "-c", code, str(folder)])
    deadline = time.monotonic() + 30
    while not list(folder.glob("*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert list(folder.glob("*.tmp")) and not (folder / "audio.webm").exists()

    # Still finishing: the sweep runs it again once it has been stuck long enough.
    assert services.sweep()["restarted"] == 0
    recording.finishing_since = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert services.sweep()["restarted"] == 1
    services.finish_recording(recording.id)
    db.session.refresh(recording)
    assert recording.state is RecordingState.READY
    assert not list(folder.glob("*.tmp"))
    assert abs(recording.duration_seconds - 240.1) <= 1.0
    assert not recording.has_video and recording.audio_bytes > 0
    first = (folder / "audio.webm").read_bytes()
    # The task delivered again (acks late): nothing changes.
    services.finish_recording(recording.id)
    assert (folder / "audio.webm").read_bytes() == first
    assert sorted(p.name for p in folder.iterdir()) == [
        "0000000100-camera-audio-abcdef.mkv", "audio.webm", "lesson.webm",
    ]  # fmt: skip
    with av.open(str(folder / "audio.webm")) as voice:
        assert voice.streams.audio[0].codec_context.name == "opus"
        assert abs(float(voice.duration or 0) / 1e6 - 240.1) <= 1.0


def test_the_sweep_finishes_rooms_left_open_and_frees_their_tracks(
    app: Flask, lessons: LessonHub, recorded_tracks: Path
) -> None:
    import shutil

    lesson = lessons.started_lesson()
    instructions = services.engine_instructions(lesson, "camera")
    assert instructions is not None
    for track in recorded_tracks.glob("*.mkv"):
        shutil.copy(track, Path(instructions["folder"]) / track.name)
    assert services.sweep() == {"closed": 0, "restarted": 0}  # the lesson is still on
    lesson.starts_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    assert services.sweep() == {"closed": 1, "restarted": 0}
    recording = db.session.query(Recording).filter_by(lesson_id=lesson.id).one()
    assert recording.state is RecordingState.FINISHING
    waiting = signed_in(app, "pup").client.get(f"/lessons/{lesson.id}/recording")
    text = waiting.get_data(as_text=True)
    assert 'http-equiv="refresh"' in text and "opens it by itself" in text  # follows the task
    services.finish_recording(recording.id)
    db.session.refresh(recording)
    folder = services.folder_of(recording)
    ready = signed_in(app, "pup").client.get(f"/lessons/{lesson.id}/recording")
    assert 'http-equiv="refresh"' not in ready.get_data(as_text=True)
    assert recording.state is RecordingState.READY
    assert not list(folder.glob("*.mkv"))  # the room cannot open again: the tracks went
    assert recording.size_bytes == sum(p.stat().st_size for p in folder.iterdir())
    assert {p.name for p in folder.iterdir()} == {"lesson.webm", "audio.webm", "poster.jpg"}
