"""Device cookies (OWASP's answer to lockout by someone else): a browser where a person signed
in successfully holds a signed entry for that account; sign-in failures made with it are counted
against that entry, not the account, so strangers locking the account do not lock them out.

One cookie holds an entry for each of the last people who signed in on that browser, since a
school computer is shared by a classroom. It goes only to the sign-in page, signed with the
app's SECRET_KEY; it names accounts by id, not login, so the next person at the computer does not
read who used it before. It grants nothing by itself: the password is still checked."""

from __future__ import annotations

import secrets
import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "device"
KEPT = 20  # entries: a classroom's pupils taking turns at a computer, under 1.5 KB
Entry = tuple[int, str, int]  # account id, nonce, issued at (Unix seconds)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="login-device")


def lifetime_seconds() -> int:
    return int(current_app.config["LOGIN_DEVICE_COOKIE_DAYS"]) * 86400


def _entries(cookie: str | None) -> list[Entry]:
    """The cookie's live entries; a forged, damaged or foreign cookie has none."""
    if not cookie:
        return []
    try:
        raw = _serializer().loads(cookie)
    except BadSignature:
        return []
    oldest = time.time() - lifetime_seconds()
    if not isinstance(raw, list):
        return []
    return [
        (entry[0], entry[1], entry[2])
        for entry in raw
        if isinstance(entry, list)
        and len(entry) == 3
        and isinstance(entry[0], int)
        and isinstance(entry[1], str)
        and isinstance(entry[2], int)
        and entry[2] > oldest
    ]


def device_of(cookie: str | None, user_id: int) -> str | None:
    """The nonce this browser holds for the account, if it signed in here before."""
    return next((nonce for owner, nonce, _at in _entries(cookie) if owner == user_id), None)


def issue(cookie: str | None, user_id: int) -> str:
    """The cookie after a successful sign-in: a fresh entry for the account, first, the others
    kept (the oldest dropped beyond KEPT). A fresh nonce leaves this device's past failures behind."""
    others = [entry for entry in _entries(cookie) if entry[0] != user_id]
    entries = [(user_id, secrets.token_urlsafe(12), int(time.time())), *others][:KEPT]
    return str(_serializer().dumps([list(entry) for entry in entries]))
