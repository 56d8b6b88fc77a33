"""The methodologist's report: the page for a period, its PDF and its workbook."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from intersession.core.db import utcnow
from intersession.core.documents import FONT, FramedDocument, pdf_download
from intersession.core.inputs import parse_day
from intersession.core.spreadsheets import Sheet, workbook_bytes, xlsx_download
from intersession.methodics.access import is_methodologist
from intersession.methodics.report import Table, build_report
from intersession.methodics.views import bp
from intersession.schools.models import School


def _period(today: date) -> tuple[date, date]:
    first = request.args.get("from", type=parse_day) or today - timedelta(days=90)
    last = request.args.get("to", type=parse_day) or today
    return (first, last) if first <= last else (last, first)


def _pdf(tables: list[Table], title: str, hub: str, period: str) -> bytes:
    made = format_date(utcnow(), "d MMMM yyyy")
    pdf = FramedDocument(f"{hub} · {made}", _("Page %(page)s of %(pages)s"))
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 6, period, new_x="LMARGIN", new_y="NEXT")
    for table in tables:
        pdf.ln(4)
        pdf.set_font(FONT, "B", 11)
        pdf.multi_cell(0, 6, table.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 9)
        rest = len(table.header) - 1  # the name's column, and the figures share what is left
        widths = (130, 50) if rest == 1 else (70, *([110 // rest] * rest))
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=5) as grid:
            grid.row(table.header)
            for row in table.rows or [["—", *([""] * rest)]]:
                grid.row([str(cell) for cell in row])
    return bytes(pdf.output())


@bp.get("/report")
@login_required
def report() -> ResponseReturnValue:
    if not is_methodologist(current_user):
        abort(404)
    hub = current_user.school if current_user.school.hub_id is None else current_user.school.hub
    assert isinstance(hub, School)
    zone = ZoneInfo(hub.timezone)
    first, last = _period(utcnow().astimezone(zone).date())
    tables = build_report(hub.id, first, last, zone)
    title = _("Report of the methodical service")
    period = _("From %(first)s to %(last)s", first=format_date(first, "d MMMM yyyy"),
               last=format_date(last, "d MMMM yyyy"))  # fmt: skip
    name = f"methodical-report-{first.isoformat()}-{last.isoformat()}"
    download = request.args.get("download")
    if download == "pdf":
        return pdf_download(_pdf(tables, title, hub.name, period), f"{name}.pdf")
    if download == "xlsx":
        sheets = [Sheet(t.title, [t.header, *t.rows], widths=(50, 16)) for t in tables]
        return xlsx_download(workbook_bytes(sheets), f"{name}.xlsx")
    period_args: dict[str, Any] = {"from": first.isoformat(), "to": last.isoformat()}
    links = {
        kind: url_for("methodics.report", download=kind, **period_args) for kind in ("pdf", "xlsx")
    }
    return render_template("methodics/report.html", tables=tables, title=title, period=period,
                           first=first, last=last, links=links)  # fmt: skip
