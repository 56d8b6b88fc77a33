"""Forms every feature uses."""

from flask_wtf import FlaskForm


class ButtonForm(FlaskForm):
    """A button that changes something: nothing but its CSRF token."""
