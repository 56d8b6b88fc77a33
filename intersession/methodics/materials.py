"""The materials of a route's step: files its mentor or a methodologist attaches for the teacher."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import FileStorage

from intersession.auth.models import User
from intersession.core import storage
from intersession.core.db import db
from intersession.core.errors import Conflict, DomainError, Forbidden, NotFound
from intersession.core.files import AREA, StoredFile, kept_uploads
from intersession.methodics.access import can_view_help, guides
from intersession.methodics.models import HelpState, RouteStep

MAX_MATERIALS = 10


def _require_changeable(actor: User, step: RouteStep) -> None:
    if not guides(actor, step.request):
        raise Forbidden(_("The route is built by its mentor or a methodologist."))
    if step.request.state is not HelpState.IN_ROUTE:
        raise Conflict(_("The route has ended: it can no longer be changed."))


def add_materials(actor: User, step: RouteStep, uploads: list[FileStorage]) -> list[StoredFile]:
    """Attach files: all of them or, if one is refused, none (nothing is left on disk)."""
    _require_changeable(actor, step)
    uploads = [u for u in uploads if u.filename]
    if not uploads:
        raise DomainError(_("Choose a file."), "files")
    if len(step.materials) + len(uploads) > MAX_MATERIALS:
        raise DomainError(
            ngettext(
                "A step has at most %(num)d file.",
                "A step has at most %(num)d files.",
                MAX_MATERIALS,
            ),
            "files",
        )
    with kept_uploads(uploads, actor.id) as kept:
        step.materials.extend(kept)
        db.session.commit()
    return kept


def remove_material(actor: User, step: RouteStep, stored: StoredFile) -> None:
    _require_changeable(actor, step)
    step.materials.remove(stored)
    db.session.delete(stored)
    db.session.commit()
    storage.delete_file(AREA, stored.stored_name)


def step_materials_limit(user: object, step_id: int | None) -> int:
    """What a resumable upload of a step's material may weigh: the site's limit, for those who
    build the route only."""
    step = db.session.get(RouteStep, step_id) if step_id is not None else None
    if (
        step is None
        or not isinstance(user, User)
        or not can_view_help(user, step.request)
        or not guides(user, step.request)
    ):
        raise NotFound(_("There is no such step."))
    return int(current_app.config["MAX_CONTENT_LENGTH"])
