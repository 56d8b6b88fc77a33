"""A picture as a page shows it: a phone photo of a pupil's answer is 3–6 MB and 4000 pixels
wide, shown in a column of a few hundred. The page gets a JPEG of at most PREVIEW_SIDE pixels on
its longest side, made on the first view and kept beside the file under the same name (removed
with it: storage.DERIVED); the link under it still gives the original."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Response, send_file

from intersession.core import pictures, storage
from intersession.core.files import AREA, StoredFile, send_stored

PREVIEWS = storage.PREVIEWS
PREVIEW_SIDE = 1280  # twice a page's column, for a sharp picture on a phone's screen too
SCALED = {"image/jpeg", "image/png", "image/webp"}  # a GIF may move: shown as it is
QUALITY = 82


def send_preview(stored: StoredFile) -> Response:
    """The preview of `stored`; the file itself when it is small already, not a picture that
    scales (a GIF, a PDF), or one that cannot be decoded."""
    if stored.content_type not in SCALED:
        return send_stored(stored)
    path = storage.media_path(PREVIEWS, stored.stored_name)
    if not path.exists() and not _made(stored, path):
        return send_stored(stored)
    response = send_file(path, mimetype="image/jpeg", conditional=True, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


def _made(stored: StoredFile, path: Path) -> bool:
    original = storage.media_path(AREA, stored.stored_name)
    try:
        width, height = pictures.measure(original, stored.content_type)
        if max(width, height) <= PREVIEW_SIDE:
            return False  # already what a page needs
        picture = pictures.open_scaled(original, stored.content_type, PREVIEW_SIDE)
    except (pictures.TooLarge, pictures.Unreadable):
        return False
    picture = pictures.on_white(picture)  # JPEG has no transparency
    # Two first views at once each write their own (a hexadecimal name ending in "part", which
    # a backup leaves out); the last one renamed stays.
    partial = path.with_name(f"{path.name}{secrets.token_hex(4)}{storage.PARTIAL_SUFFIX}")
    try:
        picture.save(partial, format="JPEG", quality=QUALITY, optimize=True)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return True
