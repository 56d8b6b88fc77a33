"""Sending notifications once, reading them, and the texts each kind is shown with."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from intersession.core.db import db, utcnow
from intersession.notifications.models import Notification

# kind -> a function of the stored parameters giving the text in the current language
_TEXTS: dict[str, Callable[[dict[str, Any]], str]] = {}


def register_text(kind: str, render: Callable[[dict[str, Any]], str]) -> None:
    """Features say how their kinds read; the text is made when shown, in the reader's language."""
    _TEXTS[kind] = render


def text_of(notification: Notification) -> str:
    render = _TEXTS.get(notification.kind)
    return render(notification.params) if render else _("A notification")


def notify_once(
    user_id: int, kind: str, key: str, params: dict[str, Any], link: str | None = None
) -> bool:
    """Add the notification unless one with this key exists; True if it was added. Safe against a
    task that runs twice, or twice at once: the database's unique key decides."""
    values = {
        "user_id": user_id, "kind": kind, "params_json": json.dumps(params, ensure_ascii=False),
        "link": link, "dedup_key": key, "created_at": utcnow(),
    }  # fmt: skip
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Notification)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(Notification.id)
    )
    # A row comes back only when one was inserted (rowcount is not reliable here on PostgreSQL).
    return db.session.execute(statement).first() is not None


_UNREAD = select(func.count()).where(
    Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)
)  # built once: every page shows the count


def unread_count(user_id: int) -> int:
    # Through the session's connection: a plain count needs none of the ORM's bookkeeping.
    return db.session.connection().scalar(_UNREAD, {"user_id": user_id}) or 0


def recent(user_id: int, limit: int = 50) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def mark_all_read(user_id: int) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
