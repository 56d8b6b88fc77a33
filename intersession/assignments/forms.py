"""Forms for setting, doing and grading work."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from intersession.assignments.models import Scale
from intersession.assignments.services import FILE_KINDS
from intersession.core.forms import Form

SCALES = [SelectChoice(Scale.FIVE.value, _l("5-point school scale")),
          SelectChoice(Scale.HUNDRED.value, _l("0 to 100")),
          SelectChoice(Scale.RUBRIC.value, _l("Rubric: criteria with points"))]  # fmt: skip
KINDS = [SelectChoice("pdf", _l("PDF")), SelectChoice("image", _l("Pictures and photos")),
         SelectChoice("office", _l("Office documents")), SelectChoice("text", _l("Text files"))]  # fmt: skip
assert {k.value for k in KINDS} == set(FILE_KINDS)


class CriterionForm(Form):
    class Meta:
        csrf = False  # part of the assignment form, which has the token

    name = StringField(_l("Criterion"), validators=[Length(max=200)])
    max_points = DecimalField(_l("Points"), places=2, validators=[Optional()])
    levels = TextAreaField(_l("Levels (what earns the points)"), validators=[Length(max=2000)])


class AssignmentForm(Form):
    teaching = SelectField(_l("Cohort and subject"), coerce=int)
    topic = SelectField(_l("Topic from the plan"), coerce=int)
    title = StringField(
        _l("Title"), validators=[InputRequired(_l("Give the work a title.")), Length(max=300)]
    )
    instructions = TextAreaField(_l("Instructions (Markdown)"), validators=[Length(max=20000)])
    opens_day = DateField(_l("Opens on"), validators=[InputRequired(_l("Enter a date."))])
    opens_time = TimeField(_l("at"), validators=[InputRequired(_l("Enter a time."))])
    due_day = DateField(_l("Due on"), validators=[InputRequired(_l("Enter a date."))])
    due_time = TimeField(_l("at"), validators=[InputRequired(_l("Enter a time."))])
    cutoff_day = DateField(
        _l("Last day a late submission is taken (optional)"), validators=[Optional()]
    )
    cutoff_time = TimeField(_l("at"), validators=[Optional()])
    accepts_text = BooleanField(_l("Pupils write an answer on the page"), default=True)
    accepts_files = BooleanField(_l("Pupils send files"), default=True)
    file_kinds = SelectMultipleField(_l("Kinds of files"), choices=KINDS, default=list(FILE_KINDS),
                                     widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())  # fmt: skip
    max_files = IntegerField(_l("Files at most"), default=5,
                             validators=[InputRequired(_l("Enter a number.")), NumberRange(1, 20)])  # fmt: skip
    max_file_mb = IntegerField(_l("Size of each file at most, MB"), default=20,
                               validators=[InputRequired(_l("Enter a number.")), NumberRange(1, 200)])  # fmt: skip
    attempts = IntegerField(_l("Attempts (empty: until graded)"), default=1,
                            validators=[Optional(), NumberRange(1, 10)])  # fmt: skip
    scale = SelectField(_l("How to grade"), choices=SCALES, default=Scale.FIVE.value)
    release_at_once = BooleanField(_l("Pupils see grades as soon as they are given"), default=True)
    pupils = SelectMultipleField(_l("Only for these pupils (none ticked: the whole cohort)"), coerce=int,
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())  # fmt: skip
    criteria = FieldList(FormField(CriterionForm), min_entries=5, max_entries=12)


class DraftForm(Form):
    text = TextAreaField(_l("Your answer"), validators=[Length(max=100_000)])
    version = HiddenField()


class GradeForm(Form):
    version = HiddenField()
    grade = StringField(lazy_pgettext("mark", "Grade"), validators=[Length(max=20)])
    feedback = TextAreaField(_l("Feedback"), validators=[Length(max=20_000)])
    worth_portfolio = BooleanField(_l("Worth the portfolio: add it to the pupil's portfolio"))


class AttestForm(Form):
    note = TextAreaField(_l("What happened with the connection"), validators=[Length(max=2000)])


class ExtensionForm(Form):
    pupil = SelectField(_l("Pupil"), coerce=int)
    due_day = DateField(_l("New due date"), validators=[InputRequired(_l("Enter a date."))])
    due_time = TimeField(_l("at"), validators=[InputRequired(_l("Enter a time."))])
