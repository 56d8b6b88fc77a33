"""An upload on its way: how long the file will be, how much of it has arrived, for what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from intersession.core.db import Model, UTCDateTime, utcnow


class ResumableUpload(Model):
    __tablename__ = "resumable_upload"
    __table_args__ = (
        CheckConstraint("received >= 0 AND received <= length", name="received_within_length"),
    )

    # Generated, unguessable, and the name of its file: it is the address the client resumes at.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(40))  # what it is for, "work:12" (see services)
    filename: Mapped[str] = mapped_column(String(255))
    length: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    @property
    def complete(self) -> bool:
        return self.received == self.length
