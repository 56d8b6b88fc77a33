"""The hub's readiness rules and the readiness reports built for its on-site sessions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intersession.core.db import Model, Points, UTCDateTime, enum_column, utcnow
from intersession.schools.models import YearSession

DEFAULT_MIN_ATTENDANCE = 70
DEFAULT_MIN_AVERAGE = Decimal(3)
DEFAULT_EXCUSED = "illness,olympiad"


class ReadinessRules(Model):
    """What a pupil needs to be ready for an on-site session, set by the hub's coordinator."""

    __tablename__ = "readiness_rules"
    __table_args__ = (
        CheckConstraint("min_attendance BETWEEN 0 AND 100", name="attendance_range"),
        CheckConstraint(
            "min_average IS NULL OR (min_average >= 0 AND min_average <= 5)", name="average_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), unique=True)
    min_attendance: Mapped[int] = mapped_column(default=DEFAULT_MIN_ATTENDANCE)  # percent
    count_caught_up: Mapped[bool] = mapped_column(default=True)  # a watched recording attends
    # Absence reasons (lessons.models.AbsenceReason values, comma-separated) that excuse a lesson:
    # it is left out of the pupil's rate instead of counting as missed.
    excused_reasons: Mapped[str] = mapped_column(Text, default=DEFAULT_EXCUSED)
    no_missing_work: Mapped[bool] = mapped_column(default=True)  # nothing missing past its cut-off
    min_average: Mapped[Decimal | None] = mapped_column(Points(3, 1), default=DEFAULT_MIN_AVERAGE)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReadinessReport(Model):
    """One build of a session's readiness report. Its content is a JSON snapshot of codes and
    figures (never translated text), so it reads the same in every language and stays as it was
    whatever changes later; the page shows the latest build and what changed since the one before."""

    __tablename__ = "readiness_report"
    __table_args__ = (Index("ix_readiness_report_session_built", "session_id", "built_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("year_session.id", ondelete="CASCADE"))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    built_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    window_starts_on: Mapped[date]
    window_ends_on: Mapped[date]
    content: Mapped[str] = mapped_column(Text)

    session: Mapped[YearSession] = relationship()


class MailKind(enum.StrEnum):
    TUTOR_DIGEST = "tutor_digest"
    ADVISOR_DIGEST = "advisor_digest"
    READINESS = "readiness"


class MailSent(Model):
    """An e-mail that went out: one per person, kind and key (a week, a report), so a task run
    again sends nothing twice."""

    __tablename__ = "mail_sent"
    __table_args__ = (UniqueConstraint("user_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[MailKind] = mapped_column(enum_column(MailKind, "mail_kind"))
    key: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MailChoice(Model):
    """A person's choice about e-mail digests; without a row, they get them."""

    __tablename__ = "mail_choice"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    digests: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ExportState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ProgressExport(Model):
    """Every pupil the requester may see, with their figures, register rows and work, as one
    workbook: made by a Celery task that counts its progress; only the requester downloads it."""

    __tablename__ = "progress_export"
    __table_args__ = (CheckConstraint("done >= 0 AND total >= 0", name="progress_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    span: Mapped[str] = mapped_column(String(10))  # progress.Span's value
    language: Mapped[str] = mapped_column(String(5))
    state: Mapped[ExportState] = mapped_column(
        enum_column(ExportState, "progress_export_state"), default=ExportState.QUEUED
    )
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    stored_name: Mapped[str | None] = mapped_column(String(64))  # under media/exports
    size: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
