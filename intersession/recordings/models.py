"""A lesson's recording and who watched how much of it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intersession.auth.models import User
from intersession.core.db import Model, UTCDateTime, enum_column, utcnow
from intersession.lessons.models import Lesson


class RecordingState(enum.StrEnum):
    RECORDING = "recording"  # the room is live and being written
    FINISHING = "finishing"  # the lesson ended; a task is putting the files together
    READY = "ready"
    FAILED = "failed"  # nothing recorded could be read
    EXPIRED = "expired"  # its retention ran out and its files were removed


class Recording(Model):
    """Everything recorded of one lesson's room, in one folder of the media area."""

    __tablename__ = "recording"
    __table_args__ = (
        CheckConstraint("duration_seconds IS NULL OR duration_seconds >= 0", name="duration_ok"),
        Index("ix_recording_state_expires", "state", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), unique=True)
    folder: Mapped[str] = mapped_column(String(40), unique=True)  # generated, alphanumeric
    state: Mapped[RecordingState] = mapped_column(
        enum_column(RecordingState, "recording_state"), default=RecordingState.RECORDING
    )
    # A media worker restarted, or the disk filled: what was written up to then is kept.
    incomplete: Mapped[bool] = mapped_column(default=False, server_default=false())
    stop_reason: Mapped[str | None] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finishing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure: Mapped[str | None] = mapped_column(Text)
    duration_seconds: Mapped[float | None]
    video_bytes: Mapped[int] = mapped_column(default=0)
    audio_bytes: Mapped[int] = mapped_column(default=0)
    size_bytes: Mapped[int] = mapped_column(default=0)  # everything in its folder
    has_video: Mapped[bool] = mapped_column(default=False, server_default=false())
    has_poster: Mapped[bool] = mapped_column(default=False, server_default=false())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lesson: Mapped[Lesson] = relationship()

    @property
    def ready(self) -> bool:
        return self.state is RecordingState.READY


class RecordingView(Model):
    """What one person has watched or listened to of a recording, as merged second ranges."""

    __tablename__ = "recording_view"
    __table_args__ = (UniqueConstraint("recording_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("recording.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    ranges: Mapped[str] = mapped_column(Text, default="[]")  # JSON [[from, to], ...], seconds
    seconds: Mapped[float] = mapped_column(default=0.0)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
