"""Rules for schools, subjects, the academic year and its sessions: the only code that writes them."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from intersession.auth.models import User
from intersession.core.db import db
from intersession.core.errors import Conflict, DomainError, Forbidden
from intersession.schools.access import can_manage_hub
from intersession.schools.models import (
    SESSION_ORDER,
    AcademicYear,
    PlanTopic,
    School,
    SchoolKind,
    SessionKind,
    Subject,
    TeachingAssignment,
    YearSession,
)


def require_manager(actor: User, hub_id: int) -> None:
    if not can_manage_hub(actor, hub_id):
        raise Forbidden(_("Only the hub's coordinator may change this."))


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(
            _("Unknown time zone “%(name)s”; use a name such as Asia/Almaty.", name=name),
            field="timezone",
        ) from None
    return name


def commit_or_conflict(message: str, field: str | None = None) -> None:
    """Commit; a unique constraint hit by a concurrent request becomes a clear message."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(message, field=field) from None


def _name_taken(model: type, name: str, exclude_id: int | None, **scope: object) -> bool:
    columns = model.__table__.c  # type: ignore[attr-defined]
    conditions = [columns.name == name, *(columns[k] == v for k, v in scope.items())]
    if exclude_id is not None:
        conditions.append(columns.id != exclude_id)
    return bool(db.session.scalar(select(exists().where(*conditions))))


def save_school(
    actor: User, school: School | None, *, name: str, district: str, timezone: str
) -> School:
    """Create a magnet school of the actor's hub (school is None) or edit one of its schools."""
    require_manager(actor, actor.hub_id if school is None else school.hub_school_id)
    name, district = name.strip(), district.strip()
    if not name:
        raise DomainError(_("Enter the school's name."), field="name")
    check_timezone(timezone)
    if _name_taken(School, name, school.id if school else None, district=district):
        raise Conflict(_("A school with this name already exists in this district."), "name")
    if school is None:
        school = School(kind=SchoolKind.MAGNET, hub_id=actor.hub_id)
        db.session.add(school)
    school.name, school.district, school.timezone = name, district, timezone
    commit_or_conflict(_("A school with this name already exists in this district."), "name")
    return school


def delete_school(actor: User, school: School) -> None:
    require_manager(actor, school.hub_school_id)
    if school.kind is SchoolKind.HUB:
        raise Conflict(_("The hub school cannot be deleted."))
    if db.session.scalar(select(exists().where(User.school_id == school.id))):
        raise Conflict(_("The school still has people; move or remove them first."))
    db.session.delete(school)
    db.session.commit()


def save_subject(actor: User, subject: Subject | None, *, name: str) -> Subject:
    hub_id = actor.hub_id if subject is None else subject.hub_id
    require_manager(actor, hub_id)
    name = name.strip()
    if not name:
        raise DomainError(_("Enter the subject's name."), field="name")
    if _name_taken(Subject, name, subject.id if subject else None, hub_id=hub_id):
        raise Conflict(_("This subject already exists."), "name")
    if subject is None:
        subject = Subject(hub_id=hub_id)
        db.session.add(subject)
    subject.name = name
    commit_or_conflict(_("This subject already exists."), "name")
    return subject


def delete_subject(actor: User, subject: Subject) -> None:
    require_manager(actor, subject.hub_id)
    in_use = db.session.scalar(
        select(
            exists().where(PlanTopic.subject_id == subject.id)
            | exists().where(TeachingAssignment.subject_id == subject.id)
        )
    )
    if in_use:
        raise Conflict(_("The subject is used by the plan or by teaching assignments."))
    db.session.delete(subject)
    db.session.commit()


def save_year(
    actor: User, year: AcademicYear | None, *, name: str, starts_on: date, ends_on: date
) -> AcademicYear:
    hub_id = actor.hub_id if year is None else year.hub_id
    require_manager(actor, hub_id)
    name = name.strip()
    if starts_on >= ends_on:
        raise DomainError(_("The year must end after it starts."), field="ends_on")
    if _name_taken(AcademicYear, name, year.id if year else None, hub_id=hub_id):
        raise Conflict(_("An academic year with this name already exists."), "name")
    if year is not None:
        outside = [s for s in year.sessions if s.starts_on < starts_on or s.ends_on > ends_on]
        if outside:
            raise DomainError(_("Some sessions would fall outside the year."), field="starts_on")
    else:
        year = AcademicYear(hub_id=hub_id)
        db.session.add(year)
    year.name, year.starts_on, year.ends_on = name, starts_on, ends_on
    commit_or_conflict(_("An academic year with this name already exists."), "name")
    return year


def set_session(
    actor: User, year: AcademicYear, kind: SessionKind, starts_on: date, ends_on: date
) -> YearSession:
    """Set the dates of one of the year's three sessions; they stay inside the year, in order
    (orientation, intermediate, final) and apart."""
    require_manager(actor, year.hub_id)
    if starts_on > ends_on:
        raise DomainError(_("A session must end on or after the day it starts."), "ends_on")
    if starts_on < year.starts_on or ends_on > year.ends_on:
        raise DomainError(_("The session must lie inside the academic year."), "starts_on")
    others = {s.kind: s for s in year.sessions if s.kind is not kind}
    index = SESSION_ORDER.index(kind)
    for other_kind, other in others.items():
        other_index = SESSION_ORDER.index(other_kind)
        if not (other.ends_on < starts_on or other.starts_on > ends_on):
            raise DomainError(_("The session overlaps another session."), "starts_on")
        if (other_index < index and other.starts_on > starts_on) or (
            other_index > index and other.starts_on < starts_on
        ):
            raise DomainError(
                _("Sessions must follow in order: orientation, intermediate, final."), "starts_on"
            )
    session = next((s for s in year.sessions if s.kind is kind), None)
    if session is None:
        session = YearSession(kind=kind)
        year.sessions.append(session)
    session.starts_on, session.ends_on = starts_on, ends_on
    db.session.commit()
    return session
