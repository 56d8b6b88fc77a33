"""The advisor's grading queue, the tutor's view of their school, the gradebook and its export."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from intersession.assignments import tables
from intersession.assignments.models import Assignment, AssignmentState
from intersession.assignments.views import bp, hub_zone
from intersession.auth.models import Role, User
from intersession.core.collation import by_name, reader_language, sorted_by_name
from intersession.core.csvfiles import csv_response
from intersession.core.db import db, utcnow
from intersession.core.formatting import format_decimal
from intersession.core.fragments import fragment, remembered, render_partial
from intersession.core.inputs import number_or_none
from intersession.core.spreadsheets import xlsx_response
from intersession.schools.calendar import Period, year_periods
from intersession.schools.models import (
    AcademicYear,
    Cohort,
    Subject,
    TeachingAssignment,
    cohort_pupil,
)


def _int_arg(name: str) -> int | None:
    number: int | None = request.args.get(name, type=int)
    return number


@bp.get("/grading")
@login_required
def grading_queue() -> ResponseReturnValue:
    """Sent work to the advisor's assignments; filters: cohort, piece of work, not yet graded."""
    if current_user.role is not Role.ADVISOR:
        abort(404)
    cohort_id, work_id = _int_arg("cohort"), _int_arg("work")
    pending = request.args.get("pending", "1") == "1"
    queue = fragment(
        ("grading", current_user.id, cohort_id, work_id, pending),
        lambda: (_queue(cohort_id, work_id, pending), None),
    )
    return render_template("assignments/queue.html", queue=queue)


def _queue(cohort_id: int | None, work_id: int | None, pending: bool) -> Markup:
    queue = tables.grading_queue(current_user.id, cohort_id, work_id, pending)
    cohorts = sorted_by_name({a.cohort for a in queue.every}, lambda c: c.name)
    return render_partial("assignments/_queue.html", rows=queue.rows, every=queue.every,
                          cohorts=cohorts, cohort_id=cohort_id, work_id=work_id, pending=pending,
                          work_by_id={a.id: a for a in queue.work},
                          pupils=tables.pupil_names({s.pupil_id for s in queue.rows}))  # fmt: skip


@bp.get("/work/school")
@login_required
def school_view() -> ResponseReturnValue:
    """The tutor's pupils by the work given to them, and who has not sent work due soon."""
    if current_user.role is not Role.TUTOR:
        abort(404)
    pupils = list(db.session.scalars(
        select(User).where(User.school_id == current_user.school_id, User.role == Role.PUPIL,
                           User.active.is_(True)).order_by(by_name(User.full_name))
    ))  # fmt: skip
    cohort_ids = set(db.session.scalars(
        select(cohort_pupil.c.cohort_id).where(cohort_pupil.c.pupil_id.in_([p.id for p in pupils]))
    ))  # fmt: skip
    work = tables.published(select(Assignment).where(Assignment.cohort_id.in_(cohort_ids)))
    table = tables.grid(work, pupils)
    work = [a for a in work if any(table.given(p, a) for p in pupils)]
    table.work = work
    now, soon = utcnow(), utcnow() + timedelta(days=3)
    missing = [(p, a, table.due_for(p, a)) for a in work for p in pupils
               if table.given(p, a) and table.cell(p, a) is None and now < table.due_for(p, a) <= soon]  # fmt: skip
    missing.sort(key=lambda item: item[2])
    return render_template("assignments/school.html", table=table, missing=missing)


class Named(NamedTuple):
    id: int
    name: str


Choice = tuple[Named, Named]  # a cohort and a subject


def _gradebook_choices() -> list[Choice]:
    """The cohorts and subjects whose gradebooks the viewer may read (advisor: theirs;
    coordinator: their hub's), kept until the teaching assignments, cohorts or subjects change."""
    if current_user.role is Role.ADVISOR:
        key: tuple[object, ...] = ("gradebook-choices", "advisor", current_user.id)
        where = TeachingAssignment.advisor_id == current_user.id
    elif current_user.role is Role.COORDINATOR:
        key = ("gradebook-choices", "hub", current_user.hub_id)
        where = AcademicYear.hub_id == current_user.hub_id
    else:
        abort(404)
    language = reader_language()  # the order of the list is the reader's alphabet's

    def read() -> tuple[list[Choice], None]:
        query = (
            select(Cohort.id, Cohort.name, Subject.id, Subject.name)
            .select_from(TeachingAssignment)
            .join(Cohort, Cohort.id == TeachingAssignment.cohort_id)
            .join(Subject, Subject.id == TeachingAssignment.subject_id)
            .join(AcademicYear, AcademicYear.id == Cohort.year_id)
            .where(where)
        )
        pairs = {(Named(c, cn), Named(s, sn)) for c, cn, s, sn in db.session.execute(query)}
        by_id = sorted(pairs, key=lambda cs: (cs[0].id, cs[1].id))  # equal names: a fixed order
        ordered = sorted_by_name(by_id, lambda cs: cs[0].name, lambda cs: cs[1].name)
        return ordered, None

    return remembered((*key, language), read, own_reads=True)


def _asked_pair() -> tuple[int | None, int | None]:
    """The cohort and subject asked for: `?cohort=&subject=` (links) or `?pair=C-S` (the page's
    choice); a malformed pair asks for one that does not exist."""
    pair = request.args.get("pair")
    if pair is None:
        return _int_arg("cohort"), _int_arg("subject")
    cohort, _dash, subject = pair.partition("-")
    return number_or_none(cohort) or -1, number_or_none(subject) or -1


def _most_recent_work(choices: list[Choice]) -> Choice | None:
    """The cohort and subject of the work published last (of those the viewer may read): where
    a teacher opening the gradebook most likely wants to be."""
    pairs = {(c.id, s.id): (c, s) for c, s in choices}
    query = select(Assignment.cohort_id, Assignment.subject_id).where(
        Assignment.state == AssignmentState.PUBLISHED,
        Assignment.cohort_id.in_({c for c, _s in pairs}),
    )
    if current_user.role is Role.ADVISOR:
        query = query.where(Assignment.advisor_id == current_user.id)
    latest = query.order_by(Assignment.published_at.desc(), Assignment.id.desc()).limit(50)
    return next((pairs[pair] for pair in db.session.execute(latest) if pair in pairs), None)


def _gradebook_scope() -> tuple[Named, Named, list[Choice]]:
    """The cohort and subject asked for (the first the viewer may read if none was asked for)."""
    choices = _gradebook_choices()
    if not choices:
        abort(404)
    cohort_id, subject_id = _asked_pair()
    chosen = next(((c, s) for c, s in choices if c.id == cohort_id and s.id == subject_id), None)
    if chosen is None:
        if cohort_id is not None or subject_id is not None:
            abort(404)
        chosen = _most_recent_work(choices) or choices[0]
    return chosen[0], chosen[1], choices


def _grid(cohort: Cohort, subject: Subject) -> tables.Grid:
    work = tables.published(
        select(Assignment).where(
            Assignment.cohort_id == cohort.id, Assignment.subject_id == subject.id
        )
    )
    return tables.grid(work, sorted_by_name(cohort.pupils, lambda p: p.full_name))


def _loaded(cohort: Named, subject: Named) -> tuple[Cohort, Subject, tables.Grid]:
    """The chosen cohort and subject as rows, and their grid."""
    cohort_row, subject_row = (
        db.session.get_one(Cohort, cohort.id),
        db.session.get_one(Subject, subject.id),
    )
    return cohort_row, subject_row, _grid(cohort_row, subject_row)


def _gradebook() -> tuple[Cohort, Subject, tables.Grid]:
    cohort, subject, _choices = _gradebook_scope()
    return _loaded(cohort, subject)


@bp.get("/gradebook")
@login_required
def gradebook() -> ResponseReturnValue:
    cohort, subject, choices = _gradebook_scope()

    def grid_html() -> tuple[Markup, None]:
        cohort_row, subject_row, table = _loaded(cohort, subject)
        html = render_partial(
            "assignments/_gradebook.html", cohort=cohort_row, subject=subject_row, table=table
        )
        return html, None

    grid = fragment(("gradebook", cohort.id, subject.id), grid_html)
    return render_template("assignments/gradebook.html", cohort=cohort, subject=subject,
                           choices=choices, grid=grid)  # fmt: skip


def _gradebook_rows(table: tables.Grid) -> list[list[object]]:
    """One row per pupil, one column per piece of work; grades as numbers."""
    rows: list[list[object]] = [
        [_("Pupil"), _("School")]
        + [f"{a.title} ({format_decimal(a.max_grade)})" for a in table.work]
    ]
    for pupil in table.pupils:
        cells: list[object] = []
        for assignment in table.work:
            found = table.cell(pupil, assignment)
            cells.append(None if found is None or found.grade is None else found.grade)
        rows.append([pupil.full_name, pupil.school.name if pupil.school else "", *cells])
    return rows


@bp.get("/gradebook.csv")
@login_required
def gradebook_csv() -> ResponseReturnValue:
    """The gradebook as CSV, separated as the reader's spreadsheet expects."""
    cohort, subject, table = _gradebook()
    return csv_response(_gradebook_rows(table), f"gradebook-{cohort.id}-{subject.id}.csv")


@bp.get("/gradebook.xlsx")
@login_required
def gradebook_xlsx() -> ResponseReturnValue:
    """The gradebook as an Excel workbook: opens in columns in any spreadsheet's language."""
    cohort, subject, table = _gradebook()
    widths = [32, 24] + [18] * len(table.work)
    return xlsx_response(_gradebook_rows(table), f"gradebook-{cohort.id}-{subject.id}.xlsx",
                         f"{cohort.name} {subject.name}", widths)  # fmt: skip


@bp.get("/gradebook/pupils/<int:pupil_id>")
@login_required
def pupil_summary(pupil_id: int) -> ResponseReturnValue:
    """One pupil's grades in the cohort and subject for the between-session window now under way
    (or the one just before the session under way): what to take back to the hub school."""
    cohort, subject, table = _gradebook()
    pupil = next((p for p in table.pupils if p.id == pupil_id), None)
    if pupil is None:
        abort(404)
    window = None if request.args.get("all") else _window(cohort)
    work = table.work
    if window is not None:
        zone = ZoneInfo(hub_zone())
        work = [a for a in work
                if window.starts_on <= table.due_for(pupil, a).astimezone(zone).date() <= window.ends_on]  # fmt: skip
    return render_template("assignments/pupil_summary.html", cohort=cohort, subject=subject,
                           table=table, pupil=pupil, shown=work, window=window)  # fmt: skip


def _window(cohort: Cohort) -> Period | None:
    today = datetime.now(ZoneInfo(hub_zone())).date()
    periods = year_periods(cohort.year)
    for index, period in enumerate(periods):
        if period.starts_on <= today <= period.ends_on:
            if period.session is None:
                return period
            before = [p for p in periods[:index] if p.session is None]
            return before[-1] if before else None
    return None
