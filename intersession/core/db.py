"""The declarative base, shared column helpers and SQLite connection settings."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DDL, DateTime, MetaData, Numeric, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from intersession.core import collation

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Tests build the schema with create_all; real databases get the collations from migration 0016.
for _statement in collation.create_collations_sql():
    event.listen(Base.metadata, "before_create", DDL(_statement).execute_if(dialect="postgresql"))


def delete_or_conflict(instance: object, message: str) -> None:
    """Delete and commit; a row still referred to by others (a cohort with lessons, a topic with
    work) is refused with `message` instead of a database error. Lower floors cannot see what
    the features above keep, so the database's foreign keys say it for them."""
    from sqlalchemy.exc import IntegrityError

    from intersession.core.errors import Conflict

    db.session.delete(instance)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(message) from None


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store times as aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Points(TypeDecorator[Decimal]):
    """A number with up to two decimals (grades, points, hours) that reads back as it was
    written: 5 not 5.00, 4.5 not 4.50, 100 not 1E+2. Every page, form and export then shows it
    without knowing the column's scale."""

    impl = Numeric(6, 2)
    cache_ok = True

    def __init__(self, precision: int = 6, scale: int = 2) -> None:
        super().__init__()
        self.impl = Numeric(precision, scale)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        number = Decimal(value)
        if number == number.to_integral_value():
            return number.quantize(Decimal(1))
        return number.normalize()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL for concurrent readers beside the writer, foreign keys actually enforced, and the
    collations and search function that PostgreSQL has as ICU collations."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    collation.register_sqlite(dbapi_connection)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # Flask-SQLAlchemy builds db.Model at run time; mypy sees the plain declarative base.
    Model = Base
else:
    Model = db.Model


def enum_column(enum_cls: type[Any], name: str) -> Any:
    """A string column restricted to the enum's values by a CHECK constraint in the database."""
    from sqlalchemy import Enum

    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
