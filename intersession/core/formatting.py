"""Words, dates and numbers for templates, at the cost a page of a few hundred cells can afford.

Flask-Babel looks up the locale, the time zone and the catalogue on every call, which costs more
than the formatting itself; a gradebook calls it hundreds of times. Here they are looked up once
per request (again if the locale is forced to another one), and formatted values are remembered:
they are pure functions of the value, the pattern, the locale and the zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache

from babel import Locale, dates, numbers
from babel.support import NullTranslations
from flask import Flask, g
from flask_babel import get_locale, get_timezone, get_translations


def _current() -> tuple[Locale, tzinfo, NullTranslations]:
    locale = get_locale() or Locale.parse("ru")
    cached: tuple[Locale, tzinfo, NullTranslations] | None = g.get("_formatting")
    if cached is None or cached[0] is not locale:
        cached = (locale, get_timezone() or UTC, get_translations())
        g._formatting = cached
    return cached


def install_gettext(app: Flask) -> None:
    """Template `_()` and `ngettext()` through the per-request catalogue."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _current()[2].ugettext(s),
        ngettext=lambda s, p, n: _current()[2].ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _current()[2].upgettext(c, s),
        npgettext=lambda c, s, p, n: _current()[2].unpgettext(c, s, p, n),
    )


def gettext(message: str, **variables: object) -> str:
    """Flask-Babel's gettext with the per-request catalogue."""
    text: str = _current()[2].ugettext(message)
    return text % variables if variables else text


def format_seconds(seconds: float) -> str:
    """A duration in words: 3 minutes, 2 hours, 1 day."""
    return _seconds_text(round(seconds), _current()[0])


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def format_datetime(value: datetime | None, format: str | None = None) -> str:
    """A moment in the reader's zone; naive values are UTC."""
    if value is None:
        return ""
    locale, zone, _ = _current()
    return _datetime_text(_as_utc(value), format or "medium", locale, zone)


def format_date(value: date | datetime | None, format: str | None = None) -> str:
    if value is None:
        return ""
    locale, zone, _ = _current()
    if isinstance(value, datetime):
        value = _as_utc(value).astimezone(zone).date()
    return _date_text(value, format or "medium", locale)


def format_time(value: time | datetime | None, format: str | None = None) -> str:
    if value is None:
        return ""
    locale, zone, _ = _current()
    if isinstance(value, datetime):
        return _time_text(_as_utc(value), format or "medium", locale, zone)
    return str(dates.format_time(value, format or "medium", locale=locale))


def format_zone(name: str) -> str:
    """A time zone as people say it: its city in the reader's language and its offset from UTC
    ("Алматы, UTC+05:00"), not the database's "Asia/Almaty"."""
    return _zone_text(name, _current()[0])


def format_decimal(number: int | float | Decimal, format: str | None = None) -> str:
    return _decimal_text(number, type(number).__name__, format, _current()[0])


def format_percent(number: int | float | Decimal, format: str | None = None) -> str:
    return _percent_text(number, type(number).__name__, format, _current()[0])


@lru_cache(maxsize=16384)
def _datetime_text(value: datetime, format: str, locale: Locale, zone: tzinfo) -> str:
    return str(dates.format_datetime(value, format, tzinfo=zone, locale=locale))


@lru_cache(maxsize=4096)
def _date_text(value: date, format: str, locale: Locale) -> str:
    return str(dates.format_date(value, format, locale=locale))


@lru_cache(maxsize=4096)
def _time_text(value: datetime, format: str, locale: Locale, zone: tzinfo) -> str:
    return str(dates.format_time(value, format, tzinfo=zone, locale=locale))


@lru_cache(maxsize=4096)
def _decimal_text(number: object, kind: str, format: str | None, locale: Locale) -> str:
    return str(numbers.format_decimal(number, format=format, locale=locale))  # type: ignore[arg-type]


@lru_cache(maxsize=1024)
def _percent_text(number: object, kind: str, format: str | None, locale: Locale) -> str:
    return str(numbers.format_percent(number, format=format, locale=locale))  # type: ignore[arg-type]


@lru_cache(maxsize=256)
def _zone_text(name: str, locale: Locale) -> str:
    try:
        zone = dates.get_timezone(name)
    except LookupError:
        return name
    city = dates.get_timezone_location(zone, locale=locale, return_city=True)
    offset = datetime.now(UTC).astimezone(zone).strftime("%z")
    return f"{city}, UTC{offset[:3]}:{offset[3:]}"


@lru_cache(maxsize=1024)
def _seconds_text(seconds: int, locale: Locale) -> str:
    return str(dates.format_timedelta(timedelta(seconds=seconds), threshold=1.5, locale=locale))
