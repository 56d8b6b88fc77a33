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
from intersession.schools.models import AcademicYear


def _dates(today: date, year: AcademicYear | None) -> tuple[date, date]:
    def parse(name: str, default: date) -> date:
        chosen: date | None = request.args.get(name, type=date.fromisoformat)
        return chosen or default

    first = parse("from", year.starts_on if year else today - timedelta(days=30))
    last = parse("to", min(today, year.ends_on) if year else today)
    return (first, last) if first <= last else (last, first)


def _csv(lines: list[Line], grouping: Grouping) -> Response:
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
    return csv_response(rows, f"attendance-{grouping.value}.csv")


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
    if request.args.get("format") == "csv":
        return _csv(lines, grouping)
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
