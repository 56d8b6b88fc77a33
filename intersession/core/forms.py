"""Forms every feature uses, and running a service on behalf of a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash
from flask_wtf import FlaskForm

from intersession.core.errors import DomainError, Forbidden, NotFound


class ButtonForm(FlaskForm):
    """A button that changes something: nothing but its CSRF token."""


def apply(form: FlaskForm, action: Callable[[], Any], success: str | None = None) -> Any:
    """Run a service; a broken rule lands on the form field it names (or as a message)."""
    try:
        result = action()
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    except DomainError as error:  # Conflict included
        field = getattr(form, error.field, None) if error.field else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, error.message]
        else:
            form.form_errors.append(error.message)
        return None
    if success:
        flash(success, "success")
    return result if result is not None else True
