"""Work set by advisors between sessions, the pupils' submissions, and their grading."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intersession.auth.models import User
from intersession.core.collation import ROOT, by_name
from intersession.core.db import Model, Points, UTCDateTime, enum_column, utcnow
from intersession.core.files import StoredFile
from intersession.schools.models import Cohort, PlanTopic, Subject


class AssignmentState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Scale(enum.StrEnum):
    FIVE = "five"  # the school's 5-point scale
    HUNDRED = "hundred"  # 0-100
    RUBRIC = "rubric"  # the sum of the criteria's points


class SubmissionState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    GRADED = "graded"
    RETURNED = "returned"  # for rework: the pupil may make a new attempt


assignment_pupil = Table(
    "assignment_pupil",
    Model.metadata,
    Column("assignment_id", ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True),
    Column("pupil_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)

assignment_file = Table(
    "assignment_file",
    Model.metadata,
    Column("assignment_id", ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True),
    Column("file_id", ForeignKey("stored_file.id", ondelete="CASCADE"), primary_key=True),
)

submission_file = Table(
    "submission_file",
    Model.metadata,
    Column("submission_id", ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True),
    Column("file_id", ForeignKey("stored_file.id", ondelete="CASCADE"), primary_key=True),
)


class Assignment(Model):
    """Work for a cohort, or for chosen pupils of it. Dates are UTC; the cut-off, when set, is the
    last moment a late submission is taken."""

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint("due_at > opens_at", name="due_after_open"),
        CheckConstraint("cutoff_at IS NULL OR cutoff_at >= due_at", name="cutoff_after_due"),
        CheckConstraint("accepts_files OR accepts_text", name="some_way_to_submit"),
        CheckConstraint("max_files BETWEEN 1 AND 20", name="max_files_range"),
        CheckConstraint("max_file_mb BETWEEN 1 AND 200", name="max_file_mb_range"),
        CheckConstraint("attempts IS NULL OR attempts BETWEEN 1 AND 10", name="attempts_range"),
        Index("ix_assignment_cohort_due", "cohort_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    advisor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="RESTRICT"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="RESTRICT"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("plan_topic.id", ondelete="SET NULL"))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    instructions: Mapped[str] = mapped_column(Text, default="")  # Markdown
    state: Mapped[AssignmentState] = mapped_column(
        enum_column(AssignmentState, "assignment_state"), default=AssignmentState.DRAFT
    )
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cutoff_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepts_files: Mapped[bool] = mapped_column(default=True)
    accepts_text: Mapped[bool] = mapped_column(default=True)
    file_kinds: Mapped[str] = mapped_column(String(100), default="pdf,image,office,text")
    max_file_mb: Mapped[int] = mapped_column(default=20)
    max_files: Mapped[int] = mapped_column(default=5)
    attempts: Mapped[int | None]  # None: until graded (always set by the service)
    scale: Mapped[Scale] = mapped_column(enum_column(Scale, "grade_scale"), default=Scale.FIVE)
    release_at_once: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    advisor: Mapped[User] = relationship()
    cohort: Mapped[Cohort] = relationship()
    subject: Mapped[Subject] = relationship()
    topic: Mapped[PlanTopic | None] = relationship()
    chosen_pupils: Mapped[list[User]] = relationship(
        secondary=assignment_pupil, order_by=by_name(User.full_name, ROOT)
    )
    files: Mapped[list[StoredFile]] = relationship(
        secondary=assignment_file, order_by=StoredFile.id
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan", order_by="Criterion.position"
    )

    @property
    def pupils(self) -> list[User]:
        """Who the work is for: the chosen pupils, or the whole cohort."""
        return list(self.chosen_pupils) or list(self.cohort.pupils)

    @property
    def max_grade(self) -> Decimal:
        if self.scale is Scale.FIVE:
            return Decimal(5)
        if self.scale is Scale.HUNDRED:
            return Decimal(100)
        return sum((c.max_points for c in self.criteria), Decimal(0))


class Criterion(Model):
    """A rubric criterion: a name, its maximum points and what each level looks like."""

    __tablename__ = "criterion"
    __table_args__ = (
        CheckConstraint("max_points > 0 AND max_points <= 100", name="max_points_range"),
        UniqueConstraint("assignment_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    max_points: Mapped[Decimal] = mapped_column(Points())
    levels: Mapped[str] = mapped_column(Text, default="")

    assignment: Mapped[Assignment] = relationship(back_populates="criteria")


class Extension(Model):
    """A later due date (and cut-off) granted to one pupil."""

    __tablename__ = "extension"
    __table_args__ = (UniqueConstraint("assignment_id", "pupil_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cutoff_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Submission(Model):
    """One attempt of a pupil at an assignment. `version` rises with every save, so two people
    saving the same submission at once cannot overwrite each other unseen."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("assignment_id", "pupil_id", "attempt"),
        CheckConstraint("attempt >= 1", name="attempt_positive"),
        CheckConstraint("grade IS NULL OR grade >= 0", name="grade_not_negative"),
        Index("ix_submission_pupil", "pupil_id", "assignment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(default=1)
    state: Mapped[SubmissionState] = mapped_column(
        enum_column(SubmissionState, "submission_state"), default=SubmissionState.DRAFT
    )
    text: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late_seconds: Mapped[int | None]  # how late it came, None when on time
    # A tutor attested that lateness came from the connection: then it does not count as late.
    excused_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    excuse_note: Mapped[str | None] = mapped_column(Text)
    grade: Mapped[Decimal | None] = mapped_column(Points())
    feedback: Mapped[str] = mapped_column(Text, default="")
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    assignment: Mapped[Assignment] = relationship()
    pupil: Mapped[User] = relationship(foreign_keys=[pupil_id])
    excused_by: Mapped[User | None] = relationship(foreign_keys=[excused_by_id])
    files: Mapped[list[StoredFile]] = relationship(
        secondary=submission_file, order_by=StoredFile.id
    )
    scores: Mapped[list[CriterionScore]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )

    @property
    def counts_late(self) -> bool:
        return self.late_seconds is not None and self.excused_by_id is None

    @property
    def released(self) -> bool:
        return self.released_at is not None


class CriterionScore(Model):
    __tablename__ = "criterion_score"
    __table_args__ = (
        UniqueConstraint("submission_id", "criterion_id"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))
    points: Mapped[Decimal] = mapped_column(Points())

    submission: Mapped[Submission] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()
