"""A lesson's materials: files its advisor attaches for the invited pupils and their tutors."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import FileStorage

from intersession.auth.models import User
from intersession.core import storage
from intersession.core.db import db
from intersession.core.errors import DomainError, Forbidden, NotFound
from intersession.core.files import AREA, StoredFile, kept_uploads
from intersession.lessons.models import Lesson

MAX_MATERIALS = 10


def add_materials(
    advisor: User, lesson: Lesson, uploads: list[FileStorage], as_slides: bool = False
) -> list[StoredFile]:
    """Attach files: all of them or, if one is refused, none (nothing is left on disk). With
    `as_slides`, each PDF also becomes slides for the room, or the whole is refused with why."""
    if lesson.advisor_id != advisor.id:
        raise Forbidden(_("Only the lesson's advisor may change it."))
    uploads = [u for u in uploads if u.filename]
    if not uploads:
        raise DomainError(_("Choose a file."), "files")
    if len(lesson.materials) + len(uploads) > MAX_MATERIALS:
        raise DomainError(
            ngettext(
                "A lesson has at most %(num)d file.",
                "A lesson has at most %(num)d files.",
                MAX_MATERIALS,
            ),
            "files",
        )
    from intersession.board import slides

    with kept_uploads(uploads, advisor.id) as kept:
        lesson.materials.extend(kept)
        decks = [slides.new_deck(lesson, f) for f in kept if as_slides and slides.is_pdf(f)]
        db.session.commit()
    slides.start_rendering(decks)
    return kept


def materials_limit(user: object, lesson_id: int | None) -> int:
    """What a resumable upload of a material may weigh: the site's limit, for the lesson's
    advisor only."""
    lesson = db.session.get(Lesson, lesson_id) if lesson_id is not None else None
    if lesson is None or not isinstance(user, User) or lesson.advisor_id != user.id:
        raise NotFound(_("There is no such lesson."))
    return int(current_app.config["MAX_CONTENT_LENGTH"])


def remove_material(advisor: User, lesson: Lesson, stored: StoredFile) -> None:
    if lesson.advisor_id != advisor.id:
        raise Forbidden(_("Only the lesson's advisor may change it."))
    lesson.materials.remove(stored)
    db.session.delete(stored)
    db.session.commit()
    storage.delete_file(AREA, stored.stored_name)
