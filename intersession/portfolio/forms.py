"""Forms of the portfolio."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from intersession.core.forms import Form
from intersession.portfolio.models import EntryKind, Level, Result

KINDS = [
    SelectChoice(EntryKind.OLYMPIAD.value, _l("Olympiad")),
    SelectChoice(EntryKind.COMPETITION.value, _l("Competition or contest")),
    SelectChoice(EntryKind.PROJECT.value, _l("Project")),
    SelectChoice(EntryKind.RESEARCH.value, _l("Research work")),
    SelectChoice(EntryKind.CERTIFICATE.value, _l("Certificate or course")),
    SelectChoice(EntryKind.CREATIVE.value, _l("Creative work")),
    SelectChoice(EntryKind.SOCIAL.value, _l("Social or sports activity")),
    SelectChoice(EntryKind.GRADED_WORK.value, _l("Graded work")),
]
LEVELS = [
    SelectChoice("", _l("—")),
    SelectChoice(Level.SCHOOL.value, _l("school")), SelectChoice(Level.DISTRICT.value, _l("district")),
    SelectChoice(Level.REGION.value, _l("region")), SelectChoice(Level.REPUBLIC.value, _l("republic")),
    SelectChoice(Level.INTERNATIONAL.value, _l("international")),
]  # fmt: skip
RESULTS = [SelectChoice("", _l("—")), SelectChoice(Result.PARTICIPANT.value, _l("participant")),
           SelectChoice(Result.PRIZE.value, _l("prize-winner")), SelectChoice(Result.WINNER.value, _l("winner"))]  # fmt: skip


class EntryForm(Form):
    kind = SelectField(_l("Kind"), choices=KINDS)
    title = StringField(
        _l("Title"), validators=[InputRequired(_l("Give the entry a title.")), Length(max=300)]
    )
    happened_on = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    level = SelectField(_l("Level"), choices=LEVELS, validators=[Optional()])
    result = SelectField(_l("Result"), choices=RESULTS, validators=[Optional()])
    place = IntegerField(
        _l("Place (for a prize-winner)"), validators=[Optional(), NumberRange(1, 10)]
    )
    links = TextAreaField(_l("Links, one a line (optional)"), validators=[Length(max=3000)])
    version = HiddenField()


class NoteForm(Form):
    note = TextAreaField(_l("Note for the pupil"), validators=[Length(max=2000)])
    version = HiddenField()


class CommentForm(Form):
    text = TextAreaField(_l("Comment"), validators=[Length(max=5000)])
    parent = HiddenField()
