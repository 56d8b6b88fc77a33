"""Doing work: a pupil's drafts, files, submitting, lateness, and the tutor's attestation."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage

from intersession.assignments.models import (
    Assignment,
    AssignmentState,
    Submission,
    SubmissionState,
)
from intersession.assignments.services import deadlines
from intersession.auth.models import Role, User
from intersession.core import files
from intersession.core.db import db, utcnow
from intersession.core.errors import Conflict, DomainError, NotFound

KIND_OF_TYPE = {"application/pdf": "pdf", "text/plain": "text"}
MAX_TEXT = 100_000


def file_kind(content_type: str) -> str:
    if content_type.startswith("image/"):
        return "image"
    return KIND_OF_TYPE.get(content_type, "office")


def attempts_of(assignment: Assignment, pupil_id: int) -> list[Submission]:
    """The pupil's attempts, the latest last."""
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.assignment_id == assignment.id, Submission.pupil_id == pupil_id)
            .order_by(Submission.attempt)
        )
    )


def _given_to(assignment: Assignment, pupil: User) -> None:
    published = assignment.state is AssignmentState.PUBLISHED
    if not published or pupil.id not in {p.id for p in assignment.pupils}:
        raise NotFound(_("There is no such work."))


def _check_window(assignment: Assignment, pupil: User, now: datetime) -> None:
    if now < assignment.opens_at:
        raise DomainError(_("This work is not open yet."))
    _due, cutoff = deadlines(assignment, pupil.id)
    if cutoff is not None and now > cutoff:
        raise DomainError(_("The cut-off date has passed: this work can no longer be sent."))


def check_may_send_files(assignment: Assignment, pupil: User) -> None:
    """Before a file is sent for the work (resumable uploads): the work is the pupil's, open,
    and takes files."""
    _given_to(assignment, pupil)
    _check_window(assignment, pupil, utcnow())
    if not assignment.accepts_files:
        raise DomainError(_("This work takes no files."), "files")


def may_start_attempt(assignment: Assignment, attempts: list[Submission]) -> bool:
    """A first attempt; another after the work came back for rework, or while attempts remain and
    nothing is graded yet."""
    if not attempts:
        return True
    latest = attempts[-1]
    if latest.state is SubmissionState.RETURNED:
        return assignment.attempts is None or len(attempts) < assignment.attempts
    if latest.state is SubmissionState.SUBMITTED:
        return assignment.attempts is None or len(attempts) < assignment.attempts
    return False


def open_draft(pupil: User, assignment: Assignment) -> Submission:
    """The pupil's current draft, or a new attempt when one is allowed."""
    _given_to(assignment, pupil)
    _check_window(assignment, pupil, utcnow())
    attempts = attempts_of(assignment, pupil.id)
    if attempts and attempts[-1].state is SubmissionState.DRAFT:
        return attempts[-1]
    if not may_start_attempt(assignment, attempts):
        raise DomainError(_("No more attempts are allowed for this work."))
    draft = Submission(assignment=assignment, pupil=pupil, attempt=len(attempts) + 1)
    db.session.add(draft)
    db.session.flush()
    return draft


def _check_files(assignment: Assignment, draft: Submission, uploads: list[FileStorage]) -> None:
    if uploads and not assignment.accepts_files:
        raise DomainError(_("This work takes no files."), "files")
    if len(draft.files) + len(uploads) > assignment.max_files:
        raise DomainError(
            ngettext(
                "At most %(num)d file for this work.",
                "At most %(num)d files for this work.",
                assignment.max_files,
            ),
            "files",
        )


def save_draft(
    pupil: User,
    assignment: Assignment,
    text: str | None,
    uploads: list[FileStorage],
    remove_ids: list[int] | None = None,
) -> Submission:
    """Keep the pupil's text and new files; on any refused file nothing is kept (no row, no file)."""
    draft = open_draft(pupil, assignment)
    uploads = [u for u in uploads if u.filename]
    if text is not None:
        if text.strip() and not assignment.accepts_text:
            raise DomainError(_("This work takes no text."), "text")
        if len(text) > MAX_TEXT:
            raise DomainError(_("The text is too long."), "text")
        draft.text = text
    gone = [f for f in draft.files if f.id in set(remove_ids or [])]
    for stored in gone:
        draft.files.remove(stored)
        db.session.delete(stored)
    _check_files(assignment, draft, uploads)
    with files.kept_uploads(uploads, pupil.id, assignment.max_file_mb * 1024 * 1024) as kept:
        for stored in kept:
            if file_kind(stored.content_type) not in assignment.file_kinds.split(","):
                raise DomainError(
                    _(
                        "“%(name)s” is not a kind of file this work takes.",
                        name=stored.original_name,
                    ),
                    "files",
                )
        draft.files.extend(kept)
        db.session.commit()
    files.discard(gone)  # from disk only once the rows are gone for good
    return draft


def check_sendable(
    pupil: User,
    assignment: Assignment,
    text: str | None,
    uploads: list[FileStorage],
    remove_ids: list[int],
    version: int | None,
) -> None:
    """Before a "save and send" writes anything: refuse what `submit` would refuse after the
    save (a page older than the draft, nothing to send), so a refused send leaves no new row."""
    attempts = attempts_of(assignment, pupil.id)
    draft = attempts[-1] if attempts and attempts[-1].state is SubmissionState.DRAFT else None
    if version is not None and (draft is None or draft.version != version):
        raise Conflict(_("This work has been sent already."))
    kept_files = [f for f in draft.files if f.id not in set(remove_ids)] if draft else []
    written = text if text is not None else (draft.text if draft else "")
    if not (written or "").strip() and not kept_files and not [u for u in uploads if u.filename]:
        raise DomainError(_("Write something or add a file before sending."), "text")


def submit(pupil: User, submission: Submission, version: int | None = None) -> Submission:
    """Hand the draft in. Late by how much after the due date; refused after the cut-off; a second
    click on the same draft changes nothing."""
    assignment = submission.assignment
    if submission.pupil_id != pupil.id:
        raise NotFound(_("There is no such work."))
    _given_to(assignment, pupil)
    if submission.state is not SubmissionState.DRAFT or (
        version is not None and version != submission.version
    ):
        raise Conflict(_("This work has been sent already."))
    now = utcnow()
    _check_window(assignment, pupil, now)
    if not submission.text.strip() and not submission.files:
        raise DomainError(_("Write something or add a file before sending."), "text")
    due, _cutoff = deadlines(assignment, pupil.id)
    submission.state = SubmissionState.SUBMITTED
    submission.submitted_at = now
    submission.late_seconds = int((now - due).total_seconds()) if now > due else None
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_("This work has been sent already.")) from None
    return submission


def attest_connection(tutor: User, submission: Submission, note: str) -> None:
    """The tutor says the lateness came from the connection: it no longer counts as late."""
    if tutor.role is not Role.TUTOR or submission.pupil.school_id != tutor.school_id:
        raise NotFound(_("There is no such work."))
    if submission.late_seconds is None:
        raise DomainError(_("This work did not come late."))
    if not note.strip():
        raise DomainError(_("Say briefly what happened with the connection."), "note")
    submission.excused_by_id = tutor.id
    submission.excuse_note = note.strip()[:2000]
    db.session.commit()
