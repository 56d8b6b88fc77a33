"""Rules for the hub's people: create, edit, deactivate, reset a password."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, select

from intersession.auth.models import LOGIN_PATTERN, Language, Role, User
from intersession.auth.passwords import generate_password, hash_password
from intersession.auth.services import end_all_sessions, normalize_login
from intersession.core.collation import by_name
from intersession.core.db import db
from intersession.core.errors import Conflict, DomainError, Forbidden
from intersession.schools.models import School, SchoolKind
from intersession.schools.services import commit_or_conflict, require_manager

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class PersonData:
    full_name: str
    login: str
    role: Role
    school: School
    grade: int | None = None
    email: str | None = None
    language: Language | None = None


def placement_error(role: Role, school: School | None, grade: int | None) -> tuple[str, str] | None:
    """Why this role cannot be placed like this (field, message), or None. Without a school only
    the grade is checked."""
    hub_only = role in (Role.COORDINATOR, Role.ADVISOR)
    if school is not None and hub_only and school.kind is not SchoolKind.HUB:
        return "school", _("Coordinators and advisors belong to the hub school.")
    if school is not None and role is Role.TUTOR and school.kind is not SchoolKind.MAGNET:
        return "school", _("A tutor belongs to a magnet school.")
    if role is Role.PUPIL and (grade is None or not 8 <= grade <= 11):
        return "grade", _("A pupil needs a grade from 8 to 11.")
    if role is not Role.PUPIL and grade is not None:
        return "grade", _("Only pupils have a grade.")
    return None


def login_error(login: str) -> str | None:
    if not re.match(LOGIN_PATTERN, login):
        return _(
            "A login is 2–64 Latin letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit."
        )
    return None


def login_taken(login: str, exclude_id: int | None = None) -> bool:
    conditions = [User.login == login]
    if exclude_id is not None:
        conditions.append(User.id != exclude_id)
    return bool(db.session.scalar(select(exists().where(*conditions))))


def _check(data: PersonData, person: User | None) -> None:
    data.full_name = " ".join(data.full_name.split())
    data.login = normalize_login(data.login)
    data.email = (data.email or "").strip() or None
    if not data.full_name:
        raise DomainError(_("Enter the person's full name."), field="full_name")
    if message := login_error(data.login):
        raise DomainError(message, field="login")
    if login_taken(data.login, person.id if person else None):
        raise Conflict(_("This login is taken already."), field="login")
    if data.email and not EMAIL_PATTERN.match(data.email):
        raise DomainError(_("This e-mail address does not look right."), field="email")
    if problem := placement_error(data.role, data.school, data.grade):
        raise DomainError(problem[1], field=problem[0])


def save_person(actor: User, person: User | None, data: PersonData) -> User:
    """Create a person of the actor's hub (person is None) or edit one. A new person has no
    password until the coordinator issues one."""
    require_manager(actor, data.school.hub_school_id)
    if person is not None:
        require_manager(actor, person.hub_id)
        if person.id == actor.id and data.role is not person.role:
            raise Forbidden(_("Nobody changes their own role."))
    _check(data, person)
    if person is None:
        person = User()
        db.session.add(person)
    person.full_name, person.login, person.role = data.full_name, data.login, data.role
    person.school_id, person.school = data.school.id, data.school
    person.grade, person.email, person.language = data.grade, data.email, data.language
    commit_or_conflict(_("This login is taken already."), "login")
    return person


def set_person_active(actor: User, person: User, active: bool) -> None:
    """Deactivating signs the person out everywhere at once."""
    require_manager(actor, person.hub_id)
    if person.id == actor.id and not active:
        raise Forbidden(_("You cannot deactivate yourself."))
    person.active = active
    if not active:
        end_all_sessions(person)
    db.session.commit()


def reset_password(actor: User, person: User) -> str:
    """Give the person a new password, shown once to the coordinator; their sessions end."""
    require_manager(actor, person.hub_id)
    password = generate_password()
    person.password_hash = hash_password(password)
    end_all_sessions(person)
    db.session.commit()
    return password


def issue_missing_passwords(actor: User, school: School) -> list[tuple[User, str]]:
    """Give every active person of the school who has no password yet a new one; the list is shown
    once, to be printed as slips. People who already have a password keep it."""
    require_manager(actor, school.hub_school_id)
    people = db.session.scalars(
        select(User)
        .where(User.school_id == school.id, User.password_hash.is_(None), User.active.is_(True))
        .order_by(User.grade, by_name(User.full_name))
    ).all()
    issued = []
    for person in people:
        password = generate_password()
        person.password_hash = hash_password(password)
        issued.append((person, password))
    db.session.commit()
    return issued
