"""Forms of the coordinator's pages; each field says what is wrong with it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from intersession.core.formatting import format_zone
from intersession.core.forms import Form

TIMEZONES = (
    "Asia/Almaty",
    "Asia/Qostanay",
    "Asia/Qyzylorda",
    "Asia/Aqtobe",
    "Asia/Aqtau",
    "Asia/Atyrau",
    "Asia/Oral",
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
)
GRADES = [SelectChoice(str(g), str(g)) for g in range(8, 12)]


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


REQUIRED = _l("This field is required.")


def timezone_choices() -> list[SelectChoice]:
    return [SelectChoice(name, format_zone(name)) for name in TIMEZONES]


class SchoolForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    district = StringField(_l("District"), validators=[DataRequired(REQUIRED), Length(max=200)])
    timezone = SelectField(_l("Time zone"), choices=timezone_choices, default="Asia/Almaty")


class SubjectForm(Form):
    name = StringField(_l("Subject"), validators=[DataRequired(REQUIRED), Length(max=120)])


class YearForm(Form):
    name = StringField(
        _l("Name"), validators=[DataRequired(REQUIRED), Length(max=20)], default="2026/2027"
    )
    starts_on = DateField(_l("First day"), validators=[InputRequired(_l("Enter a date."))])
    ends_on = DateField(_l("Last day"), validators=[InputRequired(_l("Enter a date."))])


class SessionForm(Form):
    starts_on = DateField(_l("First day"), validators=[InputRequired(_l("Enter a date."))])
    ends_on = DateField(_l("Last day"), validators=[InputRequired(_l("Enter a date."))])


class PersonForm(Form):
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    login = StringField(_l("Login"), validators=[DataRequired(REQUIRED), Length(max=64)])
    role = SelectField(_l("Role"), validators=[DataRequired(REQUIRED)])
    school = SelectField(_l("School"), coerce=int, validators=[DataRequired(REQUIRED)])
    grade = SelectField(
        _l("Grade (pupils only)"), choices=[SelectChoice("", "—"), *GRADES], default=""
    )
    email = StringField(
        _l("E-mail (optional)"),
        validators=[Optional(), Length(max=254)],
    )
    language = SelectField(
        _l("Language"),
        choices=options(
            [
                ("", _l("As the browser asks")),
                ("ru", "Русский"),
                ("kk", "Қазақша"),
                ("en", "English"),
            ]
        ),
        default="",
    )


class CohortForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=60)])
    grade = SelectField(_l("Grade"), choices=GRADES, coerce=int)


class CohortPupilsForm(Form):
    pupils = SelectMultipleField(
        _l("Pupils"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class TeachingForm(Form):
    advisor = SelectField(_l("Advisor"), coerce=int)
    subject = SelectField(_l("Subject"), coerce=int)


class TopicForm(Form):
    title = StringField(_l("Topic"), validators=[DataRequired(REQUIRED), Length(max=300)])
    week = IntegerField(
        _l("Week of the year"),
        validators=[InputRequired(_l("Enter a number.")), NumberRange(1, 53, _l("From 1 to 53."))],
    )
    hours = DecimalField(
        _l("Hours"),
        places=1,
        validators=[
            InputRequired(_l("Enter a number.")),
            NumberRange(0.5, 100, _l("From 0.5 to 100.")),
        ],
    )


class ImportForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a file."))])
