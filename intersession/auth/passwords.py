"""Password hashing and generation."""

from __future__ import annotations

import secrets
from functools import lru_cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

# Letters and digits that cannot be confused when read off a printed slip (no 0/O, 1/l/I).
_SLIP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_matches(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Still spend the time of a real check, so an unknown login is not told apart by timing.
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return False
    return check_password_hash(password_hash, password)


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(8), method=method)


def generate_password(length: int = 10) -> str:
    return "".join(secrets.choice(_SLIP_ALPHABET) for _ in range(length))
