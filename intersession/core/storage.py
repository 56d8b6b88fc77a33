"""Files under generated names in the media folder; the name the user sent is only for display."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import IO

from flask import current_app

CHUNK = 64 * 1024
# Files being written carry these endings until os.replace gives them their final name: a stored
# name + PARTIAL_SUFFIX (save_stream, the portfolio exports), TEMPORARY_SUFFIX (a recording's
# files while it is finished). A backup leaves them out.
PARTIAL_SUFFIX = "part"
TEMPORARY_SUFFIX = ".tmp"
PREVIEWS = "previews"  # pictures as pages show them (core/previews.py)
# Areas whose files have copies made from them, under the same name, in other areas: removing
# the file removes the copies.
DERIVED = {"files": (PREVIEWS,)}


def media_path(area: str, stored_name: str = "") -> Path:
    if stored_name and not stored_name.isalnum():
        raise ValueError("stored names are generated and alphanumeric")
    root = Path(current_app.config["MEDIA_ROOT"]) / area
    root.mkdir(parents=True, exist_ok=True)
    return root / stored_name if stored_name else root


def save_stream(area: str, stream: IO[bytes], max_bytes: int) -> tuple[str, int]:
    """Copy a stream to a new file in chunks; returns (stored name, size). On any failure, or past
    max_bytes, the partial file is removed and the error raised (ValueError for the size)."""
    stored_name = secrets.token_hex(16)
    target = media_path(area, stored_name)
    partial = partial_path(target)
    size = 0
    try:
        with open(partial, "xb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise ValueError("too large")
                out.write(chunk)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return stored_name, size


def partial_path(target: Path) -> Path:
    """Where a file under a generated name is written before it is renamed to `target`."""
    return target.with_name(target.name + PARTIAL_SUFFIX)


def is_temporary(name: str) -> bool:
    """Whether a file in the media folder is one still being written under a temporary name.
    Generated names are hexadecimal, so one ending in "part" can only be a partial file."""
    if name.endswith(TEMPORARY_SUFFIX):
        return True
    stem = name.removesuffix(PARTIAL_SUFFIX)
    return stem != name and stem != "" and all(c in "0123456789abcdef" for c in stem)


def read_bytes(area: str, stored_name: str) -> bytes:
    return media_path(area, stored_name).read_bytes()


def delete_file(area: str, stored_name: str) -> None:
    media_path(area, stored_name).unlink(missing_ok=True)
    for derived in DERIVED.get(area, ()):
        media_path(derived, stored_name).unlink(missing_ok=True)
