"""The words of the reports: readiness, its reasons, and how a topic was covered."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import format_decimal, format_percent, ngettext, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from intersession.reports.coverage import Covered
from intersession.reports.figures import WorkState
from intersession.schools.models import SessionKind

READINESS_TITLES = {
    SessionKind.ORIENTATION: _l("Readiness for the orientation session"),
    SessionKind.INTERMEDIATE: _l("Readiness for the intermediate session"),
    SessionKind.FINAL: _l("Readiness for the final session"),
}
COVERED_LABELS = {
    Covered.RECORDED.value: _l("held and recorded"),
    Covered.HELD.value: _l("held"),
    Covered.PLANNED.value: _l("planned"),
    Covered.CANCELLED.value: _l("cancelled"),
    Covered.NONE.value: _l("no lesson"),
}
WORK_STATE_LABELS = {
    WorkState.GRADED: _l("graded"),
    WorkState.WAITING: _l("sent, waiting for a grade"),
    WorkState.RETURNED: _l("sent back for rework"),
    WorkState.MISSING: _l("not sent"),
    WorkState.OPEN: _l("not sent yet, there is still time"),
}


def ready_label(ready: bool) -> str:
    """Said under the heading "Readiness" (Russian has "да"/"нет" there: no word that assumes a
    boy or a girl)."""
    return pgettext("readiness", "ready") if ready else pgettext("readiness", "not ready")


def reason_text(reason: dict[str, object]) -> str:
    """A reason of the snapshot in the reader's language."""
    code = reason.get("code")
    if code == "attendance":
        return _(
            "attendance %(rate)s, below %(min)s",
            rate=format_percent(float(reason["rate"])),  # type: ignore[arg-type]
            min=format_percent(int(reason["min"]) / 100),  # type: ignore[call-overload]
        )
    if code == "missing":
        count = int(reason["count"])  # type: ignore[call-overload]
        titles = "; ".join(str(t) for t in reason.get("titles", []))  # type: ignore[attr-defined]
        return ngettext(
            "%(num)d piece of work not sent by its cut-off: %(titles)s",
            "%(num)d pieces of work not sent by their cut-off: %(titles)s",
            count,
            titles=titles,
        )
    if code == "average":
        return _(
            "average grade %(average)s, below %(min)s",
            average=format_decimal(Decimal(str(reason["average"]))),
            min=format_decimal(Decimal(str(reason["min"]))),
        )
    return str(code)
