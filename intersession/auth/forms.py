"""Sign-in and password forms."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from intersession.core.forms import Form


class LoginForm(Form):
    login = StringField(
        _l("Login"), validators=[DataRequired(_l("Enter your login.")), Length(max=64)]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=256)]
    )
    next = HiddenField()


class PasswordChangeForm(Form):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password.")), Length(max=256)],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new_password", _l("The two new passwords differ."))],
    )


class LanguageForm(Form):
    language = HiddenField(validators=[DataRequired()])
    next = HiddenField()
