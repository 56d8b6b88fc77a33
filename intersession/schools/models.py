"""Schools, cohorts, subjects, the academic year with its sessions, and the thematic plan."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from intersession.auth.models import User
from intersession.core.collation import ROOT, by_name
from intersession.core.db import Model, Points, UTCDateTime, enum_column, utcnow


class SchoolKind(enum.StrEnum):
    HUB = "hub"
    MAGNET = "magnet"


class SessionKind(enum.StrEnum):
    ORIENTATION = "orientation"
    INTERMEDIATE = "intermediate"
    FINAL = "final"


SESSION_ORDER = (SessionKind.ORIENTATION, SessionKind.INTERMEDIATE, SessionKind.FINAL)


class School(Model):
    __tablename__ = "school"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'hub' AND hub_id IS NULL) OR (kind = 'magnet' AND hub_id IS NOT NULL)",
            name="magnet_has_hub",
        ),
        CheckConstraint("length(trim(name)) > 0", name="name_present"),
        CheckConstraint(
            "recording_retention_days IS NULL OR recording_retention_days BETWEEN 1 AND 3650",
            name="retention_range",
        ),
        UniqueConstraint("district", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SchoolKind] = mapped_column(enum_column(SchoolKind, "school_kind"))
    hub_id: Mapped[int | None] = mapped_column(
        ForeignKey("school.id", ondelete="RESTRICT"), index=True
    )
    district: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    # A hub's: how many days lesson recordings are kept; None keeps them to the academic year's end.
    recording_retention_days: Mapped[int | None]

    hub: Mapped[School | None] = relationship(remote_side=[id], back_populates="magnets")
    # Orders fixed here cannot know the reader: ICU's neutral one; pages sort again for theirs.
    magnets: Mapped[list[School]] = relationship(
        back_populates="hub", order_by=lambda: by_name(School.name, ROOT)
    )

    @property
    def hub_school_id(self) -> int:
        return self.hub_id or self.id

    def __repr__(self) -> str:
        return f"<School {self.name}>"


def in_hub(hub_id: int) -> ColumnElement[bool]:
    """A filter for the schools of a hub: the hub school itself and its magnet schools."""
    return or_(School.id == hub_id, School.hub_id == hub_id)


class Subject(Model):
    __tablename__ = "subject"
    __table_args__ = (UniqueConstraint("hub_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))


class AcademicYear(Model):
    __tablename__ = "academic_year"
    __table_args__ = (
        UniqueConstraint("hub_id", "name"),
        CheckConstraint("starts_on < ends_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    sessions: Mapped[list[YearSession]] = relationship(
        back_populates="year", order_by="YearSession.starts_on", cascade="all, delete-orphan"
    )


class YearSession(Model):
    """One on-site session at the hub (orientation, intermediate, final); dates are inclusive."""

    __tablename__ = "year_session"
    __table_args__ = (
        UniqueConstraint("year_id", "kind"),
        CheckConstraint("starts_on <= ends_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"))
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind, "session_kind"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    year: Mapped[AcademicYear] = relationship(back_populates="sessions")


cohort_pupil = Table(
    "cohort_pupil",
    Model.metadata,
    Column("cohort_id", ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True),
    Column("pupil_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Cohort(Model):
    """The hub's class of pupils for one grade and year, drawn from several magnet schools."""

    __tablename__ = "cohort"
    __table_args__ = (
        UniqueConstraint("year_id", "name"),
        CheckConstraint("grade BETWEEN 8 AND 11", name="grade_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    grade: Mapped[int]

    year: Mapped[AcademicYear] = relationship()
    pupils: Mapped[list[User]] = relationship(
        secondary=cohort_pupil, order_by=by_name(User.full_name, ROOT)
    )


class TeachingAssignment(Model):
    """An advisor teaches a subject to a cohort."""

    __tablename__ = "teaching_assignment"
    __table_args__ = (UniqueConstraint("advisor_id", "cohort_id", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    advisor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"))

    advisor: Mapped[User] = relationship()
    cohort: Mapped[Cohort] = relationship()
    subject: Mapped[Subject] = relationship()


class PlanTopic(Model):
    """A topic of the calendar-thematic plan for a subject and grade, shared by hub and magnets."""

    __tablename__ = "plan_topic"
    __table_args__ = (
        UniqueConstraint("year_id", "subject_id", "grade", "position"),
        CheckConstraint("grade BETWEEN 8 AND 11", name="grade_range"),
        CheckConstraint("week BETWEEN 1 AND 53", name="week_range"),
        CheckConstraint("hours > 0", name="hours_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"))
    grade: Mapped[int]
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    week: Mapped[int]
    hours: Mapped[Decimal] = mapped_column(Points(5, 1))

    subject: Mapped[Subject] = relationship()


class ImportKind(enum.StrEnum):
    PEOPLE = "people"
    TOPICS = "topics"


class ImportState(enum.StrEnum):
    CHECKED = "checked"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportJob(Model):
    """A CSV import: checked and previewed first, then written all at once by a Celery task."""

    __tablename__ = "import_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    year_id: Mapped[int | None] = mapped_column(ForeignKey("academic_year.id", ondelete="CASCADE"))
    kind: Mapped[ImportKind] = mapped_column(enum_column(ImportKind, "import_kind"))
    state: Mapped[ImportState] = mapped_column(enum_column(ImportState, "import_state"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64))
    total_rows: Mapped[int] = mapped_column(default=0)
    done_rows: Mapped[int] = mapped_column(default=0)
    errors_json: Mapped[str] = mapped_column(Text, default="[]")
    # The ids of the people a finished import made, for its page to list them.
    made_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
