"""Forms of methodical help: asking, the diagnosis, a route's step, its reflection, the result."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from intersession.core.forms import Form
from intersession.lessons.models import MAX_MINUTES
from intersession.methodics.labels import FORMAT_LABELS, RESULT_LABELS


def format_choices(blank: str | None = None) -> list[SelectChoice]:
    chosen = [SelectChoice(value.value, str(label)) for value, label in FORMAT_LABELS.items()]
    return [SelectChoice("", blank), *chosen] if blank is not None else chosen


class AskForm(Form):
    subject = SelectField(_l("Subject"), coerce=int)
    difficulty = TextAreaField(
        _l("What is difficult for you"),
        validators=[DataRequired(_l("Say what is difficult.")), Length(max=5000)],
    )
    preferred_format = SelectField(_l("The form of help you would like"))
    preferred_time = StringField(_l("Times that suit (optional)"), validators=[Length(max=300)])


class DiagnosisForm(Form):
    subject_deficits = TextAreaField(
        _l("Deficits in the subject, one per line"), validators=[Length(max=5000)]
    )
    methodical_deficits = TextAreaField(
        _l("Methodical deficits, one per line"), validators=[Length(max=5000)]
    )
    mentor = SelectField(_l("Mentor or specialist"), coerce=int)


class StepForm(Form):
    format = SelectField(_l("Format"))
    title = StringField(
        _l("What the step is"),
        validators=[DataRequired(_l("Say what the step is.")), Length(max=300)],
    )
    planned_on = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))])
    responsible = SelectField(_l("Responsible"), coerce=int)
    details = TextAreaField(_l("Details (optional)"), validators=[Length(max=5000)])


class DoneForm(Form):
    reflection = TextAreaField(
        _l("What the step gave you"),
        validators=[DataRequired(_l("Write what the step gave you.")), Length(max=5000)],
    )


class EndForm(Form):
    result = RadioField(
        _l("Result"),
        choices=[SelectChoice(value.value, label) for value, label in RESULT_LABELS.items()],
        validators=[InputRequired(_l("Choose the result."))],
    )
    note = TextAreaField(_l("Conclusion (optional)"), validators=[Length(max=5000)])


class FeedbackForm(Form):
    usefulness = RadioField(
        _l("How useful the route was, from 1 to 5"),
        choices=[SelectChoice(str(n), str(n)) for n in range(1, 6)],
        validators=[InputRequired(_l("Choose a mark from 1 to 5."))],
    )
    feedback = TextAreaField(
        _l("Your feedback"),
        validators=[DataRequired(_l("Write a few words of feedback.")), Length(max=5000)],
    )


class GrantForm(Form):
    teacher = SelectField(_l("Teacher"), coerce=int)


def _checkboxes(label: object, coerce: type = int) -> SelectMultipleField:
    return SelectMultipleField(label, coerce=coerce, widget=ListWidget(prefix_label=False),
                               option_widget=CheckboxInput())  # fmt: skip


class SurveyForm(Form):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the survey a title.")), Length(max=300)]
    )
    intro = TextAreaField(_l("A word to the teachers (optional)"), validators=[Length(max=5000)])
    themes = TextAreaField(
        _l("Methodical themes to choose from, one per line"),
        validators=[DataRequired(_l("Name at least one methodical theme.")), Length(max=10000)],
    )


class AnswerForm(Form):
    subjects = _checkboxes(_l("Subjects in which you would like help"))
    themes = _checkboxes(_l("Methodical themes you would like to work on"))
    formats = _checkboxes(_l("Forms that suit you"), str)
    other_needs = TextAreaField(_l("Other needs, in your own words"), validators=[Length(max=5000)])


class ResourceForm(Form):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the material a title.")), Length(max=300)]
    )
    kind = SelectField(_l("Kind of material"))
    subject = SelectField(_l("Subject"), coerce=int)
    grade = SelectField(_l("Grade"), coerce=int)
    theme = StringField(_l("Methodical theme (optional)"), validators=[Length(max=300)])
    format = SelectField(_l("Format"))
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=10000)])
    link = StringField(_l("Link to a recording (optional)"), validators=[Length(max=1000)])


class ReviewForm(Form):
    note = TextAreaField(_l("Note to the author"), validators=[Length(max=5000)])


class RatingForm(Form):
    stars = RadioField(
        _l("Your mark"),
        choices=[SelectChoice(str(n), str(n)) for n in range(1, 6)],
        validators=[InputRequired(_l("Choose a mark from 1 to 5."))],
    )


class CommentForm(Form):
    text = TextAreaField(
        _l("Comment"), validators=[DataRequired(_l("Write the comment.")), Length(max=5000)]
    )


class AttachResourceForm(Form):
    resource = SelectField(_l("Material from the bank"), coerce=int)


class EventForm(Form):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the event a title.")), Length(max=300)]
    )
    format = SelectField(_l("Format"))
    presenter = SelectField(_l("Presenter"), coerce=int)
    subject = SelectField(_l("Subject"), coerce=int)
    day = DateField(_l("Day"), validators=[InputRequired(_l("Enter a date."))])
    start = TimeField(_l("Start (hub time)"), validators=[InputRequired(_l("Enter a time."))])
    duration = IntegerField(
        _l("Duration, minutes"),
        default=60,
        validators=[
            InputRequired(_l("Enter a number.")),
            NumberRange(5, MAX_MINUTES, _l("From 5 minutes to 6 hours.")),
        ],
    )
    open = BooleanField(_l("Open: any teacher of the hub may register"), default=True)
    community = SelectField(
        _l("For a professional community (its teachers are invited)"), coerce=int
    )
    invited = _checkboxes(_l("Teachers invited"))
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=5000)])


class StepOnlineForm(Form):
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


class CommunityForm(Form):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Name the community.")), Length(max=300)]
    )
    theme = StringField(
        _l("Methodical theme it researches"),
        validators=[DataRequired(_l("Name the methodical theme it researches.")), Length(max=500)],
    )
    leading_school = SelectField(_l("Leading school"), coerce=int)
    partners = _checkboxes(_l("Partner schools"))
    first_year = IntegerField(
        _l("First year of the plan"), validators=[InputRequired(_l("Enter a number."))]
    )
    last_year = IntegerField(
        _l("Last year of the plan"), validators=[InputRequired(_l("Enter a number."))]
    )
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=5000)])


class StageForm(Form):
    year = SelectField(_l("Year"), coerce=int)
    title = StringField(
        _l("Stage"), validators=[DataRequired(_l("Name the stage.")), Length(max=300)]
    )
    plan = TextAreaField(_l("Goals and planned events"), validators=[Length(max=5000)])


class GroupForm(Form):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Name the group.")), Length(max=300)]
    )
    task = TextAreaField(
        _l("Task"), validators=[DataRequired(_l("Say what the group is to do.")), Length(max=5000)]
    )
    deadline = DateField(_l("Deadline"), validators=[InputRequired(_l("Enter a date."))])
    members = _checkboxes(_l("Members"))


class ResultForm(Form):
    result = TextAreaField(
        _l("Result"), validators=[DataRequired(_l("Write the group's result.")), Length(max=10000)]
    )


class ThreadForm(Form):
    title = StringField(
        _l("Topic"), validators=[DataRequired(_l("Give the discussion a title.")), Length(max=300)]
    )
    text = TextAreaField(
        _l("Message"), validators=[DataRequired(_l("Write the message.")), Length(max=10000)]
    )


class ReplyForm(Form):
    text = TextAreaField(
        _l("Your answer"), validators=[DataRequired(_l("Write the message.")), Length(max=10000)]
    )
    parent = IntegerField(_l("In answer to"), validators=[Optional()])
