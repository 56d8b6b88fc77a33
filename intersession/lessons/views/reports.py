"""Attendance reports as pages and CSV, over a window of the year or any dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from intersession.core.csvfiles import csv_response
from intersession.core.db import db
from intersession.core.documents import pdf_download, table_document
from intersession.core.spreadsheets import xlsx_response
from intersession.lessons.labels import REASON_LABELS
from intersession.lessons.reports import (
    Grouping,
    Line,
    absences_by_reason,
    attendance_lines,
    totals,
)
from intersession.lessons.views import bp
from intersession.schools.calendar import year_periods
from intersession.schools.labels import SESSION_LABELS
from intersession.schools.models import AcademicYear, School


def _dates(today: date, year: AcademicYear | None) -> tuple[date, date]:
    def parse(name: str, default: date) -> date:
        chosen: date | None = request.args.get(name, type=date.fromisoformat)
        return chosen or default

    first = parse("from", year.starts_on if year else today - timedelta(days=30))
    last = parse("to", min(today, year.ends_on) if year else today)
    return (first, last) if first <= last else (last, first)


def _table(lines: list[Line], grouping: Grouping) -> list[list[object]]:
    rows: list[list[object]] = [[
        _("Name"), _("School") if grouping is Grouping.PUPIL else "", _("Lessons held"), _("present"),
        _("partly present"), _("absent"), _("not marked"), _("caught up on the recording"),
        _("Attendance rate"), _("Absences"),
    ]]  # fmt: skip
    for line in lines:
        absences = "; ".join(
            f"{format_datetime(a.starts_at, 'yyyy-MM-dd HH:mm')} {a.lesson}"
            + (
                f" ({REASON_LABELS[a.reason]}{': ' + a.reason_text if a.reason_text else ''})"
                if a.reason
                else ""
            )
            + (f" — {_('caught up on the recording')}" if a.caught_up else "")
            for a in line.absences
        )
        rate = "" if line.rate is None else f"{line.rate * 100:.0f}"
        rows.append([line.name, line.school, line.held, line.present, line.partly, line.absent,
                     line.unmarked, line.caught_up, rate, absences])  # fmt: skip
    return rows


def _download(
    lines: list[Line], grouping: Grouping, kind: str, first: date, last: date
) -> Response:
    """The report as CSV, XLSX or a printable PDF."""
    rows = _table(lines, grouping)
    name = f"attendance-{grouping.value}-{first.isoformat()}-{last.isoformat()}"
    if kind == "csv":
        return csv_response(rows, f"{name}.csv")
    if kind == "xlsx":
        numbers = [
            rows[0],
            *([*r[:8], int(str(r[8])) if r[8] != "" else None, r[9]] for r in rows[1:]),
        ]
        return xlsx_response(numbers, f"{name}.xlsx", _("Attendance"),
                             (32, 24, 10, 10, 10, 10, 10, 10, 10, 60))  # fmt: skip
    hub = db.session.get_one(School, current_user.hub_id)
    span = f"{format_date(first, 'long')} – {format_date(last, 'long')}"
    title = _("Attendance")
    return pdf_download(table_document(
        title, f"{hub.name} · {title} · {format_date(date.today(), 'long')}",
        _("Page %(page)s of %(pages)s"), [str(c) for c in rows[0]],
        [[str(c) for c in r] for r in rows[1:]], (40, 30, 14, 14, 14, 14, 14, 14, 14, 99),
        subtitle=span,
    ), f"{name}.pdf")  # fmt: skip


@bp.get("/reports/attendance")
@login_required
def attendance_report() -> ResponseReturnValue:
    zone = ZoneInfo(current_user.school.timezone)
    today = datetime.now(UTC).astimezone(zone).date()
    year = db.session.scalars(
        select(AcademicYear)
        .where(AcademicYear.hub_id == current_user.hub_id, AcademicYear.starts_on <= today)
        .order_by(AcademicYear.starts_on.desc())
    ).first()
    first, last = _dates(today, year)
    try:
        grouping = Grouping(request.args.get("by", "pupil"))
    except ValueError:
        grouping = Grouping.PUPIL
    lines = attendance_lines(current_user, first, last, grouping)
    kind = request.args.get("format")
    if kind in ("csv", "xlsx", "pdf"):
        return _download(lines, grouping, kind, first, last)
    presets = []
    if year:
        presets.append((_("The whole year"), year.starts_on, year.ends_on))
        for period in year_periods(year):
            label = SESSION_LABELS[period.session.kind] if period.session else _("Between sessions")
            period_name = f"{label}: {format_date(period.starts_on, 'd MMM')} – {format_date(period.ends_on, 'd MMM')}"
            presets.append((period_name, period.starts_on, period.ends_on))
    return render_template(
        "lessons/report.html", lines=lines, total=totals(lines), by_reason=absences_by_reason(lines),
        grouping=grouping, first=first, last=last, presets=presets, reason_labels=REASON_LABELS,
    )  # fmt: skip
