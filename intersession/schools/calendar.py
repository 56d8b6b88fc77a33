"""Where a moment falls in the academic year: in a session, between sessions, or outside the year."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from intersession.core.db import db
from intersession.schools.models import AcademicYear, School, YearSession


class Phase(enum.StrEnum):
    NO_YEAR = "no_year"
    BEFORE_YEAR = "before_year"
    IN_SESSION = "in_session"
    BETWEEN_SESSIONS = "between_sessions"
    AFTER_SESSIONS = "after_sessions"


@dataclass(frozen=True)
class YearPosition:
    phase: Phase
    local_date: date
    year: AcademicYear | None = None
    session: YearSession | None = None  # the session we are in
    next_session: YearSession | None = None
    days_until_next: int | None = None
    previous_session: YearSession | None = None


def local_date(moment: datetime, timezone: str) -> date:
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(ZoneInfo(timezone)).date()


def position_in_year(hub: School, moment: datetime, timezone: str | None = None) -> YearPosition:
    """Answer for a moment (aware) where the hub's year stands, by the calendar date in `timezone`
    (the viewer's school; the hub's by default). Session dates are inclusive local dates."""
    today = local_date(moment, timezone or hub.timezone)
    years = db.session.scalars(
        select(AcademicYear)
        .where(AcademicYear.hub_id == hub.id)
        .options(selectinload(AcademicYear.sessions))
        .order_by(AcademicYear.starts_on)
    ).all()
    return position_on(today, list(years))


def position_on(today: date, years: list[AcademicYear]) -> YearPosition:
    current = next((y for y in years if y.starts_on <= today <= y.ends_on), None)
    if current is None:
        upcoming = next((y for y in years if y.starts_on > today), None)
        if upcoming is None:
            return YearPosition(Phase.NO_YEAR, today)
        first = upcoming.sessions[0] if upcoming.sessions else None
        return YearPosition(
            Phase.BEFORE_YEAR,
            today,
            year=upcoming,
            next_session=first,
            days_until_next=(first.starts_on - today).days if first else None,
        )
    sessions = sorted(current.sessions, key=lambda s: s.starts_on)
    for session in sessions:
        if session.starts_on <= today <= session.ends_on:
            return YearPosition(Phase.IN_SESSION, today, year=current, session=session)
    later = [s for s in sessions if s.starts_on > today]
    earlier = [s for s in sessions if s.ends_on < today]
    previous = earlier[-1] if earlier else None
    if later:
        return YearPosition(
            Phase.BETWEEN_SESSIONS,
            today,
            year=current,
            next_session=later[0],
            days_until_next=(later[0].starts_on - today).days,
            previous_session=previous,
        )
    return YearPosition(Phase.AFTER_SESSIONS, today, year=current, previous_session=previous)


@dataclass(frozen=True)
class Period:
    """A stretch of the year: an on-site session, or a between-session window (session None)."""

    starts_on: date
    ends_on: date
    session: YearSession | None = None

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


def year_periods(year: AcademicYear) -> list[Period]:
    """The year from its first to its last day, cut into sessions and the windows between them."""
    periods: list[Period] = []
    cursor = year.starts_on
    for session in sorted(year.sessions, key=lambda s: s.starts_on):
        if session.starts_on > cursor:
            periods.append(Period(cursor, session.starts_on - timedelta(days=1)))
        periods.append(Period(session.starts_on, session.ends_on, session))
        cursor = session.ends_on + timedelta(days=1)
    if cursor <= year.ends_on:
        periods.append(Period(cursor, year.ends_on))
    return periods
