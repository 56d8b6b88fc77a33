"""Pictures for tests, made without holding their pixels: a 12000 x 12000 PNG is 420 KB on disk
and would take 432 MB as one array."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(path: Path, side: int = 12000) -> Path:
    """An all-black RGB PNG of side x side pixels, compressed one row at a time."""
    squeeze = zlib.compressobj(9)
    row = b"\x00" * (1 + side * 3)  # the filter byte, then the pixels
    idat = b"".join(squeeze.compress(row) for _ in range(side)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )
    return path
