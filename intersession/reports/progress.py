"""One pupil's progress over a window of the year: attendance, work and grades, verified
portfolio entries and consultations, each figure with the rows it counts."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from intersession.auth.models import User
from intersession.core.db import db, utcnow
from intersession.lessons.models import (
    AbsenceReason,
    ConsultationRequest,
    LessonState,
    Presence,
    RequestState,
    consultation_request_pupil,
)
from intersession.portfolio.models import EntryState, PortfolioEntry
from intersession.reports import figures
from intersession.reports.rules import excused_of, rules_of
from intersession.schools.access import reads_pupil
from intersession.schools.calendar import Period, year_periods
from intersession.schools.models import AcademicYear, School


class Span(enum.StrEnum):
    WINDOW = "window"  # the between-session window under way, or the last one
    YEAR = "year"


def can_view_progress(viewer: User, pupil: User) -> bool:
    """The pupil; their tutor; the advisors of their cohorts; the hub's coordinator."""
    return reads_pupil(viewer, pupil)


def year_of(hub: School, today: date) -> AcademicYear | None:
    """The year under way, or else the last one begun."""
    return db.session.scalars(
        select(AcademicYear)
        .where(AcademicYear.hub_id == hub.id, AcademicYear.starts_on <= today)
        .options(selectinload(AcademicYear.sessions))
        .order_by(AcademicYear.starts_on.desc())
    ).first()


def current_window(year: AcademicYear, today: date) -> Period | None:
    """The between-session window holding today; in a session or after the last one, the
    window that led to it."""
    windows = [p for p in year_periods(year) if p.session is None and p.starts_on <= today]
    return windows[-1] if windows else None


@dataclass
class Consultation:
    request: ConsultationRequest
    held: bool


@dataclass
class Progress:
    pupil: User
    span: Span
    window: figures.Window
    attendance: figures.Attendance
    rate: float | None
    excused_reasons: frozenset[AbsenceReason]
    work: figures.Work
    entries: list[PortfolioEntry]
    consultations: list[Consultation]

    @property
    def consultations_held(self) -> int:
        return sum(1 for c in self.consultations if c.held)

    @property
    def excused(self) -> int:
        return len(self.attendance.excused(self.excused_reasons))

    def lesson_rows(self, show: str) -> list[figures.LessonRow]:
        """The register rows a figure counts (all of them for an unknown one)."""
        rows = self.attendance.rows
        statuses = {"present": Presence.PRESENT, "partly": Presence.PARTLY,
                    "absent": Presence.ABSENT}  # fmt: skip
        if show in statuses:
            return [r for r in rows if r.status is statuses[show]]
        if show == "unmarked":
            return [r for r in rows if r.status is None]
        if show == "caught_up":
            return [r for r in rows if r.caught_up and r.status is not Presence.PRESENT]
        if show == "excused":
            return self.attendance.excused(self.excused_reasons)
        return rows

    def work_rows(self, show: str) -> list[figures.WorkRow]:
        rows = self.work.rows
        if show == "sent":
            return [r for r in rows if r.sent]
        if show == "late":
            return [r for r in rows if r.sent and r.late]
        if show in {s.value for s in figures.WorkState}:
            return [r for r in rows if r.state.value == show]
        return rows


def progress_of(pupil: User, span: Span, today: date) -> Progress | None:
    """None when the hub has no year begun to report on."""
    hub = db.session.get_one(School, pupil.hub_id)
    year = year_of(hub, today)
    if year is None:
        return None
    period = current_window(year, today) if span is Span.WINDOW else None
    first, last = (period.starts_on, period.ends_on) if period else (year.starts_on, year.ends_on)
    window = figures.Window(first, last, hub.timezone)
    rules = rules_of(hub.id)
    seen = figures.attendance([pupil.id], window)[pupil.id]
    excused = excused_of(rules)
    opens, closes = window.bounds()
    entries = list(db.session.scalars(
        select(PortfolioEntry).where(
            PortfolioEntry.pupil_id == pupil.id, PortfolioEntry.state == EntryState.VERIFIED,
            PortfolioEntry.verified_at >= opens, PortfolioEntry.verified_at < closes,
        ).order_by(PortfolioEntry.verified_at)
    ))  # fmt: skip
    requests = db.session.scalars(
        select(ConsultationRequest)
        .join(consultation_request_pupil,
              consultation_request_pupil.c.request_id == ConsultationRequest.id)
        .where(consultation_request_pupil.c.pupil_id == pupil.id,
               ConsultationRequest.created_at >= opens, ConsultationRequest.created_at < closes)
        .options(selectinload(ConsultationRequest.lesson), selectinload(ConsultationRequest.subject))
        .order_by(ConsultationRequest.created_at)
    ).all()  # fmt: skip
    now = utcnow()
    consultations = [
        Consultation(r, r.state is RequestState.ACCEPTED and r.lesson is not None
                     and r.lesson.state is LessonState.SCHEDULED and r.lesson.starts_at < now)
        for r in requests
    ]  # fmt: skip
    return Progress(
        pupil=pupil,
        span=span,
        window=window,
        attendance=seen,
        rate=seen.rate(excused, rules.count_caught_up),
        excused_reasons=excused,
        work=figures.work([pupil.id], window)[pupil.id],
        entries=entries,
        consultations=consultations,
    )
