"""The hub's resource bank: methodical materials teachers upload and the methodologist publishes,
their ratings and comments, and the route steps they are attached to."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intersession.auth.models import User
from intersession.core.db import Model, UTCDateTime, enum_column, utcnow
from intersession.core.files import StoredFile
from intersession.methodics.models import Format
from intersession.schools.models import Subject


class ResourceKind(enum.StrEnum):
    LESSON_PLAN = "lesson_plan"
    SITUATIONAL_TASK = "situational_task"
    PRESENTATION = "presentation"
    OPEN_LESSON = "open_lesson"  # the recording or the write-up of an open lesson
    METHODICAL_GUIDE = "methodical_guide"
    OTHER = "other"


class ResourceState(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting for the methodologist's review
    PUBLISHED = "published"  # in the bank, for every teacher of the hub
    RETURNED = "returned"  # sent back to the author with a note


class Resource(Model):
    """A methodical material of the hub's resource bank: uploaded by a teacher, published after
    the methodologist's review."""

    __tablename__ = "resource"
    __table_args__ = (CheckConstraint("grade IS NULL OR grade BETWEEN 0 AND 11", name="grade"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[ResourceKind] = mapped_column(enum_column(ResourceKind, "resource_kind"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id", ondelete="SET NULL"))
    grade: Mapped[int | None]  # 0 for the pre-school class
    theme: Mapped[str] = mapped_column(String(300), default="")
    format: Mapped[Format | None] = mapped_column(enum_column(Format, "resource_format"))
    link: Mapped[str] = mapped_column(String(1000), default="")  # a recording elsewhere
    state: Mapped[ResourceState] = mapped_column(
        enum_column(ResourceState, "resource_state"), default=ResourceState.SUBMITTED
    )
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    downloads: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    subject: Mapped[Subject | None] = relationship()
    files: Mapped[list[StoredFile]] = relationship(
        secondary="resource_file", order_by="StoredFile.id"
    )
    ratings: Mapped[list[ResourceRating]] = relationship(cascade="all, delete-orphan")
    comments: Mapped[list[ResourceComment]] = relationship(
        cascade="all, delete-orphan", order_by="ResourceComment.id"
    )

    @property
    def rating(self) -> float | None:
        marks = [r.stars for r in self.ratings]
        return sum(marks) / len(marks) if marks else None


resource_file = Table(
    "resource_file",
    Model.metadata,
    Column("resource_id", ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "file_id", ForeignKey("stored_file.id", ondelete="CASCADE"), primary_key=True, unique=True
    ),
)


class ResourceRating(Model):
    __tablename__ = "resource_rating"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),)

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True
    )
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    stars: Mapped[int]


class ResourceComment(Model):
    __tablename__ = "resource_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resource.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()


route_step_resource = Table(
    "route_step_resource",
    Model.metadata,
    Column("step_id", ForeignKey("route_step.id", ondelete="CASCADE"), primary_key=True),
    Column("resource_id", ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True),
)
