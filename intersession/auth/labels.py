"""Translated names of roles and languages for pages and forms."""

from flask_babel import lazy_gettext as _l

from intersession.auth.models import Role

ROLE_LABELS = {
    Role.COORDINATOR: _l("Coordinator"),
    Role.ADVISOR: _l("Advisor"),
    Role.TUTOR: _l("Tutor"),
    Role.PUPIL: _l("Pupil"),
}
