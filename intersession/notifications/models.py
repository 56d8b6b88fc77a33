"""A notification for one person; its text is rendered in the reader's language when shown."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from intersession.core.db import Model, UTCDateTime, utcnow


class Notification(Model):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    link: Mapped[str | None] = mapped_column(String(300))
    # The same event never notifies the same person twice, however often a task runs.
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def params(self) -> dict[str, Any]:
        return dict(json.loads(self.params_json))
