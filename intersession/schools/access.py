"""Who may see and change the hub's structure and its people (see shared ACCESS.md)."""

from __future__ import annotations

from sqlalchemy import exists, select

from intersession.auth.models import Role, User
from intersession.core.db import db
from intersession.schools.models import Cohort, TeachingAssignment, cohort_pupil

STAFF = (Role.COORDINATOR, Role.ADVISOR, Role.TUTOR)


def can_manage_hub(viewer: User, hub_id: int) -> bool:
    """Create, edit and delete the hub's schools, people, cohorts, subjects, year and plan."""
    return viewer.role is Role.COORDINATOR and viewer.hub_id == hub_id


def can_read_hub(viewer: User, hub_id: int) -> bool:
    """Read the hub's structure: everyone of the hub (pupils see names and dates only)."""
    return viewer.hub_id == hub_id


def can_read_staff_pages(viewer: User, hub_id: int) -> bool:
    return viewer.role in STAFF and viewer.hub_id == hub_id


def can_view_cohort(viewer: User, cohort: Cohort) -> bool:
    if viewer.hub_id != cohort.year.hub_id:
        return False
    if viewer.role is Role.PUPIL:
        return any(p.id == viewer.id for p in cohort.pupils)
    return True


def teaches_pupil(advisor: User, pupil: User) -> bool:
    query = select(
        exists()
        .where(TeachingAssignment.advisor_id == advisor.id)
        .where(TeachingAssignment.cohort_id == cohort_pupil.c.cohort_id)
        .where(cohort_pupil.c.pupil_id == pupil.id)
    )
    return bool(db.session.scalar(query))


def reads_pupil(viewer: User, pupil: User) -> bool:
    """Who reads what is a pupil's own (their portfolio, their progress): the pupil; their
    tutor; the advisors of their cohorts; the hub's coordinator."""
    if pupil.role is not Role.PUPIL or viewer.hub_id != pupil.hub_id:
        return False
    if viewer.role is Role.PUPIL:
        return viewer.id == pupil.id
    if viewer.role is Role.TUTOR:
        return viewer.school_id == pupil.school_id
    if viewer.role is Role.ADVISOR:
        return teaches_pupil(viewer, pupil)
    return viewer.role is Role.COORDINATOR


def can_view_person(viewer: User, person: User) -> bool:
    """Coordinator: the hub's people; advisor: their cohorts' pupils; tutor: their school's pupils;
    everyone: themselves."""
    if viewer.id == person.id:
        return True
    if viewer.hub_id != person.hub_id:
        return False
    if viewer.role is Role.COORDINATOR:
        return True
    if person.role is not Role.PUPIL:
        return False
    if viewer.role is Role.TUTOR:
        return person.school_id == viewer.school_id
    if viewer.role is Role.ADVISOR:
        return teaches_pupil(viewer, person)
    return False


def can_manage_person(viewer: User, person: User) -> bool:
    return can_manage_hub(viewer, person.hub_id)
