"""The words for the portfolio's kinds, levels, results and states."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from intersession.portfolio.forms import KINDS, LEVELS, RESULTS
from intersession.portfolio.models import EntryState

KIND_LABELS = {c.value: c.label for c in KINDS}
LEVEL_LABELS = {c.value: c.label for c in LEVELS if c.value}
RESULT_LABELS = {c.value: c.label for c in RESULTS if c.value}
STATE_LABELS = {
    EntryState.DRAFT.value: _l("draft"),
    EntryState.SUBMITTED.value: _l("waiting for the tutor"),
    EntryState.CHANGES_REQUESTED.value: _l("changes asked"),
    EntryState.VERIFIED.value: _l("verified"),
    EntryState.REJECTED.value: _l("rejected"),
    EntryState.SUPERSEDED.value: _l("replaced by a newer version"),
}


EXPORT_STATE_LABELS = {
    "queued": _l("waiting for its turn"),
    "running": _l("being made"),
    "done": _l("ready"),
    "failed": _l("failed"),
}


def labels() -> dict[str, object]:
    return {"kind_labels": KIND_LABELS, "level_labels": LEVEL_LABELS,
            "result_labels": RESULT_LABELS, "state_labels": STATE_LABELS}  # fmt: skip
