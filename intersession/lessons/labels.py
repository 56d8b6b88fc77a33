"""Translated names of the register's states."""

from flask_babel import lazy_gettext as _l

from intersession.lessons.models import AbsenceReason, Presence, PresenceSource

PRESENCE_LABELS = {
    Presence.PRESENT: _l("present"),
    Presence.PARTLY: _l("partly present"),
    Presence.ABSENT: _l("absent"),
}
SOURCE_LABELS = {
    PresenceSource.ONLINE: _l("joined online"),
    PresenceSource.CLASSROOM: _l("behind the classroom computer"),
    PresenceSource.ADVISOR: _l("marked by the advisor"),
    PresenceSource.TUTOR: _l("marked by the tutor"),
}
REASON_LABELS = {
    AbsenceReason.NO_CONNECTION: _l("no connection"),
    AbsenceReason.ILLNESS: _l("illness"),
    AbsenceReason.OLYMPIAD: _l("olympiad or competition"),
    AbsenceReason.OTHER: _l("other reason"),
}
