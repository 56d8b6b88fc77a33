"""The portfolio's workflow: drafts, verification by the tutor, new versions of verified entries,
comments, and entries made from well-graded work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from intersession.auth.models import Role, User
from intersession.core.db import db, utcnow
from intersession.core.errors import Conflict, DomainError, Forbidden, NotFound
from intersession.portfolio.access import can_comment, can_verify, can_view_entry
from intersession.portfolio.models import (
    EntryKind,
    EntryState,
    Level,
    PortfolioComment,
    PortfolioEntry,
    Result,
)

EDITABLE = (EntryState.DRAFT, EntryState.CHANGES_REQUESTED)
MAX_LINKS = 10


@dataclass
class EntryPlan:
    """What the pupil's form says about an achievement."""

    kind: EntryKind
    title: str
    happened_on: date
    description: str = ""
    subject_id: int | None = None
    level: Level | None = None
    result: Result | None = None
    place: int | None = None
    links: str = ""


def _check(plan: EntryPlan) -> None:
    if not plan.title.strip():
        raise DomainError(_("Give the entry a title."), "title")
    if plan.happened_on > date.today():
        raise DomainError(_("The date cannot be in the future."), "happened_on")
    if plan.result is Result.PRIZE and not (plan.place and 1 <= plan.place <= 10):
        raise DomainError(_("A prize-winner's place is from 1 to 10."), "place")
    links = [line.strip() for line in plan.links.splitlines() if line.strip()]
    if len(links) > MAX_LINKS or any(
        not line.startswith(("https://", "http://")) for line in links
    ):
        raise DomainError(_("Up to 10 links, each starting with https:// or http://."), "links")


def _apply(entry: PortfolioEntry, plan: EntryPlan) -> None:
    entry.kind, entry.title, entry.description = (
        plan.kind,
        plan.title.strip(),
        plan.description.strip(),
    )
    entry.happened_on, entry.subject_id, entry.level = plan.happened_on, plan.subject_id, plan.level
    entry.result = plan.result
    entry.place = plan.place if plan.result is Result.PRIZE else None
    entry.links = "\n".join(line.strip() for line in plan.links.splitlines() if line.strip())


def create_entry(pupil: User, plan: EntryPlan) -> PortfolioEntry:
    if pupil.role is not Role.PUPIL:
        raise Forbidden(_("Only pupils keep portfolios."))
    _check(plan)
    entry = PortfolioEntry(pupil_id=pupil.id)
    _apply(entry, plan)
    db.session.add(entry)
    db.session.commit()
    return entry


def _save(entry: PortfolioEntry) -> PortfolioEntry:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(
            _("Someone else saved this entry a moment ago. Reload the page to see it.")
        ) from None
    return entry


def _check_version(entry: PortfolioEntry, version: int | None) -> None:
    if version is not None and version != entry.version:
        raise Conflict(_("Someone else saved this entry a moment ago. Reload the page to see it."))


def update_entry(
    pupil: User, entry: PortfolioEntry, plan: EntryPlan, version: int | None
) -> PortfolioEntry:
    """The pupil edits a draft, or an entry the tutor sent back; a verified one is locked."""
    if entry.pupil_id != pupil.id:
        raise NotFound(_("There is no such entry."))
    if entry.state not in EDITABLE:
        raise Forbidden(_("This entry is locked: make a new version to change it."))
    _check_version(entry, version)
    _check(plan)
    _apply(entry, plan)
    return _save(entry)


def new_version(pupil: User, entry: PortfolioEntry) -> PortfolioEntry:
    """A draft copy of a verified entry; the verified one counts until the copy is verified."""
    if entry.pupil_id != pupil.id:
        raise NotFound(_("There is no such entry."))
    if entry.state is not EntryState.VERIFIED:
        raise DomainError(_("Only a verified entry gets a new version; this one can be edited."))
    copy = PortfolioEntry(pupil_id=pupil.id, previous_id=entry.id, submission_id=None,
                          kind=entry.kind, title=entry.title, description=entry.description,
                          happened_on=entry.happened_on, subject_id=entry.subject_id, level=entry.level,
                          result=entry.result, place=entry.place, links=entry.links)  # fmt: skip
    copy.evidence = list(entry.evidence)
    db.session.add(copy)
    db.session.commit()
    return copy


def send_for_verification(
    pupil: User, entry: PortfolioEntry, version: int | None = None
) -> PortfolioEntry:
    if entry.pupil_id != pupil.id:
        raise NotFound(_("There is no such entry."))
    if entry.state not in EDITABLE:
        raise Conflict(_("This entry has been sent already."))
    _check_version(entry, version)
    entry.state, entry.state_note = EntryState.SUBMITTED, ""
    return _save(entry)


def _decide(tutor: User, entry: PortfolioEntry, version: int | None) -> None:
    if not can_view_entry(tutor, entry):
        raise NotFound(_("There is no such entry."))
    if not can_verify(tutor, entry):
        raise Forbidden(_("Only the pupil's tutor verifies their portfolio."))
    if entry.state is not EntryState.SUBMITTED:
        raise Conflict(_("This entry is not waiting for verification."))
    _check_version(entry, version)


def verify(tutor: User, entry: PortfolioEntry, version: int | None = None) -> PortfolioEntry:
    """The entry counts from now on; the version it replaces stops counting."""
    _decide(tutor, entry, version)
    entry.state, entry.state_note = EntryState.VERIFIED, ""
    entry.verified_by_id, entry.verified_at = tutor.id, utcnow()
    if entry.previous is not None and entry.previous.state is EntryState.VERIFIED:
        entry.previous.state = EntryState.SUPERSEDED
    return _save(entry)


def ask_for_changes(
    tutor: User, entry: PortfolioEntry, note: str, version: int | None = None
) -> PortfolioEntry:
    _decide(tutor, entry, version)
    if not note.strip():
        raise DomainError(_("Say what to change."), "note")
    entry.state, entry.state_note = EntryState.CHANGES_REQUESTED, note.strip()[:2000]
    return _save(entry)


def reject(
    tutor: User, entry: PortfolioEntry, reason: str, version: int | None = None
) -> PortfolioEntry:
    _decide(tutor, entry, version)
    if not reason.strip():
        raise DomainError(_("Give the reason."), "note")
    entry.state, entry.state_note = EntryState.REJECTED, reason.strip()[:2000]
    return _save(entry)


def comment(
    author: User, entry: PortfolioEntry, text: str, parent_id: int | None = None
) -> PortfolioComment:
    if not can_view_entry(author, entry):
        raise NotFound(_("There is no such entry."))
    if not can_comment(author, entry):
        raise Forbidden(_("You cannot comment on this entry."))
    text = text.strip()
    if not text or len(text) > 5000:
        raise DomainError(_("Write a comment of up to 5,000 characters."), "text")
    if parent_id is not None and not any(c.id == parent_id for c in entry.comments):
        raise NotFound(_("There is no such comment."))
    remark = PortfolioComment(entry=entry, author_id=author.id, parent_id=parent_id, text=text)
    db.session.add(remark)
    db.session.commit()
    return remark


def from_graded_work(submission_id: int, grade: Decimal, max_grade: Decimal, title: str,
                     pupil_id: int, subject_id: int, feedback: str,
                     worth_portfolio: bool = False) -> PortfolioEntry | None:  # fmt: skip
    """A draft entry for work graded at or above the configured share of the maximum (or marked
    worth the portfolio), once per submission whatever how often it is graded."""
    share = Decimal(str(current_app.config.get("PORTFOLIO_GRADED_SHARE", 0.8)))
    if not worth_portfolio and (max_grade <= 0 or grade < share * max_grade):
        return None
    if db.session.scalar(
        select(PortfolioEntry.id).where(PortfolioEntry.submission_id == submission_id)
    ):
        return None
    entry = PortfolioEntry(pupil_id=pupil_id, kind=EntryKind.GRADED_WORK, title=title,
                           description=feedback, happened_on=date.today(), subject_id=subject_id,
                           submission_id=submission_id)  # fmt: skip
    db.session.add(entry)
    try:
        db.session.commit()
    except IntegrityError:  # the same grade saved twice at once: the other save made it
        db.session.rollback()
        return None
    return entry
