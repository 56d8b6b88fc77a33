"""Events for teachers (seminars, webinars, master classes, mentoring hours, conferences): each is a
lesson of the kind `teacher_event` held in the same live rooms, its presenter as the advisor and
the teachers taking part in its register; this row says what the lesson is as an event."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intersession.core.db import Model, UTCDateTime, enum_column, utcnow
from intersession.lessons.models import Lesson
from intersession.methodics.bank_models import Resource


class EventFormat(enum.StrEnum):
    SEMINAR = "seminar"
    WEBINAR = "webinar"
    MASTER_CLASS = "master_class"
    MENTORING_HOUR = "mentoring_hour"
    CONFERENCE = "conference"
    OPEN_LESSON = "open_lesson"


class TeacherEvent(Model):
    __tablename__ = "teacher_event"

    lesson_id: Mapped[int] = mapped_column(
        ForeignKey("lesson.id", ondelete="CASCADE"), primary_key=True
    )
    hub_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    format: Mapped[EventFormat] = mapped_column(enum_column(EventFormat, "event_format"))
    # Open: any teacher of the hub registers; closed: only the teachers invited take part.
    open: Mapped[bool] = mapped_column(default=True)
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lesson: Mapped[Lesson] = relationship()
    resources: Mapped[list[Resource]] = relationship(
        secondary="event_resource", order_by="Resource.title"
    )


event_resource = Table(
    "event_resource",
    Model.metadata,
    Column("event_id", ForeignKey("teacher_event.lesson_id", ondelete="CASCADE"), primary_key=True),
    Column("resource_id", ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True),
)
