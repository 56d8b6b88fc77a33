"""What the portfolio pages read: whose portfolios a viewer may open, verified counts by kind and
level per pupil, and the coordinator's search over verified entries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from intersession.auth.models import Role, User
from intersession.core.collation import by_name
from intersession.core.db import db
from intersession.portfolio.models import EntryKind, EntryState, Level, PortfolioEntry, Result
from intersession.schools.models import School, TeachingAssignment, cohort_pupil, in_hub


def pupils_of(viewer: User) -> Select[User]:
    """The pupils whose portfolios the viewer reads: the tutor's school, the advisor's cohorts,
    the coordinator's hub; a pupil only themselves."""
    query = select(User).where(User.role == Role.PUPIL, User.active.is_(True))
    if viewer.role is Role.PUPIL:
        return query.where(User.id == viewer.id)
    if viewer.role is Role.TUTOR:
        return query.where(User.school_id == viewer.school_id)
    if viewer.role is Role.ADVISOR:
        taught = (
            select(cohort_pupil.c.pupil_id)
            .join(TeachingAssignment, TeachingAssignment.cohort_id == cohort_pupil.c.cohort_id)
            .where(TeachingAssignment.advisor_id == viewer.id)
        )
        return query.where(User.id.in_(taught))
    schools = select(School.id).where(in_hub(viewer.hub_id))
    return query.where(User.school_id.in_(schools))


@dataclass
class PupilCounts:
    pupil: User
    kinds: Counter[str]
    levels: Counter[str]
    waiting: int

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


def counts(viewer: User) -> list[PupilCounts]:
    """Each pupil the viewer reads, with their verified entries counted by kind and by level and
    the entries waiting for the tutor, in two queries whatever the number of pupils."""
    pupils = list(
        db.session.scalars(
            pupils_of(viewer).options(selectinload(User.school)).order_by(by_name(User.full_name))
        )
    )
    rows = {p.id: PupilCounts(p, Counter(), Counter(), 0) for p in pupils}
    query = (
        select(PortfolioEntry.pupil_id, PortfolioEntry.state, PortfolioEntry.kind,
               PortfolioEntry.level, func.count())
        .where(PortfolioEntry.pupil_id.in_(list(rows)),
               PortfolioEntry.state.in_([EntryState.VERIFIED, EntryState.SUBMITTED]))
        .group_by(PortfolioEntry.pupil_id, PortfolioEntry.state, PortfolioEntry.kind, PortfolioEntry.level)
    )  # fmt: skip
    for pupil_id, state, kind, level, number in db.session.execute(query):
        row = rows[pupil_id]
        if state is EntryState.SUBMITTED:
            row.waiting += number
            continue
        row.kinds[kind.value] += number
        if level is not None:
            row.levels[level.value] += number
    return list(rows.values())


@dataclass
class Filters:
    kind: EntryKind | None = None
    level: Level | None = None
    result: Result | None = None
    school_id: int | None = None
    grade: int | None = None
    starts_on: date | None = None  # the academic year chosen
    ends_on: date | None = None


def search(viewer: User, filters: Filters, limit: int = 500) -> list[PortfolioEntry]:
    """Verified entries of the pupils the viewer reads, newest first, narrowed by the filters."""
    pupils = pupils_of(viewer).with_only_columns(User.id)
    query = (
        select(PortfolioEntry)
        .join(User, User.id == PortfolioEntry.pupil_id)
        .where(PortfolioEntry.state == EntryState.VERIFIED, PortfolioEntry.pupil_id.in_(pupils))
        .options(selectinload(PortfolioEntry.pupil).selectinload(User.school))
        .order_by(PortfolioEntry.happened_on.desc(), PortfolioEntry.id.desc())
        .limit(limit)
    )
    if filters.kind is not None:
        query = query.where(PortfolioEntry.kind == filters.kind)
    if filters.level is not None:
        query = query.where(PortfolioEntry.level == filters.level)
    if filters.result is not None:
        query = query.where(PortfolioEntry.result == filters.result)
    if filters.school_id is not None:
        query = query.where(User.school_id == filters.school_id)
    if filters.grade is not None:
        query = query.where(User.grade == filters.grade)
    if filters.starts_on is not None and filters.ends_on is not None:
        query = query.where(PortfolioEntry.happened_on.between(filters.starts_on, filters.ends_on))
    return list(db.session.scalars(query))
