"""Loading objects for a viewer: what they may not see answers 404, exactly like a missing id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort

from intersession.core.db import db

T = TypeVar("T")


def get_visible_or_404(model: type[T], ident: Any, allowed: Callable[[T], bool]) -> T:
    obj = db.session.get(model, ident)
    if obj is None or not allowed(obj):
        abort(404)
    return obj
