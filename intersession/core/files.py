"""Uploaded files: checked by their content against an allow-list, kept under generated names,
served with the original name (RFC 6266) only through views that check access first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import filetype
from flask import Response, current_app, send_file
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import FileStorage

from intersession.core import pictures, storage
from intersession.core.db import Model, UTCDateTime, db, utcnow
from intersession.core.errors import DomainError

AREA = "files"
SNIFF_BYTES = 8192
# What a teacher or a pupil may upload: type found in the content -> the type we serve it as.
ALLOWED = {
    "application/pdf": "application/pdf",
    "image/png": "image/png",
    "image/jpeg": "image/jpeg",
    "image/gif": "image/gif",
    "image/webp": "image/webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": None,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": None,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": None,
    "application/vnd.oasis.opendocument.text": None,
    "application/vnd.oasis.opendocument.spreadsheet": None,
    "application/vnd.oasis.opendocument.presentation": None,
    "text/plain": "text/plain; charset=utf-8",
}
INLINE = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


class StoredFile(Model):
    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _kind_of(head: bytes, name: str) -> str | None:
    guess = filetype.guess(head)
    if guess is not None:
        return str(guess.mime)
    if name.lower().endswith(".txt") and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 4:  # not just a character cut at the end of the sample
                return None
        return "text/plain"
    return None


def clean_name(name: str) -> str:
    """The name to show: no folders, no control characters, not empty."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or "file"


def store_upload(
    upload: FileStorage, uploaded_by_id: int, max_bytes: int | None = None
) -> StoredFile:
    """Keep an upload if its content is an allowed type and it is no larger than `max_bytes` (by
    default the site's request limit). The row is added to the session for the caller to commit; if that fails the
    caller calls `discard`. A refused file leaves nothing."""
    limit = max_bytes if max_bytes is not None else int(current_app.config["MAX_CONTENT_LENGTH"])
    name = clean_name(upload.filename or "")
    try:
        stored_name, size = storage.save_stream(AREA, upload.stream, limit)
    except ValueError:
        raise DomainError(_("“%(name)s” is too large.", name=name), "files") from None
    with storage.media_path(AREA, stored_name).open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    kind = _kind_of(head, name)
    if size == 0 or kind not in ALLOWED:
        storage.delete_file(AREA, stored_name)
        raise DomainError(
            _("“%(name)s” is not a PDF, a picture, an office document or a text file.", name=name),
            "files",
        )
    if kind in pictures.KINDS:
        _check_picture(stored_name, kind, name)
    stored = StoredFile(stored_name=stored_name, original_name=name, content_type=kind,
                        size=size, uploaded_by_id=uploaded_by_id)  # fmt: skip
    db.session.add(stored)
    return stored


def _check_picture(stored_name: str, kind: str, name: str) -> None:
    """Refuse a picture too large to decode while the person who sent it is there to save it
    smaller: kept, it could never be shown in an export, and a browser showing it inline would
    have to decode it whole."""
    path = storage.media_path(AREA, stored_name)
    try:
        pictures.check(path, kind)
    except pictures.TooLarge as error:
        storage.delete_file(AREA, stored_name)
        raise DomainError(
            ngettext(
                "“%(name)s” is %(width)d × %(num)d pixel: too large a picture (at most "
                "%(limit)d MP). Save it smaller and send it again.",
                "“%(name)s” is %(width)d × %(num)d pixels: too large a picture (at most "
                "%(limit)d MP). Save it smaller and send it again.",
                error.height,
                name=name,
                width=error.width,
                limit=pictures.max_megapixels(kind),
            ),
            "files",
        ) from None
    except pictures.Unreadable:
        # Its content is of an allowed type and it is kept as a file; every path that would
        # decode it asks `pictures` again and leaves it out.
        pass


class HeldUpload(FileStorage):
    """A file that reached the server before the form that keeps it (core/resumable): kept like
    one sent with the form; its own record goes in the same commit, its bytes once kept."""

    def claim(self) -> None:
        raise NotImplementedError

    def forget(self) -> None:
        raise NotImplementedError


@contextmanager
def kept_uploads(
    uploads: list[FileStorage], uploaded_by_id: int, max_bytes: int | None = None
) -> Iterator[list[StoredFile]]:
    """Store every upload with a name and hand them to the caller, who attaches them and commits.
    If storing, attaching or committing fails, the session is rolled back and the stored files
    removed: a refused upload leaves no row and no file."""
    kept: list[StoredFile] = []
    held = [u for u in uploads if isinstance(u, HeldUpload)]
    try:
        for upload in uploads:
            if upload.filename:
                kept.append(store_upload(upload, uploaded_by_id, max_bytes))
                if isinstance(upload, HeldUpload):
                    upload.claim()
        yield kept
    except BaseException:
        db.session.rollback()
        discard(kept)
        raise
    finally:
        for upload in held:
            upload.close()
    for upload in held:
        upload.forget()


def discard(files: list[StoredFile]) -> None:
    for stored in files:
        storage.delete_file(AREA, stored.stored_name)


def send_stored(stored: StoredFile) -> Response:
    """The file, inline when safe to show in the browser, else as a download; range requests work."""
    inline = stored.content_type in INLINE
    served = ALLOWED.get(stored.content_type) or stored.content_type
    response = send_file(
        storage.media_path(AREA, stored.stored_name),
        mimetype=served,
        as_attachment=not inline,
        download_name=stored.original_name,
        conditional=True,
        max_age=0,
    )
    # Werkzeug appends "; charset=utf-8" to every text/ type, even one that states it already.
    response.headers["Content-Type"] = served
    # Our own pages may show a PDF or a picture in a frame; the file itself runs nothing.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
    )
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
