"""What a resumable upload may be for in work: a pupil's answer, an advisor's attachments."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from intersession.assignments.models import Assignment
from intersession.assignments.submitting import check_may_send_files
from intersession.auth.models import Role, User
from intersession.core.db import db
from intersession.core.errors import NotFound
from intersession.core.resumable.services import register_kind


def answer_limit(user: object, assignment_id: int | None) -> int:
    """The work's own limit on a file, for a pupil who may send files for it now."""
    work = db.session.get(Assignment, assignment_id) if assignment_id is not None else None
    if not isinstance(user, User) or user.role is not Role.PUPIL or work is None:
        raise NotFound(_("There is no such work."))
    check_may_send_files(work, user)
    return work.max_file_mb * 2**20


def attachment_limit(user: object, _object_id: int | None) -> int:
    if not isinstance(user, User) or user.role is not Role.ADVISOR:
        raise NotFound(_("There is nothing to upload to here."))
    return int(current_app.config["MAX_CONTENT_LENGTH"])


def register() -> None:
    register_kind("work", answer_limit)
    register_kind("attachments", attachment_limit)
