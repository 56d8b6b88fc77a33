"""Words for recording states, translated when shown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATE_LABELS = {
    "recording": _l("being recorded"),
    "finishing": _l("being prepared"),
    "ready": _l("ready"),
    "failed": _l("nothing recorded"),
    "expired": _l("removed"),
}
