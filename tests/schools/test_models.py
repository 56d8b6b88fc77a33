"""Constraints hold in the database itself, not only in the services."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from intersession.auth.models import Role, User
from intersession.core.db import db
from intersession.schools.models import AcademicYear, School, SchoolKind, SessionKind, YearSession
from tests.factories import HubPeople, make_user


def _fails(statement: str, **params: object) -> None:
    with pytest.raises(IntegrityError):
        db.session.execute(text(statement), params)
        db.session.flush()
    db.session.rollback()


def test_user_constraints(hub: HubPeople) -> None:
    school = hub.magnet.id
    insert = (
        'INSERT INTO "user" (full_name, login, role, school_id, grade, active, created_at) '
        "VALUES (:n, :l, :r, :s, :g, TRUE, '2026-01-01 00:00:00+00')"
    )
    _fails(insert, n="A", l="Pup", r="pupil", s=school, g=9)  # upper case login
    _fails(insert, n="A", l="pup", r="pupil", s=school, g=9)  # duplicate login
    _fails(insert, n="A", l="x1", r="pupil", s=school, g=7)  # grade out of range
    _fails(insert, n="A", l="x2", r="pupil", s=school, g=None)  # pupil without grade
    _fails(insert, n="A", l="x3", r="tutor", s=school, g=9)  # grade for a tutor
    _fails(insert, n="A", l="x4", r="janitor", s=school, g=None)  # unknown role
    _fails(insert, n="  ", l="x5", r="tutor", s=school, g=None)  # empty name
    _fails(insert, n="A", l="x6", r="tutor", s=99999, g=None)  # no such school


def test_school_and_year_constraints(hub: HubPeople) -> None:
    db.session.add(
        School(name="Orphan", kind=SchoolKind.MAGNET, district="D", timezone="Asia/Almaty")
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(
        School(
            name="Magnet", kind=SchoolKind.MAGNET, hub_id=hub.hub.id, district="D", timezone="UTC"
        )
    )
    with pytest.raises(IntegrityError):  # same name in the same district
        db.session.flush()
    db.session.rollback()
    db.session.add(
        AcademicYear(
            hub_id=hub.hub.id, name="bad", starts_on=date(2027, 1, 1), ends_on=date(2026, 1, 1)
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(
        YearSession(
            year_id=hub.year.id,
            kind=SessionKind.FINAL,
            starts_on=date(2027, 5, 1),
            ends_on=date(2027, 5, 2),
        )
    )
    with pytest.raises(IntegrityError):  # one final session per year
        db.session.flush()
    db.session.rollback()


def test_enum_values_checked_in_python_too(hub: HubPeople) -> None:
    with pytest.raises((StatementError, ValueError, LookupError)):
        make_user("bad-role", "janitor", hub.magnet)  # type: ignore[arg-type]
        db.session.flush()
    db.session.rollback()


def test_naive_datetimes_are_refused(hub: HubPeople) -> None:
    from datetime import datetime

    user = db.session.get(User, hub.tutor.id)
    assert user is not None and user.created_at.tzinfo is not None
    user.created_at = datetime(2026, 1, 1)
    with pytest.raises(StatementError):
        db.session.flush()
    db.session.rollback()
    assert Role.PUPIL.value == "pupil"
