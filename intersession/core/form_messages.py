"""WTForms' own messages that its Russian catalogue leaves fuzzy or untranslated: listed here so
they are extracted into ours, which `core.forms` consults first. Nothing calls this module."""

from __future__ import annotations


def gettext(message: str) -> str:  # extraction markers only: the real lookup is in core.forms
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


WTFORMS_MESSAGES = (
    gettext("This field cannot be edited."),
    gettext("Date must be at least %(min)s."),
    gettext("Date must be at most %(max)s."),
    gettext("Date must be between %(min)s and %(max)s."),
    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
)
