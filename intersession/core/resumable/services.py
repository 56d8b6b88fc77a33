"""Uploads that resume where a dropped link left them: the core of the tus 1.0 protocol.

Written here rather than taken from a library: the Flask ones (flask-tus and its forks) were last
released in 2016-2021 for Flask 1 and keep their state in one process or in Redis, and the
maintained Python server (tuspyserver) is a FastAPI router. What is needed is small: a row per
upload (its length, how much has arrived, for what) that every instance shares, and its bytes in
one file of the media folder, written where the client says and only there.

An upload becomes a file of the platform only when the form it was sent for is saved: the form
names the finished uploads, and `claimed_files` hands them to `files.kept_uploads`, which checks
them by their content like any upload and stores them under a new name. Until then nothing of it
is visible anywhere; an upload left for a day is removed (`purge_abandoned`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import case, delete, func, select, update
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import ClientDisconnected

from intersession.core import storage
from intersession.core.db import db, utcnow
from intersession.core.errors import DomainError, NotFound
from intersession.core.files import HeldUpload, clean_name
from intersession.core.resumable.models import ResumableUpload

AREA = "uploads"
KEPT_FOR = timedelta(days=1)  # an upload not touched for this long is abandoned
MAX_OPEN = 20  # uploads one person may have on their way at once
PIECE = 64 * 1024

# What an upload may be for: a kind ("work") and an optional object id ("work:12"). Each feature
# registers its kinds with a check that answers the largest file the person may send for it, and
# raises NotFound when they may send none (core knows nothing of works or lessons).
LimitCheck = Callable[[object, int | None], int]
_KINDS: dict[str, LimitCheck] = {}


class TooLarge(DomainError):
    """More than the place the upload is for takes (413)."""


class OutOfPlace(DomainError):
    """A chunk that does not start where the upload stands (409): the client asks where it is."""

    def __init__(self, message: str, received: int) -> None:
        super().__init__(message)
        self.received = received


def register_kind(kind: str, check: LimitCheck) -> None:
    _KINDS[kind] = check


def _parse_target(target: str) -> tuple[str, int | None]:
    kind, _sep, number = target.partition(":")
    if (
        kind not in _KINDS
        or (number and not (number.isascii() and number.isdigit()))
        or len(number) > 12
    ):
        raise NotFound(_("There is nothing to upload to here."))
    return kind, int(number) if number else None


def limit_for(user: object, target: str) -> int:
    kind, object_id = _parse_target(target)
    return _KINDS[kind](user, object_id)


def data_path(upload: ResumableUpload) -> Path:
    # Under the name a partial file has, so a backup leaves it out (storage.is_temporary).
    return storage.partial_path(storage.media_path(AREA, upload.id))


def begin_upload(owner: object, owner_id: int, target: str, filename: str, length: int) -> ResumableUpload:  # fmt: skip
    """A new upload of `length` bytes for `target`, refused whole when the place takes no file
    that large, or when the person already has MAX_OPEN uploads on their way."""
    name = clean_name(filename)
    limit = limit_for(owner, target)
    if length <= 0:
        raise DomainError(_("“%(name)s” is empty.", name=name))
    if length > limit:
        raise TooLarge(
            _("“%(name)s” is too large: at most %(mb)d MB here.", name=name, mb=limit // 2**20)
        )
    open_now = db.session.scalar(
        select(func.count())
        .select_from(ResumableUpload)
        .where(
            ResumableUpload.owner_id == owner_id  # finished and not yet claimed count too
        )
    )
    if (open_now or 0) >= MAX_OPEN:
        raise DomainError(_("Too many files are being sent at once. Wait for them to finish."))
    upload = ResumableUpload(id=secrets.token_hex(16), owner_id=owner_id, target=target,
                             filename=name, length=length, received=0)  # fmt: skip
    with open(data_path(upload), "xb"):
        pass
    db.session.add(upload)
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        os.unlink(data_path(upload))
        raise
    return upload


def find_upload(upload_id: str, owner_id: int) -> ResumableUpload:
    """The person's own upload; anyone else's, a finished-and-claimed or an abandoned one is
    not found, the same as one that never was."""
    known = upload_id.isascii() and upload_id.isalnum() and len(upload_id) == 32
    upload = db.session.get(ResumableUpload, upload_id) if known else None
    if upload is None or upload.owner_id != owner_id or not os.path.exists(data_path(upload)):
        raise NotFound(_("This upload is not here any more. Choose the file and send it again."))
    return upload


def receive_chunk(upload: ResumableUpload, offset: int, stream: IO[bytes], declared: int | None) -> int:  # fmt: skip
    """Write the bytes of a chunk that starts at `offset` into the upload; returns how much of the
    upload has arrived. What arrives before a dropped link is kept, so the client resumes after
    it. Nothing is written past the upload's length, nor where another chunk is expected."""
    if offset != upload.received:
        raise OutOfPlace(
            _("This part of the file does not follow the part already here."), upload.received
        )
    room = upload.length - offset
    if declared is not None and declared > room:
        raise TooLarge(_("More was sent than the file's size."))
    path, upload_id = data_path(upload), upload.id
    # The body may take minutes on a rural link: no transaction (and no pooled connection) is
    # held while it comes.
    db.session.commit()
    written = 0
    with open(path, "r+b") as out:
        out.seek(offset)
        for piece in _pieces(stream, room):
            if written + len(piece) > room:
                out.truncate(offset + written)  # nothing past the length stays
                raise TooLarge(_("More was sent than the file's size."))
            out.write(piece)
            written += len(piece)
        out.flush()
        os.fsync(out.fileno())  # on disk before the mark says it is
    return _advance(upload_id, offset, offset + written)


def _pieces(stream: IO[bytes], room: int) -> Iterator[bytes]:
    """The chunk's bytes, at most one past `room` (to tell a chunk too long); a dropped link
    ends them."""
    got = 0
    while got <= room:
        try:
            piece = stream.read(min(PIECE, room - got + 1))
        except (ClientDisconnected, ConnectionError, TimeoutError):
            return
        if not piece:
            return
        got += len(piece)
        yield piece


def _advance(upload_id: str, start: int, end: int) -> int:
    """Move the upload's mark to `end` if it still stands at or past `start`. Two requests of one
    upload (a retry while the first one still trickles in) write the same bytes of the same file,
    so the mark only ever moves forward, in the database every instance reads."""
    db.session.execute(
        update(ResumableUpload)
        .where(ResumableUpload.id == upload_id, ResumableUpload.received >= start)
        .values(
            received=case((ResumableUpload.received < end, end), else_=ResumableUpload.received),
            touched_at=utcnow(),
        )
    )
    db.session.commit()
    now = db.session.get(ResumableUpload, upload_id)
    if now is None:  # cancelled meanwhile
        raise NotFound(_("This upload is not here any more. Choose the file and send it again."))
    return now.received


def cancel_upload(upload: ResumableUpload) -> None:
    path = data_path(upload)
    db.session.execute(delete(ResumableUpload).where(ResumableUpload.id == upload.id))
    db.session.commit()
    path.unlink(missing_ok=True)


def expires_at(upload: ResumableUpload) -> datetime:
    return upload.touched_at + KEPT_FOR


class ResumedFile(HeldUpload):
    """A finished upload, kept by `files.kept_uploads` like a file sent with the form."""

    def __init__(self, upload: ResumableUpload) -> None:
        super().__init__(stream=open(data_path(upload), "rb"), filename=upload.filename)  # noqa: SIM115
        self.upload_id, self.path = upload.id, data_path(upload)

    def claim(self) -> None:
        """Its row goes in the commit that keeps the file; a second form naming it (another tab)
        finds no row to take and is refused."""
        gone = db.session.execute(
            delete(ResumableUpload).where(ResumableUpload.id == self.upload_id)
        )
        if getattr(gone, "rowcount", 1) != 1:
            raise DomainError(_("A file was not sent whole. Choose it and send it again."), "files")

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)


def claimed_files(upload_ids: list[str], owner_id: int, target: str) -> list[FileStorage]:
    """The finished uploads a form names, as files to keep; one that is not the person's, not
    for this place or not finished is refused with the file's name, nothing claimed."""
    found: list[ResumableUpload] = []
    for upload_id in dict.fromkeys(upload_ids):  # once each, in order
        try:
            upload = find_upload(upload_id, owner_id)
        except NotFound:
            raise DomainError(
                _("A file was not sent whole. Choose it and send it again."), "files"
            ) from None
        if upload.target != target or not upload.complete:
            raise DomainError(
                _(
                    "“%(name)s” was not sent whole. Choose it and send it again.",
                    name=upload.filename,
                ),
                "files",
            )
        found.append(upload)
    return [ResumedFile(upload) for upload in found]


def purge_abandoned(now: datetime | None = None) -> int:
    """Remove the uploads nobody touched for KEPT_FOR, finished or not, and any file of the
    uploads folder that no row names. Returns how many were removed."""
    cutoff = (now or utcnow()) - KEPT_FOR
    old = select(ResumableUpload.id).where(ResumableUpload.touched_at < cutoff)
    gone = list(db.session.scalars(old))
    db.session.execute(delete(ResumableUpload).where(ResumableUpload.id.in_(gone)))
    db.session.commit()
    known = set(db.session.scalars(select(ResumableUpload.id)))
    removed = 0
    for path in storage.media_path(AREA).iterdir():
        stem = path.name.removesuffix(storage.PARTIAL_SUFFIX)
        # Besides the rows just removed: a file whose row was never committed, or lost in a restore.
        if stem not in known and (stem in gone or path.stat().st_mtime < cutoff.timestamp()):
            path.unlink(missing_ok=True)
            removed += 1
    return max(removed, len(gone))
