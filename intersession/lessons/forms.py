"""Forms for scheduling and cancelling lessons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from intersession.core.forms import Form
from intersession.lessons.models import MAX_MINUTES


class LessonForm(Form):
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


class CancelForm(Form):
    reason = TextAreaField(
        _l("Reason, shown to pupils and tutors"),
        validators=[DataRequired(_l("Say why the lesson is cancelled.")), Length(max=1000)],
    )


class AskForm(Form):
    teaching = SelectField(_l("Advisor and subject"), coerce=int)
    pupils = SelectMultipleField(
        _l("Pupils"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    topic = StringField(
        _l("Topic or project"),
        validators=[DataRequired(_l("Say what the consultation is about.")), Length(max=300)],
    )
    message = TextAreaField(
        _l("What is hard, what you would like to go through"), validators=[Length(max=2000)]
    )
    preferred_times = StringField(_l("Times that suit (optional)"), validators=[Length(max=300)])


class AcceptForm(Form):
    day = DateField(_l("Day"), validators=[InputRequired(_l("Enter a date."))])
    start = TimeField(_l("Start (hub time)"), validators=[InputRequired(_l("Enter a time."))])
    duration = IntegerField(
        _l("Duration, minutes"),
        default=30,
        validators=[
            InputRequired(_l("Enter a number.")),
            NumberRange(5, MAX_MINUTES, _l("From 5 minutes to 6 hours.")),
        ],
    )


class DeclineForm(Form):
    reason = TextAreaField(
        _l("Reason, shown to the pupil and the tutor"),
        validators=[DataRequired(_l("Say why you decline.")), Length(max=1000)],
    )


class SlotForm(AcceptForm):
    subject = SelectField(_l("Subject"), coerce=int)
    title = StringField(_l("Topic (optional)"), validators=[Length(max=300)])
    capacity = IntegerField(
        _l("Places"),
        default=5,
        validators=[InputRequired(_l("Enter a number.")), NumberRange(1, 30, _l("From 1 to 30."))],
    )
