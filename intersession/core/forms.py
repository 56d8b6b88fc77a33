"""Forms every feature uses, and running a service on behalf of a form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import abort, flash
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import DateTimeField, DecimalField, Field, FloatField, IntegerField
from wtforms.validators import StopValidation

from intersession.core.errors import DomainError, Forbidden, NotFound
from intersession.core.inputs import DECIMAL_LIMIT, FIRST_DAY, INT_MAX, INT_MIN, LAST_DAY


class _Messages:
    """WTForms' own messages ("Not a valid choice") in the person's language: ours first (where
    WTForms' catalogue leaves one untranslated or fuzzy), else WTForms' catalogue."""

    def gettext(self, string: str) -> str:
        ours: str = get_translations().ugettext(string)
        return ours if ours != string else str(wtforms_translations.gettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        ours: str = get_translations().ungettext(singular, plural, n)
        if ours not in (singular, plural):
            return ours
        return str(wtforms_translations.ngettext(singular, plural, n))


def _in_range(form: Any, field: Field) -> None:
    """Before every other check of a number or date field (NumberRange on NaN raises, a year
    0001 breaks the reports, 10**20 overflows the database): values the platform cannot keep."""
    value = field.data
    if value is None:
        return
    if isinstance(field, DateTimeField):  # DateField and DateTimeLocalField are DateTimeFields
        day = value.date() if isinstance(value, datetime) else value
        if isinstance(day, date) and not FIRST_DAY <= day <= LAST_DAY:
            raise StopValidation(
                _l(
                    "Enter a date between %(first)d and %(last)d.",
                    first=FIRST_DAY.year,
                    last=LAST_DAY.year,
                )
            )
    elif isinstance(field, IntegerField) and not INT_MIN <= value <= INT_MAX:
        raise StopValidation(_l("Enter a smaller number."))
    elif isinstance(field, DecimalField | FloatField):
        number = Decimal(str(value))
        if not number.is_finite():
            raise StopValidation(_l("Enter a number."))
        if abs(number) > DECIMAL_LIMIT:
            raise StopValidation(_l("Enter a smaller number."))


class Form(FlaskForm):
    """The base of every form: WTForms' messages translated, numbers and dates bounded."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> _Messages:
            return _Messages()

        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Any:
            """An attribute given as None is left out: WTForms would write it as "None"
            (aria-invalid="None" on every valid field of a template that passes None)."""
            kept = {k: v for k, v in render_kw.items() if v is not None}
            return super().render_field(field, kept)

        def bind_field(self, form: Any, unbound_field: Any, options: Any) -> Field:
            field: Field = super().bind_field(form, unbound_field, options)
            if isinstance(field, DateTimeField | IntegerField | DecimalField | FloatField):
                field.validators = [_in_range, *field.validators]
            return field


class ButtonForm(Form):
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
