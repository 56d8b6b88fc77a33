"""The coordinator's form for the hub's readiness rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DecimalField, IntegerField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from intersession.core.forms import Form
from intersession.lessons.labels import REASON_LABELS


class RulesForm(Form):
    min_attendance = IntegerField(
        _l("Lowest attendance, in percent"),
        validators=[
            InputRequired(_l("Enter a number from 0 to 100.")),
            NumberRange(0, 100, _l("Enter a number from 0 to 100.")),
        ],
    )
    count_caught_up = BooleanField(_l("A lesson caught up on the recording counts as attended"))
    excused = SelectMultipleField(
        _l("Absences that do not count against the pupil"),
        choices=[SelectChoice(reason.value, label) for reason, label in REASON_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    no_missing_work = BooleanField(_l("No work left unsent past its cut-off"))
    min_average = DecimalField(
        _l("Lowest average grade (of 5)"),
        places=1,
        validators=[Optional(), NumberRange(0, 5, _l("Enter a grade from 0 to 5."))],
    )


class MailForm(Form):
    digests = BooleanField(_l("Send me these letters"))
