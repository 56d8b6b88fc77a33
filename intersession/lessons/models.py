"""Lessons and consultations, and their attendance register.

The live room's own rows (presence intervals, chat, who came in, a school's audio-only choice) are
here too, beside the lesson they belong to: rooms/ reads and writes them, the schema is one.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intersession.auth.models import User
from intersession.core.collation import ROOT, by_name
from intersession.core.db import Model, UTCDateTime, enum_column, utcnow
from intersession.core.files import StoredFile
from intersession.schools.models import Cohort, PlanTopic, Subject


class LessonKind(enum.StrEnum):
    LESSON = "lesson"
    CONSULTATION = "consultation"
    # A seminar, webinar, master class or mentoring hour for teachers (the methodical service's):
    # its register holds the teachers taking part, its advisor is the presenter.
    TEACHER_EVENT = "teacher_event"


class LessonState(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Presence(enum.StrEnum):
    PRESENT = "present"
    PARTLY = "partly"
    ABSENT = "absent"


class PresenceSource(enum.StrEnum):
    ONLINE = "online"  # joined the live room
    CLASSROOM = "classroom"  # behind the magnet school's classroom computer
    ADVISOR = "advisor"  # marked by hand by the advisor
    TUTOR = "tutor"  # marked by hand by the tutor


class AbsenceReason(enum.StrEnum):
    NO_CONNECTION = "no_connection"
    ILLNESS = "illness"
    OLYMPIAD = "olympiad"
    OTHER = "other"


MAX_MINUTES = 6 * 60


class Lesson(Model):
    """An online lesson for a cohort, or a consultation for chosen pupils, at a moment (UTC)."""

    __tablename__ = "lesson"
    __table_args__ = (
        CheckConstraint(f"duration_minutes BETWEEN 5 AND {MAX_MINUTES}", name="duration_range"),
        CheckConstraint(
            "kind IN ('consultation', 'teacher_event') OR cohort_id IS NOT NULL",
            name="lesson_has_cohort",
        ),
        CheckConstraint(
            "kind = 'teacher_event' OR subject_id IS NOT NULL", name="lesson_has_subject"
        ),
        CheckConstraint("camera_kbps BETWEEN 100 AND 2500", name="camera_kbps_range"),
        CheckConstraint(
            "state = 'scheduled' OR cancel_reason IS NOT NULL", name="cancel_has_reason"
        ),
        Index("ix_lesson_advisor_starts", "advisor_id", "starts_at"),
        Index("ix_lesson_cohort_starts", "cohort_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LessonKind] = mapped_column(enum_column(LessonKind, "lesson_kind"))
    state: Mapped[LessonState] = mapped_column(
        enum_column(LessonState, "lesson_state"), default=LessonState.SCHEDULED
    )
    advisor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="RESTRICT"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id", ondelete="RESTRICT"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("plan_topic.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # An open consultation slot takes bookings up to this many pupils; None for everything else.
    capacity: Mapped[int | None]
    # The live room: nobody new comes in while locked; the camera's bitrate cap for weak links.
    room_locked: Mapped[bool] = mapped_column(default=False, server_default=false())
    camera_kbps: Mapped[int] = mapped_column(default=500, server_default="500")
    room_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the advisor ended it
    # Recorded unless the advisor turned it off before the lesson started.
    record: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    advisor: Mapped[User] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    subject: Mapped[Subject | None] = relationship()
    topic: Mapped[PlanTopic | None] = relationship()
    register: Mapped[list[AttendanceRow]] = relationship(
        back_populates="lesson", cascade="all, delete-orphan", order_by="AttendanceRow.id"
    )
    materials: Mapped[list[StoredFile]] = relationship(
        secondary="lesson_material", order_by="StoredFile.id"
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def held_until(self) -> datetime:
        """The end that counts for the lesson's time slot and for "coming" lists: the planned
        end, or when the advisor ended the lesson if that was earlier."""
        if self.room_ended_at is not None and self.room_ended_at < self.ends_at:
            return max(self.room_ended_at, self.starts_at)
        return self.ends_at

    @property
    def heading(self) -> str:
        """“Subject: topic”, or the subject alone for a lesson without a plan topic; the title
        alone for a teachers' event about no one subject."""
        if self.subject is None or self.title == self.subject.name:
            return self.title
        return f"{self.subject.name}: {self.title}"

    @property
    def cancelled(self) -> bool:
        return self.state is LessonState.CANCELLED


class AttendanceRow(Model):
    """One invited pupil of one lesson: what was detected (the live room, or a hand mark by the
    advisor) and what the pupil's tutor confirmed afterwards, kept side by side."""

    __tablename__ = "attendance_row"
    __table_args__ = (
        UniqueConstraint("lesson_id", "pupil_id"),
        CheckConstraint(
            f"minutes IS NULL OR minutes BETWEEN 0 AND {MAX_MINUTES}", name="minutes_range"
        ),
        CheckConstraint(
            "reason != 'other' OR reason_text IS NOT NULL", name="other_reason_has_text"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[Presence | None] = mapped_column(enum_column(Presence, "presence"))
    minutes: Mapped[int | None]
    source: Mapped[PresenceSource | None] = mapped_column(
        enum_column(PresenceSource, "presence_source")
    )
    confirmed_status: Mapped[Presence | None] = mapped_column(
        enum_column(Presence, "confirmed_presence")
    )
    reason: Mapped[AbsenceReason | None] = mapped_column(
        enum_column(AbsenceReason, "absence_reason")
    )
    reason_text: Mapped[str | None] = mapped_column(String(300))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An absent pupil who watched or listened to enough of the recording afterwards.
    caught_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lesson: Mapped[Lesson] = relationship(back_populates="register")
    pupil: Mapped[User] = relationship(foreign_keys=[pupil_id])

    @property
    def final_status(self) -> Presence | None:
        """What counts in reports: the tutor's confirmation, else what was detected."""
        return self.confirmed_status or self.status


class CalendarFeed(Model):
    """A person's secret iCalendar address; only the token's hash is kept, so it is shown once."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class RequestState(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


consultation_request_pupil = Table(
    "consultation_request_pupil",
    Model.metadata,
    Column(
        "request_id", ForeignKey("consultation_request.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("pupil_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class ConsultationRequest(Model):
    """A pupil, or a tutor for their pupils, asks an advisor for a consultation."""

    __tablename__ = "consultation_request"
    __table_args__ = (
        CheckConstraint(
            "state != 'declined' OR decline_reason IS NOT NULL", name="decline_has_reason"
        ),
        CheckConstraint("state != 'accepted' OR lesson_id IS NOT NULL", name="accepted_has_lesson"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    advisor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text, default="")
    preferred_times: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[RequestState] = mapped_column(
        enum_column(RequestState, "request_state"), default=RequestState.OPEN
    )
    decline_reason: Mapped[str | None] = mapped_column(Text)
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    advisor: Mapped[User] = relationship(foreign_keys=[advisor_id])
    subject: Mapped[Subject] = relationship()
    lesson: Mapped[Lesson | None] = relationship()
    pupils: Mapped[list[User]] = relationship(
        secondary=consultation_request_pupil, order_by=by_name(User.full_name, ROOT)
    )


lesson_material = Table(
    "lesson_material",
    Model.metadata,
    Column("lesson_id", ForeignKey("lesson.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "file_id", ForeignKey("stored_file.id", ondelete="CASCADE"), primary_key=True, unique=True
    ),
)


class PresenceInterval(Model):
    """A stretch of time a pupil spent in a lesson's live room, from joining to leaving. While it
    is open, the socket behind it refreshes `seen_at` on a heartbeat; one whose web process died
    is ended at its `seen_at` by a periodic sweep (rooms/presence.close_unseen)."""

    __tablename__ = "presence_interval"
    __table_args__ = (
        Index("ix_presence_interval_lesson_user", "lesson_id", "user_id"),
        Index("ix_presence_interval_left_at", "left_at"),  # the sweep looks for open ones
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # In the database, not in a process: any web instance's socket refreshes it, the sweep reads it.
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Ticked present by the classroom computer of the pupil's school, not joined in person.
    via_classroom: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The web instance whose socket holds it (rooms/store.py): when that instance stops beating,
    # its intervals are ended at once (rooms/presence.close_held_by_gone).
    instance: Mapped[str | None] = mapped_column(String(80))


class ChatMessage(Model):
    """A line of the lesson's chat, kept with the lesson."""

    __tablename__ = "chat_message"
    __table_args__ = (Index("ix_chat_message_lesson_id_id", "lesson_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class RoomEntry(Model):
    """A person who came into a lesson's live room. One removed by the advisor may not come back;
    one who was in before the room was locked may (a dropped link must not shut them out)."""

    __tablename__ = "room_entry"
    __table_args__ = (UniqueConstraint("lesson_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    first_joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SchoolRoomSetting(Model):
    """What the live room remembers of a school: it switched to audio only on a weak link."""

    __tablename__ = "school_room_setting"

    school_id: Mapped[int] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), primary_key=True
    )
    audio_only: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
