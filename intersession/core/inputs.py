"""What the platform accepts from a request, in one place per kind of input: ids and whole
numbers inside the database's range, dates inside the years the platform runs in, text without
control characters. Every route, query argument, form and Socket.IO event goes through these, so
a view added later is covered without anyone remembering to."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, Map

# PostgreSQL's INTEGER, the narrowest id and number column we have (SQLite's is 64-bit).
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
# Grades, points and hours: far beyond any real value, well inside NUMERIC(…, 2) and quantize.
DECIMAL_LIMIT = Decimal(1_000_000)
# Tab, line feed and carriage return are text; every other C0 control, DEL and the C1 controls
# are not (PostgreSQL refuses NUL outright; the rest end up raw in HTML, iCalendar and headers).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
PAYLOAD_DEPTH = 8


def whole_number(text: object) -> int:
    """A whole number in the database's range, or ValueError: "10**20", "²" and " 7" alike."""
    if isinstance(text, bool):
        raise ValueError(text)
    if isinstance(text, int):
        number = text
    else:
        value = str(text).strip()
        if not value.isascii() or not re.fullmatch(r"[-+]?[0-9]{1,12}", value):
            raise ValueError(text)
        number = int(value)
    if not INT_MIN <= number <= INT_MAX:
        raise ValueError(text)
    return number


def number_or_none(text: object) -> int | None:
    """`whole_number`, with None for anything that is not one."""
    try:
        return whole_number(text)
    except ValueError:
        return None


def day_in_range(value: date) -> bool:
    return FIRST_DAY <= value <= LAST_DAY


def parse_day(text: object) -> date:
    """A date written as YYYY-MM-DD inside the years the platform accepts, or ValueError."""
    value = date.fromisoformat(str(text).strip())
    if not day_in_range(value):
        raise ValueError(text)
    return value


def decimal_number(text: object) -> Decimal:
    """A finite decimal within ±DECIMAL_LIMIT ("4,5" reads as 4.5), or ValueError."""
    try:
        number = Decimal(str(text).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValueError(text) from None
    if not number.is_finite() or abs(number) > DECIMAL_LIMIT:
        raise ValueError(text)
    return number


def has_control(text: str) -> bool:
    return CONTROL.search(text) is not None


def payload_is_clean(value: Any, depth: int = 0) -> bool:
    """A Socket.IO or JSON payload with no control characters in its strings and keys, no number
    past the database's range, and no deeper than anything the platform sends."""
    if depth > PAYLOAD_DEPTH:
        return False
    if isinstance(value, str):
        return not has_control(value)
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return INT_MIN <= value <= INT_MAX
    if isinstance(value, float):
        return value == value and abs(value) < 1e15  # NaN is the one value unequal to itself
    if isinstance(value, Mapping):
        return all(
            payload_is_clean(k, depth + 1) and payload_is_clean(v, depth + 1)
            for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return all(payload_is_clean(v, depth + 1) for v in value)
    return True  # bytes (binary attachments) carry no text


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in every route: an id past the database's range is a missing object (404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


_BOUNDED = {int: whole_number, date.fromisoformat: parse_day}


class BoundedArgs(ImmutableMultiDict[str, str]):
    """Query arguments and form fields: `.get(name, type=int)` gives whole numbers in the
    database's range only, `type=date.fromisoformat` dates in the platform's years only (else the
    default, as for any value that does not parse); `.getlist` likewise."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]
        return super().get(key, default, _BOUNDED.get(type, type))

    def getlist(self, key: Any, type: Any = None) -> Any:
        return super().getlist(key, _BOUNDED.get(type, type))


class AppRequest(Request):
    """Flask's request with bounded query arguments and form fields."""

    parameter_storage_class = BoundedArgs
