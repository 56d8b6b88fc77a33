"""The web side of recording: one recording per lesson, the engine told where to write, the
finishing task started when the lesson ends, and recordings removed when their time is up."""

from __future__ import annotations

import logging
import secrets
import shutil
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from intersession.core import storage
from intersession.core.db import db, utcnow
from intersession.core.errors import DomainError, Forbidden
from intersession.lessons.access import lesson_hub_id
from intersession.lessons.models import Lesson
from intersession.lessons.scheduling import hub_year_on
from intersession.recordings import finishing
from intersession.recordings.models import Recording, RecordingState
from intersession.schools.calendar import local_date
from intersession.schools.models import School, in_hub

logger = logging.getLogger(__name__)
AREA = "recordings"
MB = 1024 * 1024
REOPEN_WINDOW = timedelta(minutes=30)  # the room may be opened again this long after the end
STUCK_AFTER = timedelta(minutes=20)  # a finishing task this old died with its worker: run again
DEFAULT_KEEP = timedelta(days=365)  # when the hub has no academic year around the lesson


def folder_of(recording: Recording) -> Path:
    return storage.media_path(AREA, recording.folder)


def recording_of(lesson: Lesson) -> Recording | None:
    return db.session.scalar(select(Recording).where(Recording.lesson_id == lesson.id))


def set_recorded(advisor: Any, lesson: Lesson, on: bool) -> None:
    """The advisor turns recording off (or on again) before the lesson's room has started."""
    if lesson.advisor_id != advisor.id:
        raise Forbidden(_("Only the lesson's advisor may change it."))
    if recording_of(lesson) is not None:
        raise DomainError(_("The lesson is already being recorded; it can no longer be changed."))
    lesson.record = on
    db.session.commit()


def engine_instructions(lesson: Lesson, label: str) -> dict[str, Any] | None:
    """What the engine needs to record a source of this lesson (None: not recorded). Makes the
    lesson's recording on its first source; a room opened again goes on recording into it."""
    if not lesson.record:
        return None
    recording = recording_of(lesson)
    if recording is None:
        recording = Recording(lesson_id=lesson.id, folder=secrets.token_hex(16))
        db.session.add(recording)
        try:
            db.session.commit()
        except IntegrityError:  # another source of the same lesson made it a moment ago
            db.session.rollback()
            recording = recording_of(lesson)
            assert recording is not None
    elif recording.state is RecordingState.EXPIRED:
        return None
    elif recording.state is not RecordingState.RECORDING:
        recording.state, recording.finishing_since = RecordingState.RECORDING, None
        db.session.commit()
    folder = folder_of(recording)
    folder.mkdir(exist_ok=True)
    return {
        "folder": str(folder),
        "started_at": recording.started_at.timestamp(),
        "label": label,
        "min_free_bytes": int(current_app.config["RECORDING_MIN_FREE_MB"]) * MB,
    }


def mark_incomplete(lesson_id: int, reason: str) -> Recording | None:
    """A media worker restarted or the disk filled: what was written is kept, marked incomplete."""
    recording = db.session.scalar(select(Recording).where(Recording.lesson_id == lesson_id))
    if recording is None or recording.state is not RecordingState.RECORDING:
        return None
    recording.incomplete = True
    recording.stop_reason = recording.stop_reason or reason
    db.session.commit()
    return recording


def lesson_ended(lesson: Lesson) -> Recording | None:
    """The room closed: the recording is put together by a task."""
    recording = recording_of(lesson)
    if recording is None or recording.state is not RecordingState.RECORDING:
        return recording
    recording.state = RecordingState.FINISHING
    recording.ended_at = recording.finishing_since = utcnow()
    db.session.commit()
    queue_finishing(recording)
    return recording


def queue_finishing(recording: Recording) -> None:
    from intersession.recordings.tasks import finish_recording

    finish_recording.delay(recording.id)


def finish_recording(recording_id: int) -> Recording | None:
    """The finishing task: idempotent, so a second run, or a run after a killed one, gives the
    same files once."""
    recording = db.session.get(Recording, recording_id)
    if recording is None or recording.state is not RecordingState.FINISHING:
        return recording
    folder = folder_of(recording)
    try:
        done = finishing.finish(folder)
    except finishing.NothingRecorded:
        recording.state, recording.failure = RecordingState.FAILED, "nothing recorded"
        recording.expires_at = expiry(recording.lesson)
        db.session.commit()
        return recording
    recording.duration_seconds = round(done.duration, 3)
    recording.video_bytes, recording.audio_bytes = done.video_bytes, done.audio_bytes
    recording.has_video = done.has_video
    recording.has_poster = (folder / finishing.POSTER_FILE).exists()
    recording.state, recording.finished_at = RecordingState.READY, utcnow()
    recording.expires_at = expiry(recording.lesson)
    recording.size_bytes = _folder_size(folder)
    db.session.commit()
    if utcnow() > recording.lesson.ends_at + REOPEN_WINDOW:
        remove_tracks(recording)
    return recording


def remove_tracks(recording: Recording) -> int:
    """The recorded tracks are not needed once the room cannot be opened again."""
    folder = folder_of(recording)
    freed = 0
    for track in folder.glob("*.mkv"):
        freed += track.stat().st_size
        track.unlink()
    if freed:
        recording.size_bytes = _folder_size(folder)
        db.session.commit()
    return freed


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) if folder.exists() else 0


def expiry(lesson: Lesson) -> datetime:
    """The hub's retention in days after the lesson, else the end of its academic year."""
    hub = db.session.get(School, lesson_hub_id(lesson))
    assert hub is not None
    if hub.recording_retention_days:
        return lesson.ends_at + timedelta(days=hub.recording_retention_days)
    year = hub_year_on(hub.id, local_date(lesson.starts_at, hub.timezone))
    if year is None:
        return lesson.ends_at + DEFAULT_KEEP
    midnight = datetime.combine(year.ends_on + timedelta(days=1), time.min, ZoneInfo(hub.timezone))
    return midnight.astimezone(UTC)


def set_retention(hub: School, days: int | None) -> int:
    """The coordinator's retention; the hub's kept recordings get their new expiry. Returns how
    many were changed."""
    hub.recording_retention_days = days
    changed = 0
    for recording in _hub_recordings(hub.id, (RecordingState.READY, RecordingState.FAILED)):
        recording.expires_at = expiry(recording.lesson)
        changed += 1
    db.session.commit()
    return changed


def _hub_recordings(hub_id: int, states: tuple[RecordingState, ...]) -> list[Recording]:
    from intersession.auth.models import User

    query = (
        select(Recording)
        .join(Lesson, Lesson.id == Recording.lesson_id)
        .join(User, User.id == Lesson.advisor_id)
        .join(School, School.id == User.school_id)
        .where(in_hub(hub_id), Recording.state.in_(states))
        .order_by(Lesson.starts_at.desc())
    )
    return list(db.session.scalars(query))


def hub_recordings(hub_id: int) -> list[Recording]:
    return _hub_recordings(hub_id, tuple(RecordingState))


def space_used(hub_id: int) -> tuple[int, int]:
    """(recordings kept, bytes on disk) of a hub."""
    kept = [r for r in hub_recordings(hub_id) if r.state is not RecordingState.EXPIRED]
    return len(kept), sum(r.size_bytes for r in kept)


def sweep() -> dict[str, int]:
    """Every few minutes: rooms that closed without the advisor ending them are finished, and a
    finishing task that died with its worker is run again."""
    now = utcnow()
    recording_rooms = db.session.scalars(
        select(Recording).where(Recording.state == RecordingState.RECORDING)
    )
    closed = [r for r in recording_rooms if now > r.lesson.ends_at + REOPEN_WINDOW]
    for recording in closed:
        lesson_ended(recording.lesson)
    stuck = list(
        db.session.scalars(
            select(Recording).where(
                Recording.state == RecordingState.FINISHING,
                Recording.finishing_since < now - STUCK_AFTER,
            )
        )
    )
    for recording in stuck:
        recording.finishing_since = now
        db.session.commit()
        queue_finishing(recording)
    ready = db.session.scalars(
        select(Recording).where(
            Recording.state == RecordingState.READY,
            Recording.finished_at > now - timedelta(days=2),
        )
    )
    for recording in ready:
        if now > recording.lesson.ends_at + REOPEN_WINDOW:
            remove_tracks(recording)
    return {"closed": len(closed), "restarted": len(stuck)}


def purge(now: datetime | None = None) -> tuple[int, int]:
    """Remove the recordings whose retention has run out; returns (how many, bytes freed)."""
    now = now or utcnow()
    expired = db.session.scalars(
        select(Recording).where(
            Recording.state.in_((RecordingState.READY, RecordingState.FAILED)),
            Recording.expires_at <= now,
        )
    ).all()
    freed = 0
    for recording in expired:
        folder = folder_of(recording)
        freed += _folder_size(folder)
        shutil.rmtree(folder, ignore_errors=True)
        recording.state, recording.size_bytes = RecordingState.EXPIRED, 0
        recording.video_bytes = recording.audio_bytes = 0
        db.session.commit()
    if expired:
        logger.info("removed %d expired recordings, freed %.1f MB", len(expired), freed / MB)
    return len(expired), freed
