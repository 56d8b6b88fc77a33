"""A readiness report as a workbook (pupils, topics, open grading) and as a printable PDF."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import format_date, format_datetime, format_decimal, format_percent
from flask_babel import gettext as _

from intersession.core.documents import FONT, FramedDocument
from intersession.core.spreadsheets import Sheet, workbook_bytes
from intersession.lessons.labels import PRESENCE_LABELS, REASON_LABELS
from intersession.lessons.models import Presence
from intersession.reports.figures import WorkState
from intersession.reports.labels import COVERED_LABELS, WORK_STATE_LABELS, ready_label, reason_text
from intersession.reports.progress import Progress
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


def _progress_lines(
    progress: Progress,
) -> tuple[list[list[object]], list[list[object]], list[list[object]]]:
    seen, work = progress.attendance, progress.work
    zone = ZoneInfo(progress.window.zone)
    summary: list[list[object]] = [
        [_("Figure"), _("Value")],
        [_("Attendance, in percent"), _percent(progress.rate)],
        [_("Lessons held"), seen.held],
        [_("present"), seen.count(Presence.PRESENT)],
        [_("partly present"), seen.count(Presence.PARTLY)],
        [_("absent"), seen.count(Presence.ABSENT)],
        [_("excused"), progress.excused],
        [_("caught up on the recording"), seen.caught_up],
        [_("not marked"), seen.count(None)],
        [_("Work given"), work.given],
        [_("sent"), work.sent],
        [_("sent late"), work.late],
        [_("not sent by the cut-off"), work.count(WorkState.MISSING)],
        [_("graded"), work.count(WorkState.GRADED)],
        *([f"{_('Average grade, of 5')}: {s}", a] for s, a in work.averages().items()),
        [_("Verified portfolio entries"), len(progress.entries)],
        [_("Consultations"), len(progress.consultations)],
    ]
    lessons: list[list[object]] = [
        [_("When"), _("Subject"), _("Lesson"), _("Attendance"), _("Reasons"), _("Poll answers")]
    ]
    for row in seen.rows:
        status = str(PRESENCE_LABELS[row.status]) if row.status else _("not marked")
        if row.caught_up and row.status is not Presence.PRESENT:
            status = f"{status}, {_('caught up on the recording')}"
        reason = str(REASON_LABELS[row.reason]) if row.reason else ""
        lessons.append([row.starts_at.astimezone(zone), row.subject, row.title, status,
                        f"{reason}: {row.reason_text}" if row.reason_text else reason,
                        "; ".join(row.polls)])  # fmt: skip
    works: list[list[object]] = [
        [_("Due"), _("Subject"), _("Work"), _("State"), _("Grade given"), _("of")]
    ]
    for item in work.rows:
        state = str(WORK_STATE_LABELS[item.state]) + (
            f", {_('late')}" if item.sent and item.late else ""
        )
        works.append([item.due_at.astimezone(zone), item.subject, item.title, state, item.grade,
                      item.max_grade])  # fmt: skip
    return summary, lessons, works


def progress_xlsx(progress: Progress) -> bytes:
    summary, lessons, works = _progress_lines(progress)
    return workbook_bytes([
        Sheet(_("Progress"), summary, (40, 12), frozen="A2"),
        Sheet(_("Lessons"), lessons, (18, 20, 40, 30, 30, 40)),
        Sheet(_("Work"), works, (18, 20, 40, 30, 10, 8)),
    ])  # fmt: skip


def progress_pdf(progress: Progress, hub: str, today: date) -> bytes:
    pupil = progress.pupil
    title = f"{_('Progress')} — {pupil.full_name}"
    pdf = FramedDocument(
        f"{hub} · {title} · {format_date(today, 'long')}", _("Page %(page)s of %(pages)s")
    )
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, pupil.full_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    span = f"{format_date(progress.window.first, 'long')} – {format_date(progress.window.last, 'long')}"
    pdf.multi_cell(0, 6, f"{pupil.school.name} · {span}", new_x="LMARGIN", new_y="NEXT")
    summary, lessons, works = _progress_lines(progress)
    for heading, rows, widths in ((_("Progress"), summary, (120, 50)),
                                  (_("Lessons"), lessons, (25, 25, 45, 30, 25, 30)),
                                  (_("Work"), works, (30, 28, 55, 37, 15, 15))):  # fmt: skip
        pdf.ln(3)
        pdf.set_font(FONT, "B", 12)
        pdf.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 8)
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.5) as table:
            for row in rows:
                table.row([_shown(value) for value in row])
    return bytes(pdf.output())


def _shown(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return format_datetime(value, "d MMM yyyy, HH:mm")
    if isinstance(value, Decimal):
        return format_decimal(value)
    return str(value)
