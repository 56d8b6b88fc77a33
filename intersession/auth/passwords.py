"""Password hashing and generation."""

from __future__ import annotations

import secrets

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

# Letters and digits that cannot be confused when read off a printed slip (no 0/O, 1/l/I).
_SLIP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_matches(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Still spend the time of a check, so a missing password is not told apart by timing.
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)


def generate_password(length: int = 10) -> str:
    return "".join(secrets.choice(_SLIP_ALPHABET) for _ in range(length))


_DUMMY_HASH = generate_password_hash("not-a-password", method="pbkdf2:sha256:1000")
