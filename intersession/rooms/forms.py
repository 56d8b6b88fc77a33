"""Forms for scheduling and cancelling lessons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from intersession.rooms.models import MAX_MINUTES


class LessonForm(FlaskForm):
    teaching = SelectField(_l("Cohort and subject"), coerce=int)
    topic = SelectField(_l("Topic from the plan"), coerce=int)
    day = DateField(_l("Day"), validators=[InputRequired(_l("Enter a date."))])
    start = TimeField(_l("Start (hub time)"), validators=[InputRequired(_l("Enter a time."))])
    duration = IntegerField(
        _l("Duration, minutes"),
        default=45,
        validators=[
            InputRequired(_l("Enter a number.")),
            NumberRange(5, MAX_MINUTES, _l("From 5 minutes to 6 hours.")),
        ],
    )
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=5000)])


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason, shown to pupils and tutors"),
        validators=[DataRequired(_l("Say why the lesson is cancelled.")), Length(max=1000)],
    )
