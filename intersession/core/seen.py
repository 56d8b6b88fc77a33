"""What a person has looked at since it last changed: a grade released, a comment added.

One row per person and thing looked at, keeping when they last opened its page; "new" is what
changed after that moment. Kept in the database (every instance agrees on it), written only on
the pages that show the thing, and at most once a minute per thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from intersession.core.db import Model, UTCDateTime, db, utcnow

WORK = "work"  # an assignment's page, as its pupil sees it: the grade and the feedback
ENTRY = "entry"  # a portfolio entry's page, as its pupil sees it: the comments
REWRITE_AFTER = timedelta(minutes=1)


class SeenMark(Model):
    __tablename__ = "seen_mark"
    __table_args__ = (UniqueConstraint("user_id", "what", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    what: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int]
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


def mark_seen(user_id: int, what: str, object_id: int) -> None:
    """The person has the thing's page in front of them now (commits)."""
    now = utcnow()
    changed = db.session.execute(
        update(SeenMark)
        .where(
            SeenMark.user_id == user_id,
            SeenMark.what == what,
            SeenMark.object_id == object_id,
            SeenMark.seen_at < now - REWRITE_AFTER,
        )
        .values(seen_at=now)
    )
    if changed.rowcount:  # type: ignore[attr-defined]
        db.session.commit()
        return
    if seen_times(user_id, what, [object_id]):
        return  # seen less than a minute ago
    db.session.add(SeenMark(user_id=user_id, what=what, object_id=object_id, seen_at=now))
    try:
        db.session.commit()
    except IntegrityError:  # the same page open twice at once: the other one wrote it
        db.session.rollback()


def seen_times(user_id: int, what: str, object_ids: Iterable[int]) -> dict[int, datetime]:
    """When the person last opened each thing's page (absent: never)."""
    ids = list(object_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(SeenMark.object_id, SeenMark.seen_at).where(
            SeenMark.user_id == user_id, SeenMark.what == what, SeenMark.object_id.in_(ids)
        )
    )
    return {object_id: seen_at for object_id, seen_at in rows}
