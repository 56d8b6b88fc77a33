"""The session-readiness report: before each on-site session, which pupils are ready, why the
others are not, which topics of the plan had a lesson, and the advisors' open grading.

Available from AVAILABLE_DAYS before the session; built by the nightly task (when it becomes
available and again the night before) or when the coordinator asks. Each build is kept as a
snapshot; once the session has begun no build is made, so the report stays as it was then.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from intersession.assignments.models import Assignment
from intersession.assignments.tables import latest_sent
from intersession.auth.models import Role, User
from intersession.core.db import db, utcnow
from intersession.core.errors import DomainError
from intersession.lessons.models import AbsenceReason, Presence
from intersession.reports import figures
from intersession.reports.coverage import topic_lines
from intersession.reports.models import ReadinessReport
from intersession.reports.rules import excused_of, reasons_not_ready, rules_of, rules_snapshot
from intersession.schools.calendar import Period, year_periods
from intersession.schools.models import AcademicYear, Cohort, School, YearSession, cohort_pupil

AVAILABLE_DAYS = 14


def hub_of(session: YearSession) -> School:
    return db.session.get_one(School, session.year.hub_id)


def zone_of(hub: School) -> ZoneInfo:
    return ZoneInfo(hub.timezone)


def hub_today(hub: School) -> date:
    return utcnow().astimezone(zone_of(hub)).date()


def window_before(session: YearSession) -> Period | None:
    """The between-session window that leads to the session, if the year has one."""
    periods = year_periods(session.year)
    for index, period in enumerate(periods):
        if period.session is not None and period.session.id == session.id:
            before = periods[index - 1] if index else None
            return before if before is not None and before.session is None else None
    return None


def available_from(session: YearSession) -> date:
    return session.starts_on - timedelta(days=AVAILABLE_DAYS)


def why_not_buildable(session: YearSession, today: date) -> str | None:
    if window_before(session) is None:
        return _("There is no between-session period before this session: nothing to report.")
    if today < available_from(session):
        return _("The report can be made from %(day)s.",
                 day=format_date(available_from(session), "d MMMM"))  # fmt: skip
    if today >= session.starts_on:
        return _("The session has begun: the report stays as it was before it.")
    return None


def _pupils(session: YearSession) -> list[tuple[User, list[tuple[int, str]]]]:
    rows = db.session.execute(
        select(User, Cohort.id, Cohort.name)
        .join(cohort_pupil, cohort_pupil.c.pupil_id == User.id)
        .join(Cohort, Cohort.id == cohort_pupil.c.cohort_id)
        .where(Cohort.year_id == session.year_id, User.role == Role.PUPIL, User.active.is_(True))
        .order_by(User.id, Cohort.name)
    ).all()
    found: dict[int, tuple[User, list[tuple[int, str]]]] = {}
    for user, cohort_id, cohort in rows:
        found.setdefault(user.id, (user, []))[1].append((cohort_id, cohort))
    return list(found.values())


def _grading(session: YearSession) -> list[dict[str, object]]:
    """Work sent and not graded yet, per advisor, of the year's cohorts."""
    work = db.session.execute(
        select(Assignment.id, Assignment.advisor_id)
        .join(Cohort, Cohort.id == Assignment.cohort_id)
        .where(Cohort.year_id == session.year_id)
    ).all()
    advisor_of = dict(work)
    waiting: dict[int, list[datetime]] = {}
    for sent in latest_sent(list(advisor_of), only_waiting=True).values():
        if sent.submitted_at is not None:
            waiting.setdefault(advisor_of[sent.assignment_id], []).append(sent.submitted_at)
    names = dict(db.session.execute(
        select(User.id, User.full_name).where(User.id.in_(list(waiting)))
    ).all()) if waiting else {}  # fmt: skip
    return sorted(
        ({"advisor_id": a, "advisor": names.get(a, ""), "waiting": len(times),
          "oldest": min(times).isoformat()} for a, times in waiting.items()),
        key=lambda line: str(line["advisor"]),
    )  # fmt: skip


def weekly(
    seen: figures.Attendance, excused: frozenset[AbsenceReason], caught_up: bool, zone: str
) -> dict[str, list[float]]:
    """Attendance per week (its Monday, local): [attended, counted] by the report's rule."""
    weeks: dict[str, list[figures.LessonRow]] = {}
    for row in seen.rows:
        day = row.starts_at.astimezone(ZoneInfo(zone)).date()
        weeks.setdefault((day - timedelta(days=day.weekday())).isoformat(), []).append(row)
    found = {}
    for monday, rows in sorted(weeks.items()):
        week = figures.Attendance(rows)
        rate = week.rate(excused, caught_up)
        counted = sum(1 for r in rows if not (r.status is Presence.ABSENT and r.reason in excused
                                             and not r.caught_up))  # fmt: skip
        if rate is not None:
            found[monday] = [round(rate * counted, 2), counted]
    return found


def work_by_cohort(done: figures.Work) -> dict[str, list[int]]:
    """Per cohort: work sent on time, sent late, missing."""
    found: dict[str, list[int]] = {}
    for row in done.rows:
        counts = found.setdefault(str(row.cohort_id), [0, 0, 0])
        if row.sent:
            counts[1 if row.late else 0] += 1
        elif row.state is figures.WorkState.MISSING:
            counts[2] += 1
    return found


def build_content(session: YearSession, window: Period) -> dict[str, object]:
    hub = hub_of(session)
    rules = rules_of(hub.id)
    span = figures.Window(window.starts_on, window.ends_on, hub.timezone)
    pupils = _pupils(session)
    ids = [user.id for user, _cohorts in pupils]
    attendance = figures.attendance(ids, span)
    work = figures.work(ids, span)
    excused = excused_of(rules)
    lines = []
    for user, cohorts in pupils:
        seen, done = attendance[user.id], work[user.id]
        reasons = reasons_not_ready(rules, seen, done)
        rate = seen.rate(excused, rules.count_caught_up)
        average = done.average()
        lines.append({
            "id": user.id, "name": user.full_name, "school_id": user.school_id,
            "school": user.school.name, "cohorts": cohorts, "ready": not reasons,
            "reasons": reasons,
            "attendance": {
                "held": seen.held, "present": seen.count(Presence.PRESENT),
                "partly": seen.count(Presence.PARTLY),
                "absent": seen.count(Presence.ABSENT),
                "excused": len(seen.excused(excused)),
                "caught_up": seen.caught_up, "unmarked": seen.count(None),
                "rate": None if rate is None else round(rate, 4),
            },
            "work": {
                "given": done.given, "sent": done.sent, "late": done.late,
                "missing": done.count(figures.WorkState.MISSING),
                "graded": done.count(figures.WorkState.GRADED),
            },
            "average": None if average is None else str(average),
            "weeks": weekly(seen, excused, rules.count_caught_up, hub.timezone),
            "work_cohorts": work_by_cohort(done),
            "subjects": {s: str(a) for s, a in done.averages().items()},
        })  # fmt: skip
    topics = [
        {"cohort_id": t.cohort_id, "cohort": t.cohort, "subject_id": t.subject_id,
         "subject": t.subject, "title": t.title,
         "week": t.week, "state": t.state.value, "lesson_id": t.lesson_id}
        for t in topic_lines(session.year, window.starts_on, window.ends_on)
    ]  # fmt: skip
    return {"rules": rules_snapshot(rules), "pupils": lines, "topics": topics,
            "grading": _grading(session)}  # fmt: skip


def build_report(session: YearSession, by: User | None) -> ReadinessReport:
    """A new build of the session's report (`by` None: the nightly task)."""
    hub = hub_of(session)
    if by is not None and (by.role is not Role.COORDINATOR or by.hub_id != hub.id):
        raise DomainError(_("Only the hub's coordinator can make this report."))
    refusal = why_not_buildable(session, hub_today(hub))
    if refusal:
        raise DomainError(refusal)
    window = window_before(session)
    assert window is not None  # why_not_buildable said so
    report = ReadinessReport(
        session_id=session.id,
        built_by_id=by.id if by else None,
        window_starts_on=window.starts_on,
        window_ends_on=window.ends_on,
        content=json.dumps(build_content(session, window), ensure_ascii=False),
    )
    db.session.add(report)
    db.session.commit()
    return report


def builds_of(session: YearSession, limit: int = 2) -> list[ReadinessReport]:
    """The latest builds, newest first."""
    return list(db.session.scalars(
        select(ReadinessReport).where(ReadinessReport.session_id == session.id)
        .order_by(ReadinessReport.built_at.desc(), ReadinessReport.id.desc()).limit(limit)
    ))  # fmt: skip


def due_sessions(today_of: dict[int, date]) -> list[YearSession]:
    """Sessions whose report the nightly task should build now: those that became available and
    have none yet, and those beginning tomorrow that were not built since yesterday began."""
    due = []
    sessions = db.session.scalars(
        select(YearSession).join(AcademicYear).where(AcademicYear.hub_id.in_(list(today_of)))
    ).all()
    for session in sessions:
        hub = hub_of(session)
        today = today_of[hub.id]
        if why_not_buildable(session, today) is not None:
            continue
        latest = builds_of(session, 1)
        if not latest:
            due.append(session)
            continue
        built_on = latest[0].built_at.astimezone(ZoneInfo(hub.timezone)).date()
        if session.starts_on - today == timedelta(days=1) and built_on < today:
            due.append(session)
    return due


def build_due_reports() -> list[int]:
    """The nightly task's work; run twice in a day, it builds nothing twice."""
    hubs = db.session.scalars(select(School).where(School.hub_id.is_(None))).all()
    built = []
    for session in due_sessions({hub.id: hub_today(hub) for hub in hubs}):
        built.append(build_report(session, None).id)
    return built


@dataclass(frozen=True)
class Change:
    pupil_id: int
    name: str
    school: str
    was_ready: bool | None  # None: not in the report before
    ready: bool


def changes(before: dict[str, object] | None, now: dict[str, object]) -> list[Change]:
    """Pupils whose readiness changed since the build before (or who were not in it)."""
    if before is None:
        return []
    then = {p["id"]: p["ready"] for p in before["pupils"]}  # type: ignore[attr-defined]
    found = []
    for pupil in now["pupils"]:  # type: ignore[attr-defined]
        was = then.get(pupil["id"])
        if was is None or was != pupil["ready"]:
            found.append(Change(pupil["id"], pupil["name"], pupil["school"], was, pupil["ready"]))
    return found
