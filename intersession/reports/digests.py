"""E-mail that reaches people who do not sign in: a weekly digest to each tutor (their pupils
absent, work overdue, entries waiting for them) and each advisor (work waiting for a grade,
consultation requests), and the readiness report to the coordinators when it is made.

Each message goes out once per person, kind and key (the ISO week, the report): it is recorded
after the server took it, so a run again (or a retry after the server was down) sends what is
left and nothing twice. A person who turned digests off, or has no address, gets nothing; with no
SMTP server configured nothing is sent at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select

from intersession.assignments.models import Assignment
from intersession.assignments.tables import latest_sent
from intersession.auth.models import Role, User
from intersession.core import mail
from intersession.core.db import db, utcnow
from intersession.lessons.models import (
    AttendanceRow,
    ConsultationRequest,
    Lesson,
    LessonState,
    Presence,
    RequestState,
)
from intersession.portfolio.models import EntryState, PortfolioEntry
from intersession.reports import figures
from intersession.reports.labels import READINESS_TITLES, reason_text
from intersession.reports.models import MailChoice, MailKind, MailSent, ReadinessReport
from intersession.schools.models import School, in_hub


@dataclass
class Line:
    who: str
    what: str
    when: str = ""


@dataclass
class Digest:
    sections: list[tuple[str, list[Line]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(lines for _title, lines in self.sections)


def _when(moment: datetime, person: User) -> str:
    zone = ZoneInfo(person.school.timezone)
    return format_datetime(moment, "d MMM, HH:mm", tzinfo=zone, locale=_language(person))


def _language(person: User) -> str:
    return person.language.value if person.language else current_app.config["BABEL_DEFAULT_LOCALE"]


def tutor_digest(tutor: User, now: datetime) -> Digest:
    """The tutor's school's pupils over the last seven days and what waits for the tutor."""
    since = now - timedelta(days=7)
    pupils = list(db.session.scalars(
        select(User).where(User.school_id == tutor.school_id, User.role == Role.PUPIL,
                           User.active.is_(True)).order_by(User.full_name)
    ))  # fmt: skip
    ids = [p.id for p in pupils]
    names = {p.id: p.full_name for p in pupils}
    absent = []
    for row, starts_at, title in db.session.execute(
        select(AttendanceRow, Lesson.starts_at, Lesson.title)
        .join(Lesson, Lesson.id == AttendanceRow.lesson_id)
        .where(AttendanceRow.pupil_id.in_(ids), Lesson.state == LessonState.SCHEDULED,
               Lesson.starts_at >= since, Lesson.starts_at < now)
        .order_by(Lesson.starts_at)
    ):  # fmt: skip
        if row.final_status is Presence.ABSENT:
            absent.append(Line(names[row.pupil_id], title, _when(starts_at, tutor)))
    hub = db.session.get_one(School, tutor.hub_id)
    window = figures.Window((now - timedelta(days=60)).date(), now.date(), hub.timezone)
    overdue = [
        Line(names[pupil_id], row.title, _when(row.due_at, tutor))
        for pupil_id, work in figures.work(ids, window).items()
        for row in work.rows
        if row.state is figures.WorkState.MISSING
        or (row.state is figures.WorkState.OPEN and row.due_at < now)
    ]
    entries = [
        Line(names[e.pupil_id], e.title)
        for e in db.session.scalars(
            select(PortfolioEntry).where(PortfolioEntry.pupil_id.in_(ids),
                                         PortfolioEntry.state == EntryState.SUBMITTED)
            .order_by(PortfolioEntry.updated_at)
        )
    ]  # fmt: skip
    return Digest([
        (_("Absent from lessons this week"), absent),
        (_("Work past its due date and not sent"), overdue),
        (_("Portfolio entries waiting for your verification"), entries),
    ])  # fmt: skip


def advisor_digest(advisor: User, now: datetime) -> Digest:
    work = {a.id: a for a in db.session.scalars(
        select(Assignment).where(Assignment.advisor_id == advisor.id)
    )}  # fmt: skip
    waiting: dict[int, int] = {}
    for sent in latest_sent(list(work), only_waiting=True).values():
        waiting[sent.assignment_id] = waiting.get(sent.assignment_id, 0) + 1
    grading = [
        Line(work[a].title, _("%(num)d waiting", num=count)) for a, count in sorted(waiting.items())
    ]
    requests = [
        Line(r.requested_by.full_name, r.topic, _when(r.created_at, advisor))
        for r in db.session.scalars(
            select(ConsultationRequest).where(ConsultationRequest.advisor_id == advisor.id,
                                              ConsultationRequest.state == RequestState.OPEN)
            .order_by(ConsultationRequest.created_at)
        )
    ]  # fmt: skip
    return Digest([
        (_("Work waiting for your grade"), grading),
        (_("Consultation requests waiting for your answer"), requests),
    ])  # fmt: skip


def wants_digests(person: User) -> bool:
    choice = db.session.get(MailChoice, person.id)
    return bool(person.email) and person.active and (choice is None or choice.digests)


def set_digests(person: User, wanted: bool) -> None:
    choice = db.session.get(MailChoice, person.id) or MailChoice(user_id=person.id)
    choice.digests = wanted
    db.session.add(choice)
    db.session.commit()


def _sent(person: User, kind: MailKind, key: str) -> bool:
    return bool(db.session.scalar(select(exists().where(
        MailSent.user_id == person.id, MailSent.kind == kind, MailSent.key == key
    ))))  # fmt: skip


@contextmanager
def _as_reader(person: User) -> Iterator[None]:
    """A request context on the public address (so links lead there) in the person's language."""
    with (
        current_app.test_request_context("/", base_url=current_app.config["PUBLIC_URL"]),
        force_locale(_language(person)),
    ):
        yield


def _deliver(person: User, kind: MailKind, key: str, subject: str, template: str,
             **context: object) -> None:  # fmt: skip
    settings = url_for("reports.mail_page", _external=True)
    text = render_template(f"reports/mail/{template}.txt", person=person, settings=settings,
                           **context)  # fmt: skip
    html = render_template(f"reports/mail/{template}.html", person=person, settings=settings,
                           **context)  # fmt: skip
    mail.send(mail.compose(person.email or "", subject, text, html))
    db.session.add(MailSent(user_id=person.id, kind=kind, key=key))
    db.session.commit()


def digest_week(hub: School, now: datetime) -> str | None:
    """The ISO week whose digest is due at `now` (from its weekday and hour, hub time), or None."""
    local = now.astimezone(ZoneInfo(hub.timezone))
    weekday, hour = (
        int(current_app.config["DIGEST_WEEKDAY"]),
        int(current_app.config["DIGEST_HOUR"]),
    )
    if local.weekday() < weekday or (local.weekday() == weekday and local.hour < hour):
        return None
    year, week, _day = local.isocalendar()
    return f"{year}-W{week:02d}"


def send_digests(now: datetime | None = None) -> int:
    """Every digest due and not sent yet; raises mail.MailError when the server fails, after
    keeping what went out."""
    if not mail.mail_enabled():
        return 0
    now = now or utcnow()
    count = 0
    for hub in db.session.scalars(select(School).where(School.hub_id.is_(None))):
        key = digest_week(hub, now)
        if key is None:
            continue
        people = db.session.scalars(
            select(User).join(School, School.id == User.school_id)
            .where(in_hub(hub.id), User.role.in_([Role.TUTOR, Role.ADVISOR]))
            .order_by(User.id)
        ).all()  # fmt: skip
        for person in people:
            kind = MailKind.TUTOR_DIGEST if person.role is Role.TUTOR else MailKind.ADVISOR_DIGEST
            if not wants_digests(person) or _sent(person, kind, key):
                continue
            with _as_reader(person):
                digest = (tutor_digest if person.role is Role.TUTOR else advisor_digest)(
                    person, now
                )
                if digest.empty:
                    continue
                _deliver(person, kind, key, _("Intersession: your week"), "digest",
                         digest=digest, home=url_for("home.index", _external=True))  # fmt: skip
            count += 1
    return count


def send_readiness_mail(report_id: int) -> int:
    """The readiness report's summary to the hub's coordinators, once per report."""
    report = db.session.get(ReadinessReport, report_id)
    if report is None or not mail.mail_enabled():
        return 0
    content = json.loads(report.content)
    hub_id = report.session.year.hub_id
    coordinators = db.session.scalars(
        select(User).join(School, School.id == User.school_id)
        .where(in_hub(hub_id), User.role == Role.COORDINATOR).order_by(User.id)
    ).all()  # fmt: skip
    count = 0
    for person in coordinators:
        if not wants_digests(person) or _sent(person, MailKind.READINESS, str(report.id)):
            continue
        with _as_reader(person):
            title = str(READINESS_TITLES[report.session.kind])
            pupils = content["pupils"]
            _deliver(person, MailKind.READINESS, str(report.id), f"Intersession: {title}",
                     "readiness", title=title, ready=sum(1 for p in pupils if p["ready"]),
                     total=len(pupils), reason_text=reason_text, not_ready=[p for p in pupils if not p["ready"]][:50],
                     link=url_for("reports.readiness_page", session_id=report.session_id,
                                  _external=True))  # fmt: skip
        count += 1
    return count
