"""Word of new work, of grades and rework, and of work due within a day and not sent: in the bell,
each once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from intersession.assignments.models import Assignment, AssignmentState, Submission, SubmissionState
from intersession.assignments.services import deadlines
from intersession.auth.models import Role, User
from intersession.core.db import db, utcnow
from intersession.core.web import path_for
from intersession.notifications.services import notify_once, register_text

DUE_SOON = timedelta(hours=24)


def _when(params: dict[str, Any]) -> str:
    return format_datetime(datetime.fromisoformat(params["due_at"]), "d MMMM, HH:mm")


register_text(
    "work-new", lambda p: _("New work: %(title)s, due %(when)s.", title=p["title"], when=_when(p))
)
register_text("work-graded", lambda p: _("Your work is graded: %(title)s.", title=p["title"]))
register_text(
    "work-returned", lambda p: _("Your work came back for rework: %(title)s.", title=p["title"])
)
register_text(
    "work-due",
    lambda p: _(
        "Due within a day and not sent: %(title)s, %(when)s.", title=p["title"], when=_when(p)
    ),
)
register_text("work-due-tutor", lambda p: _("%(pupil)s has not sent %(title)s, due %(when)s.", pupil=p["pupil"], title=p["title"], when=_when(p)))  # fmt: skip


def _tutors_of(pupils: list[User]) -> dict[int, list[int]]:
    """School id -> its active tutors' ids."""
    schools = {p.school_id for p in pupils}
    tutors = db.session.scalars(
        select(User).where(
            User.role == Role.TUTOR, User.active.is_(True), User.school_id.in_(schools)
        )
    )
    found: dict[int, list[int]] = {}
    for tutor in tutors:
        found.setdefault(tutor.school_id or 0, []).append(tutor.id)
    return found


def tell_published(assignment: Assignment) -> None:
    link = path_for("assignments.assignment", assignment_id=assignment.id)
    params = {"title": assignment.title, "due_at": assignment.due_at.isoformat()}
    for pupil in assignment.pupils:
        if pupil.active:
            notify_once(pupil.id, "work-new", f"work-new:{assignment.id}:{pupil.id}", params, link)
    db.session.commit()


def tell_released(submission: Submission) -> None:
    """The pupil hears of a grade or of rework once it is theirs to see."""
    if submission.released_at is None:
        return
    kind = "work-returned" if submission.state is SubmissionState.RETURNED else "work-graded"
    link = path_for("assignments.assignment", assignment_id=submission.assignment_id)
    key = f"{kind}:{submission.id}"
    notify_once(submission.pupil_id, kind, key, {"title": submission.assignment.title}, link)
    db.session.commit()


def send_due_reminders(now: datetime | None = None) -> int:
    """Work due within a day that a pupil has not sent: the pupil and their tutors hear, once."""
    now = now or utcnow()
    work = db.session.scalars(
        select(Assignment).where(
            Assignment.state == AssignmentState.PUBLISHED,
            Assignment.opens_at <= now,
            Assignment.due_at <= now + DUE_SOON + timedelta(days=30),  # extensions reach later
        )
    )
    sent = 0
    for assignment in work:
        sent_by = set(db.session.scalars(
            select(Submission.pupil_id).where(
                Submission.assignment_id == assignment.id, Submission.state != SubmissionState.DRAFT
            )
        ))  # fmt: skip
        waiting = [p for p in assignment.pupils if p.active and p.id not in sent_by]
        tutors = _tutors_of(waiting)
        link = path_for("assignments.assignment", assignment_id=assignment.id)
        for pupil in waiting:
            due, _cutoff = deadlines(assignment, pupil.id)
            if not now < due <= now + DUE_SOON:
                continue
            params = {
                "title": assignment.title,
                "due_at": due.isoformat(),
                "pupil": pupil.full_name,
            }
            sent += notify_once(
                pupil.id, "work-due", f"work-due:{assignment.id}:{pupil.id}", params, link
            )
            for tutor_id in tutors.get(pupil.school_id or 0, []):
                key = f"work-due-tutor:{assignment.id}:{pupil.id}:{tutor_id}"
                sent += notify_once(tutor_id, "work-due-tutor", key, params, link)
    db.session.commit()
    return sent
