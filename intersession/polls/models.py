"""What a poll keeps: the question with its options and its state, each pupil's answer, and the
counts a classroom's tutor entered for the pupils behind the computer."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intersession.core.db import Model, UTCDateTime, enum_column, utcnow

MAX_OPTIONS = 8
QUESTION_LENGTH = 300
OPTION_LENGTH = 100
NUMBER_LIMIT = 1e9  # an answer by number lies within ±this


class PollKind(enum.StrEnum):
    SINGLE = "single"  # one of the options
    MULTIPLE = "multiple"  # any of the options
    YES_NO = "yes-no"  # the options are yes and no, in the reader's language
    NUMBER = "number"  # a number (an answer to a sum, an estimate)


class PollState(enum.StrEnum):
    OPEN = "open"  # answers are taken
    CLOSED = "closed"  # no more answers; the results are the advisor's
    PUBLISHED = "published"  # closed, and everyone sees the results


class Poll(Model):
    __tablename__ = "poll"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(String(QUESTION_LENGTH))
    kind: Mapped[PollKind] = mapped_column(enum_column(PollKind, "poll_kind"))
    options: Mapped[list[str]] = mapped_column(JSON, default=list)  # single and multiple only
    state: Mapped[PollState] = mapped_column(
        enum_column(PollState, "poll_state"), default=PollState.OPEN
    )
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    answers: Mapped[list[PollAnswer]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", passive_deletes=True
    )
    counts: Mapped[list[PollCount]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def choosing(self) -> bool:
        return self.kind is not PollKind.NUMBER


class PollAnswer(Model):
    """A pupil's answer, given by themselves or by the classroom computer they sat behind; given
    again while the poll is open, it replaces the first."""

    __tablename__ = "poll_answer"
    __table_args__ = (UniqueConstraint("poll_id", "pupil_id", name="uq_poll_answer_pupil"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    choices: Mapped[list[int]] = mapped_column(JSON, default=list)  # option indexes, from 0
    number: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    poll: Mapped[Poll] = relationship(back_populates="answers")

    def value(self) -> Any:
        return self.number if self.poll.kind is PollKind.NUMBER else self.choices


class PollCount(Model):
    """How many of a school's pupils behind its classroom computer chose each option, as its tutor
    counted them (hands up); entered again, it replaces the first."""

    __tablename__ = "poll_count"
    __table_args__ = (
        UniqueConstraint("poll_id", "school_id", name="uq_poll_count_school"),
        CheckConstraint("answered >= 0", name="answered_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("poll.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    counts: Mapped[list[int]] = mapped_column(JSON, default=list)  # per option
    answered: Mapped[int]  # pupils who answered (for multiple choice, not the counts' sum)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    poll: Mapped[Poll] = relationship(back_populates="counts")
