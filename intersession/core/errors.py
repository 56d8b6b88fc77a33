"""Domain errors raised by services and turned into clear messages by views."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the platform was broken; the message is translated and shown to the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist, or the person may not see it (the same answer for both)."""


class Forbidden(DomainError):
    """The person may see the object but not do this to it."""


class Conflict(DomainError):
    """The change collides with the current state (a duplicate, an object still in use)."""
