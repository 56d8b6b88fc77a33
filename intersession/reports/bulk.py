"""Every pupil the requester may see, over the between-session period or the year, as one
workbook: a line of figures per pupil, every register row, every piece of work.

Built by a Celery task (`tasks.build_progress_export`) in batches of pupils, counting them into
the export's row so its page shows the progress; the sheets grow side by side in openpyxl's
write-only files, so memory stays flat however many rows there are. The file is written under a
temporary name and renamed when whole; a run again (a worker lost mid-way) builds it afresh.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import select

from intersession.auth.models import Role, User
from intersession.core import storage
from intersession.core.db import db, utcnow
from intersession.core.errors import DomainError
from intersession.core.spreadsheets import OpenSheet, Sheet
from intersession.lessons.labels import PRESENCE_LABELS, REASON_LABELS
from intersession.lessons.models import Presence
from intersession.reports import figures
from intersession.reports.labels import WORK_STATE_LABELS
from intersession.reports.models import ExportState, ProgressExport
from intersession.reports.progress import Span, current_window, year_of
from intersession.reports.rules import excused_of, rules_of
from intersession.schools.models import School, TeachingAssignment, cohort_pupil, in_hub

AREA = "exports"
BATCH = 25  # pupils read at once


def visible_pupils(viewer: User) -> list[User]:
    """The pupils whose progress the viewer reads (progress.can_view_progress, in bulk)."""
    query = (
        select(User).join(School, School.id == User.school_id)
        .where(in_hub(viewer.hub_id), User.role == Role.PUPIL, User.active.is_(True))
        .order_by(School.name, User.full_name, User.id)
    )  # fmt: skip
    if viewer.role is Role.TUTOR:
        query = query.where(User.school_id == viewer.school_id)
    elif viewer.role is Role.ADVISOR:
        taught = (
            select(cohort_pupil.c.pupil_id)
            .join(TeachingAssignment, TeachingAssignment.cohort_id == cohort_pupil.c.cohort_id)
            .where(TeachingAssignment.advisor_id == viewer.id)
        )
        query = query.where(User.id.in_(taught))
    elif viewer.role is not Role.COORDINATOR:
        return []
    return list(db.session.scalars(query))


def request_progress_export(viewer: User, span: Span, language: str) -> ProgressExport:
    if viewer.role not in (Role.COORDINATOR, Role.TUTOR, Role.ADVISOR):
        raise DomainError(_("Only the hub's teachers and coordinator can export progress."))
    export = ProgressExport(requested_by_id=viewer.id, span=span.value, language=language)
    db.session.add(export)
    db.session.commit()
    return export


def run_progress_export(export_id: int) -> None:
    export = db.session.get(ProgressExport, export_id)
    if export is None or export.state is ExportState.DONE:
        return
    viewer = db.session.get_one(User, export.requested_by_id)
    # Plain values: each batch lets go of the rows it read, these included.
    pupils = [Named(p.id, p.full_name, p.school.name) for p in visible_pupils(viewer)]
    hub_id = viewer.hub_id
    export.state, export.done, export.total, export.error = ExportState.RUNNING, 0, len(pupils), ""
    db.session.commit()
    stored_name = secrets.token_hex(16)
    target = storage.media_path(AREA, stored_name)
    partial = storage.partial_path(target)
    try:
        with force_locale(export.language):
            _write(export, hub_id, pupils, str(partial))
        os.replace(partial, target)
    except Exception as error:
        partial.unlink(missing_ok=True)
        db.session.rollback()
        export = db.session.get_one(ProgressExport, export_id)
        export.state, export.error, export.finished_at = ExportState.FAILED, str(error), utcnow()
        db.session.commit()
        raise
    export = db.session.get_one(ProgressExport, export_id)  # the batches let the first one go
    export.stored_name, export.size = stored_name, target.stat().st_size
    export.state, export.finished_at = ExportState.DONE, utcnow()
    db.session.commit()


@dataclass(frozen=True)
class Named:
    id: int
    name: str
    school: str


def _write(export: ProgressExport, hub_id: int, pupils: list[Named], path: str) -> None:
    export_id = export.id
    hub = db.session.get_one(School, hub_id)
    zone = ZoneInfo(hub.timezone)
    today = utcnow().astimezone(zone).date()
    year = year_of(hub, today)
    period = current_window(year, today) if year and export.span == Span.WINDOW.value else None
    first, last = ((period.starts_on, period.ends_on) if period
                   else (year.starts_on, year.ends_on) if year else (today, today))  # fmt: skip
    window = figures.Window(first, last, hub.timezone)
    rules = rules_of(hub.id)
    excused = excused_of(rules)
    book = Workbook(write_only=True)
    lines = OpenSheet(book, Sheet(_("Pupils"), [], (32, 24, 12, 10, 10, 10, 10, 10, 10, 8, 8, 10)))
    lines.append([_("Pupil"), _("School"), _("Attendance, in percent"), _("Lessons held"),
                  _("absent"), _("excused"), _("caught up"), _("not marked"), _("Work given"),
                  _("sent late"), _("missing"), _("Average grade")])  # fmt: skip
    lessons = OpenSheet(book, Sheet(_("Lessons"), [], (32, 18, 20, 36, 26, 24, 40)))
    lessons.append([_("Pupil"), _("When"), _("Subject"), _("Lesson"), _("Attendance"),
                    _("Reasons"), _("Poll answers")])  # fmt: skip
    works = OpenSheet(book, Sheet(_("Work"), [], (32, 18, 20, 36, 28, 10, 8)))
    works.append(
        [_("Pupil"), _("Due"), _("Subject"), _("Work"), _("State"), _("Grade given"), _("of")]
    )
    for start in range(0, len(pupils), BATCH):
        batch = pupils[start : start + BATCH]
        ids = [p.id for p in batch]
        seen, done = figures.attendance(ids, window), figures.work(ids, window)
        for pupil in batch:
            attended, work = seen[pupil.id], done[pupil.id]
            rate = attended.rate(excused, rules.count_caught_up)
            lines.append([pupil.name, pupil.school,
                          None if rate is None else round(rate * 100, 1), attended.held,
                          attended.count(Presence.ABSENT), len(attended.excused(excused)),
                          attended.caught_up, attended.count(None), work.given, work.late,
                          work.count(figures.WorkState.MISSING), work.average()])  # fmt: skip
            for row in attended.rows:
                status = str(PRESENCE_LABELS[row.status]) if row.status else _("not marked")
                lessons.append([pupil.name, row.starts_at.astimezone(zone), row.subject,
                                row.title, status,
                                str(REASON_LABELS[row.reason]) if row.reason else "",
                                "; ".join(row.polls)])  # fmt: skip
            for item in work.rows:
                works.append([pupil.name, item.due_at.astimezone(zone), item.subject,
                              item.title, str(WORK_STATE_LABELS[item.state]), item.grade,
                              item.max_grade])  # fmt: skip
        export.done += len(batch)
        db.session.commit()
        db.session.expunge_all()  # the batch's rows are written: let them go
        export = db.session.get_one(ProgressExport, export_id)
    book.save(path)


def purge_old_exports(days: int) -> int:
    old = list(db.session.scalars(
        select(ProgressExport).where(ProgressExport.created_at < utcnow() - timedelta(days=days))
    ))  # fmt: skip
    for found in old:
        db.session.delete(found)
    db.session.commit()
    for found in old:  # files after the commit: a failed commit keeps rows and files together
        if found.stored_name:
            storage.delete_file(AREA, found.stored_name)
    return len(old)
