"""The files a form brings: those sent with it, and the finished uploads it names."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from intersession.core.resumable.services import claimed_files

RESUMED_SUFFIX = "-resumed"  # the page's script names each finished upload in field + this


def sent_files(field: str, target: str) -> list[FileStorage]:
    """Every file of `field`: sent with the form (a page without its script), or uploaded
    before it by the page's script for `target` ("work:12"). Raises DomainError for an upload
    that is not the person's, not for this place or not finished."""
    sent = [upload for upload in request.files.getlist(field) if upload.filename]
    names = request.form.getlist(field + RESUMED_SUFFIX)
    if not names:
        return sent
    claimed = claimed_files(names, current_user.id, target)
    g.setdefault("held_uploads", []).extend(claimed)  # closed at the request's end (views.py)
    return sent + claimed
