"""Requests for methodical help (the "methodical subscription"), their diagnosed deficits and the
individual route of steps that answers them; who holds the methodical service of a hub."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intersession.auth.models import User
from intersession.core.db import Model, UTCDateTime, enum_column, utcnow
from intersession.core.files import StoredFile
from intersession.schools.models import Subject

if TYPE_CHECKING:
    from intersession.lessons.models import Lesson
    from intersession.methodics.bank_models import Resource


class Format(enum.StrEnum):
    """How a step of a route (or a teacher's preference) is held: the formats of the documents."""

    LECTURE = "lecture"
    PRACTICUM = "practicum"
    TRAINING = "training"
    MASTER_CLASS = "master_class"
    METHODICAL_SESSION = "methodical_session"
    CONSULTING = "consulting"
    MENTORING = "mentoring"
    MENTORING_HOUR = "mentoring_hour"


class DeficitKind(enum.StrEnum):
    SUBJECT = "subject"  # the teacher's own command of the subject
    METHODICAL = "methodical"  # how to teach it


class HelpState(enum.StrEnum):
    SENT = "sent"  # waiting for the methodologist's diagnosis
    IN_ROUTE = "in_route"  # diagnosed: the route is being built and followed
    ENDED = "ended"  # the route ended with a result
    WITHDRAWN = "withdrawn"  # the teacher took the request back before it was diagnosed


class RouteResult(enum.StrEnum):
    CLOSED = "closed"
    PARTLY = "partly"
    NOT_CLOSED = "not_closed"


class Methodologist(Model):
    """A hub teacher who holds the hub's methodical service beside its coordinators (who always
    do): a capacity granted by the coordinator, not a role of its own."""

    __tablename__ = "methodologist"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class HelpRequest(Model):
    """A teacher's request for methodical help and, once diagnosed, the route that answers it."""

    __tablename__ = "help_request"
    __table_args__ = (
        CheckConstraint("usefulness IS NULL OR usefulness BETWEEN 1 AND 5", name="usefulness"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id", ondelete="SET NULL"))
    difficulty: Mapped[str] = mapped_column(Text)
    preferred_format: Mapped[Format | None] = mapped_column(enum_column(Format, "help_format"))
    preferred_time: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[HelpState] = mapped_column(
        enum_column(HelpState, "help_state"), default=HelpState.SENT
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    diagnosed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    diagnosed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[RouteResult | None] = mapped_column(enum_column(RouteResult, "route_result"))
    result_note: Mapped[str] = mapped_column(Text, default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feedback: Mapped[str] = mapped_column(Text, default="")
    usefulness: Mapped[int | None]  # the teacher's mark of the route, 1 to 5
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    teacher: Mapped[User] = relationship(foreign_keys=[teacher_id])
    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_id])
    subject: Mapped[Subject | None] = relationship()
    deficits: Mapped[list[Deficit]] = relationship(
        order_by="Deficit.id", cascade="all, delete-orphan", back_populates="request"
    )
    steps: Mapped[list[RouteStep]] = relationship(
        order_by="RouteStep.position", cascade="all, delete-orphan", back_populates="request"
    )


class Deficit(Model):
    """A deficit the methodologist found behind a request."""

    __tablename__ = "help_deficit"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_request.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DeficitKind] = mapped_column(enum_column(DeficitKind, "deficit_kind"))
    description: Mapped[str] = mapped_column(String(500))

    request: Mapped[HelpRequest] = relationship(back_populates="deficits")


class RouteStep(Model):
    """One module of a route: its format, date and responsible person; done by the teacher with a
    reflection, then confirmed by the mentor."""

    __tablename__ = "route_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("help_request.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    format: Mapped[Format] = mapped_column(enum_column(Format, "step_format"))
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="")
    planned_on: Mapped[date]
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reflection: Mapped[str] = mapped_column(Text, default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # A step held in the live room (a mentoring hour, a consultation): its teachers' event.
    event_lesson_id: Mapped[int | None] = mapped_column(
        ForeignKey("lesson.id", ondelete="SET NULL")
    )

    request: Mapped[HelpRequest] = relationship(back_populates="steps")
    event_lesson: Mapped[Lesson | None] = relationship()
    responsible: Mapped[User | None] = relationship(foreign_keys=[responsible_id])
    materials: Mapped[list[StoredFile]] = relationship(
        secondary="route_step_material", order_by="StoredFile.id"
    )
    resources: Mapped[list[Resource]] = relationship(
        secondary="route_step_resource", order_by="Resource.title"
    )


route_step_material = Table(
    "route_step_material",
    Model.metadata,
    Column("step_id", ForeignKey("route_step.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "file_id", ForeignKey("stored_file.id", ondelete="CASCADE"), primary_key=True, unique=True
    ),
)


class SurveyState(enum.StrEnum):
    DRAFT = "draft"  # being written by the methodologist; teachers do not see it
    OPEN = "open"  # teachers answer (and may change their answers)
    CLOSED = "closed"  # the answers are kept as they are


class NeedsSurvey(Model):
    """A survey of the teachers' educational needs: by subject, methodical theme and format."""

    __tablename__ = "needs_survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    intro: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[SurveyState] = mapped_column(
        enum_column(SurveyState, "survey_state"), default=SurveyState.DRAFT
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    themes: Mapped[list[SurveyTheme]] = relationship(
        order_by="SurveyTheme.position", cascade="all, delete-orphan", back_populates="survey"
    )
    responses: Mapped[list[NeedsResponse]] = relationship(
        cascade="all, delete-orphan", back_populates="survey"
    )


class SurveyTheme(Model):
    """A methodical theme the survey offers (formative assessment, the multi-grade class…)."""

    __tablename__ = "survey_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("needs_survey.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))

    survey: Mapped[NeedsSurvey] = relationship(back_populates="themes")


response_subject = Table(
    "needs_response_subject",
    Model.metadata,
    Column("response_id", ForeignKey("needs_response.id", ondelete="CASCADE"), primary_key=True),
    Column("subject_id", ForeignKey("subject.id", ondelete="CASCADE"), primary_key=True),
)
response_theme = Table(
    "needs_response_theme",
    Model.metadata,
    Column("response_id", ForeignKey("needs_response.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("survey_theme.id", ondelete="CASCADE"), primary_key=True),
)


class NeedsResponse(Model):
    """One teacher's answer to a survey: a row of the database of educational needs."""

    __tablename__ = "needs_response"
    __table_args__ = (UniqueConstraint("survey_id", "teacher_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("needs_survey.id", ondelete="CASCADE"), index=True
    )
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    other_needs: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    survey: Mapped[NeedsSurvey] = relationship(back_populates="responses")
    teacher: Mapped[User] = relationship()
    subjects: Mapped[list[Subject]] = relationship(secondary=response_subject)
    themes: Mapped[list[SurveyTheme]] = relationship(
        secondary=response_theme, order_by="SurveyTheme.position"
    )
    formats: Mapped[list[NeedFormat]] = relationship(cascade="all, delete-orphan")

    @property
    def chosen_formats(self) -> list[Format]:
        """The formats in the order the platform lists them, from a lecture to a mentoring hour."""
        order = list(Format)
        return sorted((f.format for f in self.formats), key=order.index)


class NeedFormat(Model):
    """A format of help the teacher would like, as answered."""

    __tablename__ = "needs_response_format"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("needs_response.id", ondelete="CASCADE"), primary_key=True
    )
    format: Mapped[Format] = mapped_column(enum_column(Format, "need_format"), primary_key=True)
