"""Where a moment falls in the year: at session boundaries and across time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from intersession.schools.calendar import Phase, position_in_year, year_periods
from intersession.schools.models import SessionKind
from tests.factories import HubPeople

ALMATY = ZoneInfo("Asia/Almaty")


def at(day: str, hour: int = 12, zone: ZoneInfo = ALMATY) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=zone)


@pytest.mark.parametrize(
    ("moment", "phase", "kind", "days"),
    [
        (at("2026-08-31"), Phase.BEFORE_YEAR, SessionKind.ORIENTATION, 7),
        (at("2026-09-01"), Phase.BETWEEN_SESSIONS, SessionKind.ORIENTATION, 6),
        (at("2026-09-07", 0), Phase.IN_SESSION, SessionKind.ORIENTATION, None),
        (at("2026-09-16", 23), Phase.IN_SESSION, SessionKind.ORIENTATION, None),
        (at("2026-09-17", 0), Phase.BETWEEN_SESSIONS, SessionKind.INTERMEDIATE, 116),
        (at("2026-11-22"), Phase.BETWEEN_SESSIONS, SessionKind.INTERMEDIATE, 50),
        (at("2027-01-10", 23), Phase.BETWEEN_SESSIONS, SessionKind.INTERMEDIATE, 1),
        (at("2027-01-20"), Phase.IN_SESSION, SessionKind.INTERMEDIATE, None),
        (at("2027-04-29"), Phase.AFTER_SESSIONS, None, None),
        (at("2027-06-01"), Phase.NO_YEAR, None, None),
    ],
)
def test_phases_at_boundaries(
    hub: HubPeople, moment: datetime, phase: Phase, kind: SessionKind | None, days: int | None
) -> None:
    position = position_in_year(hub.hub, moment)
    assert position.phase is phase
    found = position.session or position.next_session
    assert (found.kind if found else None) is kind
    assert position.days_until_next == days


def test_local_date_decides_not_utc(hub: HubPeople) -> None:
    # 19:30 UTC on 6 September is already 7 September in Almaty (UTC+5): the session has begun.
    moment = datetime(2026, 9, 6, 19, 30, tzinfo=UTC)
    assert position_in_year(hub.hub, moment).phase is Phase.IN_SESSION
    # ...but still 6 September in Moscow (UTC+3).
    assert position_in_year(hub.hub, moment, "Europe/Moscow").phase is Phase.BETWEEN_SESSIONS


def test_kazakhstan_is_utc_plus_5_everywhere_since_march_2024() -> None:
    for zone in ("Asia/Almaty", "Asia/Qostanay"):
        offset = datetime(2025, 1, 15, tzinfo=ZoneInfo(zone)).utcoffset()
        assert offset == timedelta(hours=5), zone
    assert datetime(2024, 1, 15, tzinfo=ZoneInfo("Asia/Almaty")).utcoffset() == timedelta(hours=6)


def test_naive_moment_is_refused(hub: HubPeople) -> None:
    with pytest.raises(ValueError):
        position_in_year(hub.hub, datetime(2026, 11, 22, 12))
    assert position_in_year(hub.hub, datetime(2026, 11, 22, tzinfo=timezone(timedelta(hours=5))))


def test_year_cut_into_sessions_and_windows(hub: HubPeople) -> None:
    periods = year_periods(hub.year)
    kinds = [p.session.kind if p.session else None for p in periods]
    assert kinds == [
        None,
        SessionKind.ORIENTATION,
        None,
        SessionKind.INTERMEDIATE,
        None,
        SessionKind.FINAL,
        None,
    ]
    assert periods[0].starts_on == hub.year.starts_on and periods[-1].ends_on == hub.year.ends_on
    assert all(a.ends_on + timedelta(days=1) == b.starts_on for a, b in pairwise(periods))
    assert periods[1].days == 10
