"""People and their sign-in sessions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intersession.core.db import Model, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from intersession.schools.models import School


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    ADVISOR = "advisor"
    TUTOR = "tutor"
    PUPIL = "pupil"


class Language(enum.StrEnum):
    RU = "ru"
    KK = "kk"
    EN = "en"


LOGIN_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"


class User(Model):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint("login = lower(login)", name="login_lowercase"),
        CheckConstraint(
            "(role = 'pupil' AND grade IS NOT NULL AND grade BETWEEN 8 AND 11) "
            "OR (role != 'pupil' AND grade IS NULL)",
            name="grade_for_pupils",
        ),
        CheckConstraint("length(trim(full_name)) > 0", name="full_name_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # Kept lower-case (checked above), so the unique index is case-insensitive on every database.
    login: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    grade: Mapped[int | None]
    language: Mapped[Language | None] = mapped_column(enum_column(Language, "language"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped[School] = relationship(lazy="joined", innerjoin=True)

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def hub_id(self) -> int:
        """The hub school this person belongs to: their own school's hub, or the school itself."""
        return self.school.hub_id or self.school.id

    @property
    def short_name(self) -> str:
        """Surname and initials (“Байжанова Р. К.”), for the page header."""
        surname, *given = self.full_name.split()
        return " ".join([surname, *(f"{name[0]}." for name in given[:2])])

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.login} {self.role.value}>"


class LoginSession(Model):
    """One signed-in browser; the cookie holds a token whose hash is kept here, so it can be ended."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(String(64))


class LoginFailure(Model):
    """A failed sign-in, counted per account and per address over a sliding window."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
