"""Who may see, verify and comment on portfolio entries (shared ACCESS.md).

One rule for every way in: the entry's page, its files, comments, the workflow's steps and the
lists of a pupil's entries all ask `can_view_entry` or `readable_states`, so a draft hidden from a
list cannot be opened by its id either.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from intersession.auth.models import Role, User
from intersession.core.db import db
from intersession.portfolio.models import EntryState, PortfolioEntry
from intersession.schools.access import reads_pupil
from intersession.schools.models import TeachingAssignment, cohort_pupil

ALL_STATES = frozenset(EntryState)
# The coordinator and advisors read what the tutor has verified: a draft, an entry waiting for
# the tutor or sent back is the pupil's and the tutor's business yet, and a superseded version no
# longer counts.
VERIFIED_ONLY = frozenset({EntryState.VERIFIED})


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


def readable_states(viewer: User) -> frozenset[EntryState]:
    """The states of a pupil's entries this viewer reads, once they may open that pupil's
    portfolio at all: the pupil and their tutor every state, the others verified entries only."""
    return ALL_STATES if viewer.role in (Role.PUPIL, Role.TUTOR) else VERIFIED_ONLY


def _reads_pupil(viewer: User, pupil: User) -> bool:
    """The pupil themself; their tutor; advisors of their cohorts; the hub's coordinator."""
    return reads_pupil(viewer, pupil)


def can_view_entry(viewer: User, entry: PortfolioEntry) -> bool:
    return entry.state in readable_states(viewer) and _reads_pupil(viewer, entry.pupil)


def can_verify(viewer: User, entry: PortfolioEntry) -> bool:
    return viewer.role is Role.TUTOR and can_view_entry(viewer, entry)


def can_comment(viewer: User, entry: PortfolioEntry) -> bool:
    """The pupil and their tutor; an advisor on entries of a subject they teach the pupil (or of no
    subject, for the cohorts they teach) — each only on entries they may open."""
    if not can_view_entry(viewer, entry):
        return False
    if viewer.role is Role.ADVISOR:
        return teaches(viewer, entry.pupil, entry.subject_id)
    return viewer.role in (Role.PUPIL, Role.TUTOR)
