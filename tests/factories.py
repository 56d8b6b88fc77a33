"""Objects for tests, written straight to the database (the services are what the tests test)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from intersession.auth.models import Role, User
from intersession.auth.passwords import hash_password
from intersession.core.db import db
from intersession.schools.models import (
    AcademicYear,
    Cohort,
    School,
    SchoolKind,
    SessionKind,
    Subject,
    TeachingAssignment,
    YearSession,
)

PASSWORD = "correct-horse-42"


@dataclass
class HubPeople:
    hub: School
    magnet: School
    other_magnet: School
    coordinator: User
    advisor: User
    other_advisor: User
    tutor: User
    pupil: User
    other_pupil: User  # same hub, the other magnet school, not in the advisor's cohort
    year: AcademicYear
    cohort: Cohort
    subject: Subject
    outsider_hub: School
    outsider: User  # the coordinator of another hub


def make_user(
    login: str, role: Role, school: School, grade: int | None = None, name: str = ""
) -> User:
    user = User(
        login=login,
        full_name=name or login.title(),
        role=role,
        school=school,
        grade=grade,
        password_hash=hash_password(PASSWORD),
    )
    db.session.add(user)
    return user


def build_hub(prefix: str = "") -> HubPeople:
    hub = School(name=f"{prefix}Hub", kind=SchoolKind.HUB, district="D", timezone="Asia/Almaty")
    magnet = School(
        name=f"{prefix}Magnet",
        kind=SchoolKind.MAGNET,
        hub=hub,
        district="D",
        timezone="Asia/Almaty",
    )
    other_magnet = School(
        name=f"{prefix}Far", kind=SchoolKind.MAGNET, hub=hub, district="D", timezone="Asia/Qostanay"
    )
    outsider_hub = School(
        name=f"{prefix}Other hub", kind=SchoolKind.HUB, district="E", timezone="Europe/Moscow"
    )
    db.session.add_all([hub, magnet, other_magnet, outsider_hub])
    db.session.flush()
    year = AcademicYear(
        hub_id=hub.id, name="2026/2027", starts_on=date(2026, 9, 1), ends_on=date(2027, 5, 31)
    )
    year.sessions = [
        YearSession(
            kind=SessionKind.ORIENTATION, starts_on=date(2026, 9, 7), ends_on=date(2026, 9, 16)
        ),
        YearSession(
            kind=SessionKind.INTERMEDIATE, starts_on=date(2027, 1, 11), ends_on=date(2027, 1, 20)
        ),
        YearSession(kind=SessionKind.FINAL, starts_on=date(2027, 4, 19), ends_on=date(2027, 4, 28)),
    ]
    subject = Subject(hub_id=hub.id, name="Математика")
    db.session.add_all([year, subject])
    people = {
        "coordinator": make_user(f"{prefix}coord", Role.COORDINATOR, hub),
        "advisor": make_user(f"{prefix}adv", Role.ADVISOR, hub),
        "other_advisor": make_user(f"{prefix}adv2", Role.ADVISOR, hub),
        "tutor": make_user(f"{prefix}tut", Role.TUTOR, magnet),
        "pupil": make_user(f"{prefix}pup", Role.PUPIL, magnet, grade=9, name="Сәрсенбаев Әлихан"),
        "other_pupil": make_user(f"{prefix}pup2", Role.PUPIL, other_magnet, grade=9),
        "outsider": make_user(f"{prefix}outsider", Role.COORDINATOR, outsider_hub),
    }
    cohort = Cohort(year=year, name="9 класс", grade=9, pupils=[people["pupil"]])
    db.session.add(cohort)
    db.session.add(TeachingAssignment(advisor=people["advisor"], cohort=cohort, subject=subject))
    db.session.commit()
    return HubPeople(
        hub=hub,
        magnet=magnet,
        other_magnet=other_magnet,
        year=year,
        cohort=cohort,
        subject=subject,
        outsider_hub=outsider_hub,
        **people,
    )


def lay_year_around(year: AcademicYear, today: date) -> None:
    """The academic year around today: the orientation session behind, the intermediate three
    weeks ahead, so today and the next weeks lie in a between-session window."""
    year.starts_on, year.ends_on = today - timedelta(days=70), today + timedelta(days=250)
    offsets = {SessionKind.ORIENTATION: -60, SessionKind.INTERMEDIATE: 21, SessionKind.FINAL: 150}
    for session in year.sessions:
        session.starts_on = today + timedelta(days=offsets[session.kind])
        session.ends_on = session.starts_on + timedelta(days=9)
