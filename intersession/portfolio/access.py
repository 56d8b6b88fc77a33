"""Who may see, verify and comment on portfolio entries (shared ACCESS.md)."""

from __future__ import annotations

from sqlalchemy import exists, select

from intersession.auth.models import Role, User
from intersession.core.db import db
from intersession.portfolio.models import PortfolioEntry
from intersession.schools.models import TeachingAssignment, cohort_pupil


def teaches(advisor: User, pupil: User, subject_id: int | None = None) -> bool:
    """The advisor teaches one of the pupil's cohorts (that subject, when one is named)."""
    query = (
        select(TeachingAssignment.id)
        .join(cohort_pupil, cohort_pupil.c.cohort_id == TeachingAssignment.cohort_id)
        .where(TeachingAssignment.advisor_id == advisor.id, cohort_pupil.c.pupil_id == pupil.id)
    )
    if subject_id is not None:
        query = query.where(TeachingAssignment.subject_id == subject_id)
    return bool(db.session.scalar(select(exists(query))))


def can_view_entry(viewer: User, entry: PortfolioEntry) -> bool:
    """The pupil: their own; their tutor; advisors of their cohorts; the hub's coordinator."""
    pupil = entry.pupil
    if viewer.hub_id != pupil.hub_id:
        return False
    if viewer.role is Role.PUPIL:
        return viewer.id == pupil.id
    if viewer.role is Role.TUTOR:
        return viewer.school_id == pupil.school_id
    if viewer.role is Role.ADVISOR:
        return teaches(viewer, pupil)
    return viewer.role is Role.COORDINATOR


def can_verify(viewer: User, entry: PortfolioEntry) -> bool:
    return viewer.role is Role.TUTOR and viewer.school_id == entry.pupil.school_id


def can_comment(viewer: User, entry: PortfolioEntry) -> bool:
    """The pupil and their tutor; an advisor on entries of a subject they teach the pupil (or of no
    subject, for the cohorts they teach)."""
    if viewer.role is Role.PUPIL:
        return viewer.id == entry.pupil_id
    if viewer.role is Role.TUTOR:
        return can_verify(viewer, entry)
    if viewer.role is Role.ADVISOR:
        return teaches(viewer, entry.pupil, entry.subject_id)
    return False
