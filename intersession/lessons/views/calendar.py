"""Calendars for every role: a list of days and a week grid, with the year's sessions and windows."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from intersession.auth.models import Role, User
from intersession.core.collation import by_name
from intersession.core.db import db
from intersession.lessons.access import running_between, visible_lessons
from intersession.lessons.models import AttendanceRow, Lesson
from intersession.lessons.views import bp
from intersession.schools.calendar import Period, year_periods
from intersession.schools.labels import SESSION_LABELS
from intersession.schools.models import AcademicYear, Cohort, School, Subject, in_hub


def _local_today(zone: ZoneInfo) -> date:
    return datetime.now(UTC).astimezone(zone).date()


def _start_day(zone: ZoneInfo) -> date:
    chosen: date | None = request.args.get("from", type=date.fromisoformat)
    return chosen or _local_today(zone)


def _filters(query: Select[Lesson]) -> tuple[Select[Lesson], dict[str, int | None]]:
    """The coordinator narrows the hub's lessons by school, cohort, advisor and subject."""
    chosen = {
        key: request.args.get(key, type=int) for key in ("school", "cohort", "advisor", "subject")
    }
    if current_user.role is not Role.COORDINATOR:
        return query, chosen
    if chosen["cohort"]:
        query = query.where(Lesson.cohort_id == chosen["cohort"])
    if chosen["advisor"]:
        query = query.where(Lesson.advisor_id == chosen["advisor"])
    if chosen["subject"]:
        query = query.where(Lesson.subject_id == chosen["subject"])
    if chosen["school"]:
        pupils = (
            select(AttendanceRow.lesson_id)
            .join(AttendanceRow.pupil)
            .where(User.school_id == chosen["school"])
        )
        query = query.where(Lesson.id.in_(pupils))
    return query, chosen


def _filter_options() -> dict[str, list[tuple[int, str]]]:
    if current_user.role is not Role.COORDINATOR:
        return {}
    hub_id = current_user.hub_id
    schools = db.session.scalars(
        select(School).where(in_hub(hub_id)).order_by(by_name(School.name))
    )
    cohorts = db.session.scalars(
        select(Cohort)
        .join(Cohort.year)
        .where(AcademicYear.hub_id == hub_id)
        .order_by(by_name(Cohort.name))
    )
    advisors = db.session.scalars(
        select(User)
        .where(User.school_id == hub_id, User.role == Role.ADVISOR)
        .order_by(by_name(User.full_name))
    )
    subjects = db.session.scalars(
        select(Subject).where(Subject.hub_id == hub_id).order_by(by_name(Subject.name))
    )
    return {
        "school": [(s.id, s.name) for s in schools],
        "cohort": [(c.id, c.name) for c in cohorts],
        "advisor": [(a.id, a.full_name) for a in advisors],
        "subject": [(s.id, s.name) for s in subjects],
    }


def _periods_for(first: date, last: date) -> list[Period]:
    years = db.session.scalars(
        select(AcademicYear).where(
            AcademicYear.hub_id == current_user.hub_id,
            AcademicYear.starts_on <= last,
            AcademicYear.ends_on >= first,
        )
    )
    return [p for y in years for p in year_periods(y) if p.starts_on <= last and p.ends_on >= first]


@bp.get("/lessons")
@login_required
def calendar() -> ResponseReturnValue:
    """Lessons from a day on: a list of four weeks, or a week grid (?view=week)."""
    zone = ZoneInfo(current_user.school.timezone)
    week_view = request.args.get("view") == "week"
    first = _start_day(zone)
    if week_view:
        first -= timedelta(days=first.weekday())
    last = first + timedelta(days=6 if week_view else 27)
    opens = datetime.combine(first, time()).replace(tzinfo=zone)
    closes = datetime.combine(last + timedelta(days=1), time()).replace(tzinfo=zone)
    query, chosen = _filters(visible_lessons(current_user))
    by_day: dict[date, list[Lesson]] = defaultdict(list)
    for lesson in running_between(query, opens, closes):
        # one begun the evening before the first day and still going on is shown on the first day
        by_day[max(lesson.starts_at.astimezone(zone).date(), first)].append(lesson)
    periods = _periods_for(first, last)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    session_of = {
        day: p.session
        for p in periods
        if p.session
        for day in days
        if p.starts_on <= day <= p.ends_on
    }
    return render_template(
        "lessons/calendar.html",
        week_view=week_view,
        first=first,
        last=last,
        days=days,
        by_day=by_day,
        periods=periods,
        session_of=session_of,
        session_labels=SESSION_LABELS,
        today=_local_today(zone),
        step=timedelta(days=7 if week_view else 28),
        chosen=chosen,
        options=_filter_options(),
        zone=current_user.school.timezone,
    )
