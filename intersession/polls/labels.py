"""Words for a poll's kind and state, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from intersession.polls.models import PollKind, PollState

KIND_LABELS = {
    PollKind.SINGLE: _l("one answer"),
    PollKind.MULTIPLE: _l("several answers"),
    PollKind.YES_NO: _l("yes or no"),
    PollKind.NUMBER: _l("a number"),
}
STATE_LABELS = {
    PollState.OPEN: _l("open for answers"),
    PollState.CLOSED: _l("closed"),
    PollState.PUBLISHED: _l("results shown to everyone"),
}
