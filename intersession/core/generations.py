"""A counter per table that goes up with every committed write to it: what a cached page checks.

Every INSERT, UPDATE and DELETE that goes through SQLAlchemy (the ORM's flushes, bulk statements,
association tables) is noted on its connection; when the session commits, the counters of the
tables written are raised in the same transaction, so a counter never runs ahead of or behind the
data it stands for, in any process (the web server, the Celery worker). A rolled-back transaction
raises nothing.

While a cached fragment renders, the tables its SELECTs read are noted (see `reading`); the
fragment is good for as long as those tables' counters stay where they were.

Writes made without a session (a bare `engine.begin()`) are not counted: the application writes
through `db.session`, migrations run before the server starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import g, has_app_context
from sqlalchemy import BigInteger, String, Table, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql import ClauseElement, Select
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.util import find_tables

from intersession.core.db import Model, db

TABLE = "data_generation"
_WRITTEN = "generations.written"
_reads: ContextVar[set[str] | None] = ContextVar("generations.reads", default=None)


class DataGeneration(Model):
    __tablename__ = TABLE

    table_name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Unrecordable(Exception):
    """A statement read while recording whose tables cannot be known: do not cache."""


def _tables(statement: ClauseElement) -> set[str]:
    found = find_tables(statement, include_joins=True, include_aliases=True, include_crud=True)
    return {t.name for t in found if isinstance(t, Table)} - {TABLE}


def _note(conn: Connection, statement: Any, multiparams: Any, params: Any, options: Any) -> None:
    if isinstance(statement, UpdateBase):
        written = _tables(statement)
        if written:
            conn.info.setdefault(_WRITTEN, set()).update(written)
        return
    reads = _reads.get()
    if reads is None:
        return
    tables = _tables(statement) if isinstance(statement, Select) else set()
    if not tables:
        reads.add("*")  # text() or something else we cannot see into: the fragment is not kept
    reads.update(tables)


def _forget(conn: Connection) -> None:
    conn.info.pop(_WRITTEN, None)


def _raise_counters(session: Session) -> None:
    """Before the commit: the last flush, then one statement raising every table written."""
    if has_app_context():
        g.pop("_generations", None)  # read again after this commit, not from before it
    session.flush()
    if not session.in_transaction():
        return
    conn = session.connection()
    written = sorted(conn.info.pop(_WRITTEN, ()))
    if not written:
        return
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    # One row per table, in name order (two writers lock the same rows in the same order).
    statement = (
        insert(DataGeneration)
        .values([{"table_name": name, "value": 1} for name in written])
        .on_conflict_do_update(
            index_elements=["table_name"], set_={"value": DataGeneration.value + 1}
        )
    )
    conn.execute(statement)


def install() -> None:
    """Listen on every engine and session of the application (once per process)."""
    if getattr(install, "done", False):
        return
    from sqlalchemy.engine import Engine

    event.listen(Engine, "before_execute", _note)
    event.listen(Engine, "commit", _forget)
    event.listen(Engine, "rollback", _forget)
    event.listen(Session, "before_commit", _raise_counters)
    install.done = True  # type: ignore[attr-defined]


_ALL = select(DataGeneration.table_name, DataGeneration.value)


def current() -> dict[str, int]:
    """Every table's counter, read once per request.

    On PostgreSQL (READ COMMITTED: every statement sees what was committed before it began) they
    are read outside the request's transaction, so a page served from kept fragments opens none:
    a BEGIN and a ROLLBACK fewer, and whatever the request reads afterwards is at least as new as
    the counters. SQLite keeps one snapshot per read transaction, begun at its first read, which may
    be older than the counters; there they are read inside it."""
    found: dict[str, int] | None = g.get("_generations")
    if found is None:
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                rows = conn.execute(_ALL).all()
        else:
            rows = db.session.connection().execute(_ALL).all()  # Core rows: no ORM bookkeeping
        found = g._generations = {name: value for name, value in rows}
    return found


def uncommitted_writes() -> bool:
    """Whether this request's transaction has written anything it has not committed."""
    session = db.session()
    if session.new or session.dirty or session.deleted:
        return True
    return session.in_transaction() and bool(session.connection().info.get(_WRITTEN))


@contextmanager
def reading() -> Iterator[set[str]]:
    """The tables read inside the block ('*' among them: something unknown was read)."""
    tables: set[str] = set()
    token = _reads.set(tables)
    try:
        yield tables
    finally:
        _reads.reset(token)
