"""What the live room keeps in the database: the link checks of the schools."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from intersession.core.db import Model, UTCDateTime, utcnow


class LinkCheck(Model):
    """One measurement of a school's link to the hub's server, made from the room's pre-flight
    panel on one of the school's computers: the school's link history (rooms/link_check.py)."""

    __tablename__ = "link_check"
    __table_args__ = (
        Index("ix_link_check_school_measured", "school_id", "measured_at"),
        CheckConstraint("down_kbps > 0 AND up_kbps > 0", name="rates_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    down_kbps: Mapped[int]
    up_kbps: Mapped[int]
