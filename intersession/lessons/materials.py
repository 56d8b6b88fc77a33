"""A lesson's materials: files its advisor attaches for the invited pupils and their tutors."""

from __future__ import annotations

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from intersession.auth.models import User
from intersession.core import storage
from intersession.core.db import db
from intersession.core.errors import DomainError, Forbidden
from intersession.core.files import AREA, StoredFile, discard, store_upload
from intersession.lessons.models import Lesson

MAX_MATERIALS = 10


def add_materials(advisor: User, lesson: Lesson, uploads: list[FileStorage]) -> list[StoredFile]:
    """Attach files: all of them or, if one is refused, none (nothing is left on disk)."""
    if lesson.advisor_id != advisor.id:
        raise Forbidden(_("Only the lesson's advisor may change it."))
    uploads = [u for u in uploads if u.filename]
    if not uploads:
        raise DomainError(_("Choose a file."), "files")
    if len(lesson.materials) + len(uploads) > MAX_MATERIALS:
        raise DomainError(_("A lesson has at most %(n)d files.", n=MAX_MATERIALS), "files")
    stored: list[StoredFile] = []
    try:
        for upload in uploads:
            stored.append(store_upload(upload, advisor.id))
        lesson.materials.extend(stored)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        discard(stored)
        raise
    return stored


def remove_material(advisor: User, lesson: Lesson, stored: StoredFile) -> None:
    if lesson.advisor_id != advisor.id:
        raise Forbidden(_("Only the lesson's advisor may change it."))
    lesson.materials.remove(stored)
    db.session.delete(stored)
    db.session.commit()
    storage.delete_file(AREA, stored.stored_name)
