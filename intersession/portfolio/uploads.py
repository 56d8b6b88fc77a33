"""What a resumable upload may be for in the portfolio: a pupil's evidence."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from intersession.auth.models import Role, User
from intersession.core.errors import NotFound
from intersession.core.resumable.services import register_kind


def evidence_limit(user: object, _object_id: int | None) -> int:
    if not isinstance(user, User) or user.role is not Role.PUPIL:
        raise NotFound(_("There is nothing to upload to here."))
    return int(current_app.config["MAX_CONTENT_LENGTH"])


def register() -> None:
    register_kind("evidence", evidence_limit)
