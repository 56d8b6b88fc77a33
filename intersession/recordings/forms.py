"""The coordinator's retention setting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from intersession.core.forms import Form


class RetentionForm(Form):
    days = IntegerField(
        _l("Keep recordings for, days"),
        validators=[Optional(), NumberRange(1, 3650, _l("From 1 day to 10 years."))],
        description=_l("Leave empty to keep them to the end of the academic year."),
    )
