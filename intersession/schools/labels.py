"""Translated names of the schools feature's states."""

from flask_babel import lazy_gettext as _l

from intersession.schools.models import ImportState, SchoolKind, SessionKind

SESSION_LABELS = {
    SessionKind.ORIENTATION: _l("Orientation session"),
    SessionKind.INTERMEDIATE: _l("Intermediate session"),
    SessionKind.FINAL: _l("Final session"),
}
SCHOOL_KIND_LABELS = {SchoolKind.HUB: _l("Hub school"), SchoolKind.MAGNET: _l("Magnet school")}
IMPORT_STATE_LABELS = {
    ImportState.CHECKED: _l("Checked, waiting for your confirmation"),
    ImportState.QUEUED: _l("Waiting to start"),
    ImportState.RUNNING: _l("Importing"),
    ImportState.DONE: _l("Imported"),
    ImportState.FAILED: _l("Failed; nothing was imported"),
}
