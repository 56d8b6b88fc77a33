"""A readiness report as a workbook (pupils, topics, open grading) and as a printable PDF."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import format_date, format_percent
from flask_babel import gettext as _

from intersession.core.documents import FONT, FramedDocument
from intersession.core.spreadsheets import Sheet, workbook_bytes
from intersession.reports.labels import COVERED_LABELS, ready_label, reason_text
from intersession.reports.scope import Part


def _percent(rate: float | None) -> Decimal | None:
    return None if rate is None else (Decimal(str(rate)) * 100).quantize(Decimal("0.1"))


def _cohorts(pupil: dict[str, Any]) -> str:
    return ", ".join(c[1] for c in pupil["cohorts"])


def readiness_xlsx(part: Part) -> bytes:
    pupils = [[
        _("Pupil"), _("School"), _("Cohort"), _("Readiness"), _("Attendance, in percent"),
        _("Lessons held"), _("absent"), _("excused"), _("caught up"), _("not marked"),
        _("Work given"), _("sent"), _("late"), _("missing"), _("Average grade"), _("Reasons"),
    ]]  # fmt: skip
    for p in part.pupils:
        seen, work = p["attendance"], p["work"]
        pupils.append([
            p["name"], p["school"], _cohorts(p), ready_label(p["ready"]), _percent(seen["rate"]),
            seen["held"], seen["absent"], seen["excused"], seen["caught_up"], seen["unmarked"],
            work["given"], work["sent"], work["late"], work["missing"],
            Decimal(p["average"]) if p["average"] else None,
            "; ".join(reason_text(r) for r in p["reasons"]),
        ])  # fmt: skip
    topics = [[_("Cohort"), _("Subject"), _("Week"), _("Topic"), _("Lesson")]]
    topics += [[t["cohort"], t["subject"], t["week"], t["title"], str(COVERED_LABELS[t["state"]])]
               for t in part.topics]  # fmt: skip
    sheets = [
        Sheet(_("Pupils"), pupils, (32, 24, 14, 12, 12, 10, 10, 10, 10, 10, 10, 8, 8, 8, 10, 60)),
        Sheet(_("Topics"), topics, (14, 20, 8, 50, 18)),
    ]
    if part.grading:
        grading: list[list[object]] = [
            [_("Advisor"), _("Works waiting for a grade"), _("Sent first")]
        ]
        grading += [[g["advisor"], g["waiting"], date.fromisoformat(g["oldest"][:10])]
                    for g in part.grading]  # fmt: skip
        sheets.append(Sheet(_("Grading"), grading, (32, 14, 14)))
    return workbook_bytes(sheets)


def readiness_pdf(part: Part, title: str, hub: str, built: date) -> bytes:
    running = f"{hub} · {title} · {format_date(built, 'long')}"
    pdf = FramedDocument(running, _("Page %(page)s of %(pages)s"), landscape=True)
    pdf.set_title(f"{title} — {hub}")
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 6, _("Ready: %(ready)d of %(total)d.", ready=part.ready,
                           total=len(part.pupils)), new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    for school_id, school in part.schools():
        pupils = [p for p in part.pupils if p["school_id"] == school_id]
        pdf.ln(3)
        pdf.set_font(FONT, "B", 12)
        pdf.multi_cell(0, 7, school, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 8)
        widths = (55, 22, 22, 20, 18, 18, 122)
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.5) as table:
            table.row([_("Pupil"), _("Cohort"), _("Readiness"), _("Attendance"), _("missing"),
                       _("Average grade"), _("Reasons")])  # fmt: skip
            for p in pupils:
                rate = p["attendance"]["rate"]
                table.row([
                    p["name"], _cohorts(p), ready_label(p["ready"]),
                    "—" if rate is None else format_percent(rate),
                    str(p["work"]["missing"]), p["average"] or "—",
                    "; ".join(reason_text(r) for r in p["reasons"]),
                ])  # fmt: skip
    if part.topics:
        pdf.ln(4)
        pdf.set_font(FONT, "B", 12)
        pdf.multi_cell(0, 7, _("Topics of the plan"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 8)
        with pdf.table(
            col_widths=(30, 40, 14, 160, 33), text_align="LEFT", line_height=4.5
        ) as table:
            table.row([_("Cohort"), _("Subject"), _("Week"), _("Topic"), _("Lesson")])
            for t in part.topics:
                table.row([t["cohort"], t["subject"], str(t["week"]), t["title"],
                           str(COVERED_LABELS[t["state"]])])  # fmt: skip
    return bytes(pdf.output())
