"""The hostile values, by class. Each class is a pytest parameter, so `-k ids`, `-k dates` … run one.

A value is text (sent as UTF-8, percent-encoded where the transport needs it), raw bytes (sent as
they are: invalid UTF-8 and overlong sequences, already percent-encoded for query strings and
urlencoded bodies), or a list (the field sent once per item)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MEGABYTE = 1024 * 1024
HOSTILE_IDS = (0, -1, 2**31, 2**63, 10**20)


@dataclass(frozen=True)
class Hostile:
    label: str  # short, for the failure list
    form: str | bytes | tuple[str, ...]  # what a form field or query argument receives
    event: Any  # what a Socket.IO payload key receives


def _text(label: str, value: str) -> Hostile:
    return Hostile(label, value, value)


CATALOGUE: dict[str, tuple[Hostile, ...]] = {
    "ids": tuple(Hostile(str(i), str(i), i) for i in HOSTILE_IDS),
    "dates": (
        _text("0001-01-01", "0001-01-01"),
        _text("9999-12-31", "9999-12-31"),
        _text("2026-02-31", "2026-02-31"),
        _text("empty", ""),
    ),
    "control": (
        _text("NUL", "\x00"),
        _text("a NUL b", "a\x00b"),
        _text("C0 controls", "\x01\x02\x07\x08\x0b\x0c\x1b\x7f"),
        _text("C1 and separators", "\x85\u2028\u2029\ufeff"),
    ),
    "crlf": (
        _text("CRLF", "a\r\nb"),
        _text("CRLF header", "/\r\nSet-Cookie: fuzz=1"),
        _text("lone CR", "a\rb"),
    ),
    "utf8": (
        Hostile("invalid %FF%FE", b"%FF%FE", "\udcff\udcfe"),
        Hostile("overlong %C0%AF", b"%C0%AF", "\udcc0\udcaf"),
        Hostile("surrogate %ED%A0%80", b"%ED%A0%80", "\ud800"),
        Hostile("truncated %E2%82", b"a%E2%82", "a\udce2\udc82"),
    ),
    "huge": (
        _text("1 MB ASCII", "x" * MEGABYTE),
        _text("1 MB Cyrillic", "Ә" * (MEGABYTE // 2)),
    ),
    "numbers": (
        _text("NaN", "NaN"),
        _text("Infinity", "Infinity"),
        _text("-Infinity", "-Infinity"),
        _text("1E+30", "1E+30"),
        _text("-1E+30", "-1E+30"),
        Hostile("float nan", "nan", float("nan")),
        Hostile("float 1e30", "1e30", 1e30),
    ),
    "lists": (
        Hostile("two values", ("1", "2"), [1, 2]),
        Hostile("empty and value", ("", "x"), []),
        Hostile("nested", ("[1]", "{}"), {"a": [1, {"b": None}]}),
    ),
}
CLASSES = tuple(CATALOGUE)
