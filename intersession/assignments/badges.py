"""A submission's state badge and a grid's cell, written in Python.

A gradebook has hundreds of cells and a list of work a badge per row; a template macro per cell cost
more than the rest of the page together. The words are translated once per page, the link is built
once, the numbers go through the remembering formatter, and every value is escaped here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from flask import g, url_for
from markupsafe import Markup, escape

from intersession.assignments.models import SubmissionState
from intersession.core.formatting import format_decimal, format_seconds
from intersession.core.formatting import gettext as _

if TYPE_CHECKING:
    from decimal import Decimal

    from intersession.assignments.tables import Grid
    from intersession.auth.models import User


class Attempt(Protocol):
    """What a badge reads: a Submission or a table's Sent row."""

    id: int
    state: SubmissionState
    grade: Decimal | None
    late_seconds: int | None
    excuse_note: str | None

    @property
    def counts_late(self) -> bool: ...

    @property
    def released(self) -> bool: ...


_MARKER = 987654321


class Badges:
    """Made once per request, then called per row or cell (see `state_badge` and `grid_cell`)."""

    def __init__(self) -> None:
        self.words = {
            None: _("not sent"),
            SubmissionState.DRAFT: _("draft"),
            SubmissionState.SUBMITTED: _("sent"),
            SubmissionState.GRADED: _("graded"),
            SubmissionState.RETURNED: _("returned for rework"),
            "not given": _("not given"),
            "late": _("late"),
            "attested": _("late because of the connection (attested)"),
        }
        self.escaped = {key: str(escape(word)) for key, word in self.words.items()}
        self._link = url_for("assignments.submission", submission_id=_MARKER)

    def state(self, attempt: Attempt | None) -> Markup:
        """The state, and how late it came (or that the lateness was excused)."""
        words = self.words
        if attempt is None:
            return Markup('<span class="badge badge-off">%s</span>') % words[None]
        off = " badge-off" if attempt.state is SubmissionState.RETURNED else ""
        html = Markup('<span class="badge%s">%s</span>') % (off, words[attempt.state])
        if attempt.late_seconds is not None:
            if attempt.counts_late:
                late = _("late by %(time)s", time=format_seconds(attempt.late_seconds))
                html += Markup(' <span class="badge badge-off">%s</span>') % late
            else:
                html += Markup(' <span class="badge" title="%s">%s</span>') % (
                    attempt.excuse_note or "",
                    words["attested"],
                )
        return html

    def row(self, table: Grid, pupil: User, show_all: bool) -> Markup:
        """One pupil's cells, `<td>` each: not given, not sent, the grade, returned or sent."""
        words = self.escaped
        not_given = f'<td><span aria-label="{words["not given"]}">·</span></td>'
        not_sent = f'<td><span class="badge badge-off">{words[None]}</span></td>'
        returned, sent_word = words[SubmissionState.RETURNED], words[SubmissionState.SUBMITTED]
        late = f' <small class="field-error">{words["late"]}</small>'
        head, tail = self._link.split(str(_MARKER))
        cells = []
        for work_id in [a.id for a in table.work]:
            key = (pupil.id, work_id)
            sent = table.cells.get(key)
            if key not in table.due:
                cells.append(not_given)
                continue
            if sent is None:
                cells.append(not_sent)
                continue
            link = f"{head}{sent.id}{tail}"
            if (
                sent.grade is not None
                and (show_all or sent.released_at is not None)
                and sent.state is SubmissionState.GRADED
            ):
                grade = escape(format_decimal(sent.grade))
                html = f'<a href="{link}"><strong>{grade}</strong></a>'
            elif sent.state is SubmissionState.RETURNED:
                html = f'<a href="{link}" class="badge badge-off">{returned}</a>'
            else:
                html = f'<a href="{link}" class="badge">{sent_word}</a>'
            cells.append(f"<td>{html}{late if sent.counts_late else ''}</td>")
        return Markup("".join(cells))  # every piece above is escaped or our own markup


def _badges() -> Badges:
    found: Badges | None = g.get("_badges")
    if found is None:
        found = g._badges = Badges()
    return found


def state_badge(attempt: Attempt | None) -> Markup:
    """Template global: a submission's state badge."""
    return _badges().state(attempt)


def grid_row(table: Grid, pupil: User, show_all: bool) -> Markup:
    """Template global: one pupil's cells in the gradebook or the tutor's table."""
    return _badges().row(table, pupil, show_all)
