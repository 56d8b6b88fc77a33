"""Pupils' portfolios: achievements with evidence, verified by their tutor, commented by advisors."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intersession.auth.models import User
from intersession.core.db import Model, UTCDateTime, enum_column, utcnow
from intersession.core.files import StoredFile
from intersession.schools.models import Subject


class EntryKind(enum.StrEnum):
    OLYMPIAD = "olympiad"
    COMPETITION = "competition"  # a competition or contest
    PROJECT = "project"
    RESEARCH = "research"
    CERTIFICATE = "certificate"  # a certificate or a course
    CREATIVE = "creative"
    SOCIAL = "social"  # social or sports activity
    GRADED_WORK = "graded_work"


class Level(enum.StrEnum):
    SCHOOL = "school"
    DISTRICT = "district"
    REGION = "region"
    REPUBLIC = "republic"
    INTERNATIONAL = "international"


class Result(enum.StrEnum):
    PARTICIPANT = "participant"
    PRIZE = "prize"  # prize-winner, with a place
    WINNER = "winner"


class EntryState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for the tutor
    CHANGES_REQUESTED = "changes_requested"
    VERIFIED = "verified"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a newer version was verified


portfolio_evidence = Table(
    "portfolio_evidence",
    Model.metadata,
    Column("entry_id", ForeignKey("portfolio_entry.id", ondelete="CASCADE"), primary_key=True),
    Column("file_id", ForeignKey("stored_file.id", ondelete="CASCADE"), primary_key=True),
)


class PortfolioEntry(Model):
    """One achievement. A verified entry is locked: a change makes a new version (`previous`),
    verified again; only verified entries count in reports and exports."""

    __tablename__ = "portfolio_entry"
    __table_args__ = (
        CheckConstraint("length(trim(title)) > 0", name="title_present"),
        CheckConstraint("result != 'prize' OR place BETWEEN 1 AND 10", name="prize_has_place"),
        Index("ix_portfolio_entry_pupil_state", "pupil_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind, "entry_kind"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    happened_on: Mapped[date]
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id", ondelete="SET NULL"))
    level: Mapped[Level | None] = mapped_column(enum_column(Level, "entry_level"))
    result: Mapped[Result | None] = mapped_column(enum_column(Result, "entry_result"))
    place: Mapped[int | None]
    links: Mapped[str] = mapped_column(Text, default="")  # one address a line
    state: Mapped[EntryState] = mapped_column(
        enum_column(EntryState, "entry_state"), default=EntryState.DRAFT
    )
    state_note: Mapped[str] = mapped_column(Text, default="")  # the tutor's request or reason
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The graded work this entry came from: one entry per submission, however often it is graded.
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL"), unique=True
    )
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("portfolio_entry.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    pupil: Mapped[User] = relationship(foreign_keys=[pupil_id])
    subject: Mapped[Subject | None] = relationship()
    evidence: Mapped[list[StoredFile]] = relationship(
        secondary=portfolio_evidence, order_by=StoredFile.id
    )
    previous: Mapped[PortfolioEntry | None] = relationship(remote_side=[id])
    comments: Mapped[list[PortfolioComment]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="PortfolioComment.id"
    )

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class PortfolioComment(Model):
    """A comment on an entry, answering another one or not; shown as text."""

    __tablename__ = "portfolio_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("portfolio_entry.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("portfolio_comment.id", ondelete="CASCADE")
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[PortfolioEntry] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class ExportKind(enum.StrEnum):
    PDF = "pdf"
    ZIP = "zip"  # the PDF with the evidence files


class ExportState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PortfolioExport(Model):
    """A pupil's verified portfolio as a file, built by a Celery task that reports its progress."""

    __tablename__ = "portfolio_export"
    __table_args__ = (CheckConstraint("done >= 0 AND total >= 0", name="progress_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[ExportKind] = mapped_column(enum_column(ExportKind, "export_kind"))
    state: Mapped[ExportState] = mapped_column(
        enum_column(ExportState, "export_state"), default=ExportState.QUEUED
    )
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    entries: Mapped[int] = mapped_column(default=0)  # verified entries in the file
    stored_name: Mapped[str | None] = mapped_column(String(64))  # under media/exports
    size: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    pupil: Mapped[User] = relationship(foreign_keys=[pupil_id])
