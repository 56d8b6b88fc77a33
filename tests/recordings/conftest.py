"""A lesson recorded once by the real engine (aiortc peers, about 7 s), put in place for each test's
lesson and finished as after a real lesson."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from intersession.core.db import db
from intersession.lessons.models import Lesson
from intersession.recordings import services
from intersession.recordings.models import Recording
from tests.conftest import LessonHub
from tests.recordings.test_recorded_media import record_lesson


@pytest.fixture(scope="session")
def recorded_tracks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("recorded")
    record_lesson(folder)
    return folder


def recorded(lesson: Lesson, tracks: Path) -> Recording:
    """The lesson's recording, its tracks as the engine wrote them, finished."""
    instructions = services.engine_instructions(lesson, "camera")
    assert instructions is not None
    for track in tracks.glob("*.mkv"):
        shutil.copy(track, Path(instructions["folder"]) / track.name)
    recording = services.lesson_ended(lesson)
    assert recording is not None
    services.finish_recording(recording.id)
    db.session.refresh(recording)
    return recording


@pytest.fixture
def ready(app: Flask, lessons: LessonHub, recorded_tracks: Path) -> Recording:
    lesson = lessons.started_lesson()
    return recorded(lesson, recorded_tracks)
