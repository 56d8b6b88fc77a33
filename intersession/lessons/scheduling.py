"""Rules for scheduling lessons: inside the between-session windows, without overlaps, in the future."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from intersession.auth.models import Role, User
from intersession.core.db import db, utcnow
from intersession.core.errors import DomainError, Forbidden
from intersession.lessons.models import MAX_MINUTES, AttendanceRow, Lesson, LessonKind, LessonState
from intersession.lessons.reminders import tell_about_cancellation
from intersession.schools.cohorts import cohort_pupils_changed
from intersession.schools.labels import SESSION_LABELS
from intersession.schools.models import (
    AcademicYear,
    Cohort,
    PlanTopic,
    School,
    Subject,
    TeachingAssignment,
)

PLAN_TOLERANCE_WEEKS = 2


@dataclass
class LessonPlan:
    """What the advisor asks for; the time is a wall-clock time in the hub's time zone."""

    cohort: Cohort
    subject: Subject
    topic: PlanTopic | None
    day: date
    start: time
    duration_minutes: int
    description: str = ""


@dataclass
class Scheduled:
    lesson: Lesson
    warnings: list[str] = field(default_factory=list)


def to_utc(day: date, start: time, timezone: str) -> datetime:
    """The UTC moment of a wall-clock time; a time skipped or repeated by a clock change is refused."""
    zone = ZoneInfo(timezone)
    local = datetime.combine(day, start).replace(tzinfo=zone)
    moment = local.astimezone(ZoneInfo("UTC"))
    if moment.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None) or (
        local.replace(fold=1).utcoffset() != local.utcoffset()
    ):
        raise DomainError(
            _("This time does not exist or is ambiguous in %(zone)s.", zone=timezone), "start"
        )
    return moment


def teaches(advisor: User, cohort: Cohort, subject: Subject) -> bool:
    return (
        db.session.scalar(
            select(TeachingAssignment.id).where(
                TeachingAssignment.advisor_id == advisor.id,
                TeachingAssignment.cohort_id == cohort.id,
                TeachingAssignment.subject_id == subject.id,
            )
        )
        is not None
    )


def academic_week(year: AcademicYear, day: date) -> int:
    """Week 1 is the week (Monday to Sunday) holding the year's first day."""
    first_monday = year.starts_on - timedelta(days=year.starts_on.weekday())
    return (day - first_monday).days // 7 + 1


def _session_clash(
    year: AcademicYear, starts: datetime, ends: datetime, zone: ZoneInfo
) -> str | None:
    for session in year.sessions:
        opens = datetime.combine(session.starts_on, time()).replace(tzinfo=zone)
        closes = datetime.combine(session.ends_on + timedelta(days=1), time()).replace(tzinfo=zone)
        if starts < closes and opens < ends:
            return _(
                "This time falls in the %(session)s at the hub (%(first)s – %(last)s); "
                "online lessons are held between sessions.",
                session=str(SESSION_LABELS[session.kind]).lower(),
                first=format_date(session.starts_on, "long"),
                last=format_date(session.ends_on, "long"),
            )
    return None


def overlapping(
    starts: datetime, ends: datetime, exclude_id: int | None, *conditions: object
) -> Lesson | None:
    query = select(Lesson).where(
        Lesson.state == LessonState.SCHEDULED,
        Lesson.starts_at < ends,
        *conditions,  # type: ignore[arg-type]
    )
    if exclude_id is not None:
        query = query.where(Lesson.id != exclude_id)
    # The end is derived from the duration, so the last overlap test runs here, on few rows.
    candidates = db.session.scalars(
        query.where(Lesson.starts_at > starts - timedelta(minutes=MAX_MINUTES))
    )
    return next((lesson for lesson in candidates if lesson.held_until > starts), None)


def hub_year_on(hub_id: int, day: date) -> AcademicYear | None:
    return db.session.scalar(
        select(AcademicYear).where(
            AcademicYear.hub_id == hub_id,
            AcademicYear.starts_on <= day,
            AcademicYear.ends_on >= day,
        )
    )


def check_time(
    advisor: User,
    year: AcademicYear,
    day: date,
    start: time,
    minutes: int,
    exclude_id: int | None = None,
    pupil_ids: tuple[int, ...] = (),
) -> datetime:
    """The rules of any lesson's time: length, the future, inside the year, outside the sessions,
    free for the advisor and for the pupils named. Returns the UTC start."""
    hub = db.session.get(School, year.hub_id)
    assert hub is not None
    if not 5 <= minutes <= MAX_MINUTES:
        raise DomainError(_("A lesson lasts from 5 minutes to 6 hours."), "duration")
    starts = to_utc(day, start, hub.timezone)
    ends = starts + timedelta(minutes=minutes)
    if starts <= utcnow():
        raise DomainError(_("This time has passed already."), "day")
    zone = ZoneInfo(hub.timezone)
    if not (year.starts_on <= day and ends.astimezone(zone).date() <= year.ends_on):
        raise DomainError(
            _("The lesson must fall inside the academic year %(name)s.", name=year.name), "day"
        )
    if message := _session_clash(year, starts, ends, zone):
        raise DomainError(message, "day")
    if other := overlapping(starts, ends, exclude_id, Lesson.advisor_id == advisor.id):
        raise DomainError(
            _("You have another lesson then: “%(title)s”.", title=other.title), "start"
        )
    if pupil_ids:
        invited = select(AttendanceRow.lesson_id).where(AttendanceRow.pupil_id.in_(pupil_ids))
        if other := overlapping(starts, ends, exclude_id, Lesson.id.in_(invited)):
            raise DomainError(
                _("A pupil has another lesson then: “%(title)s”.", title=other.title), "start"
            )
    return starts


def check_lesson(
    advisor: User, plan: LessonPlan, lesson: Lesson | None
) -> tuple[datetime, list[str]]:
    """Every rule of a lesson's time and place; returns the UTC start and the warnings."""
    cohort, subject, topic = plan.cohort, plan.subject, plan.topic
    year = cohort.year
    if advisor.role is not Role.ADVISOR or not teaches(advisor, cohort, subject):
        raise Forbidden(_("You do not teach this subject to this cohort."))
    if topic is not None and (
        topic.year_id != year.id or topic.subject_id != subject.id or topic.grade != cohort.grade
    ):
        raise DomainError(_("Choose a topic of this cohort's plan for this subject."), "topic")
    exclude = lesson.id if lesson else None
    starts = check_time(advisor, year, plan.day, plan.start, plan.duration_minutes, exclude)
    ends = starts + timedelta(minutes=plan.duration_minutes)
    if other := overlapping(starts, ends, exclude, Lesson.cohort_id == cohort.id):
        raise DomainError(
            _("The cohort has another lesson then: “%(title)s”.", title=other.title), "start"
        )
    warnings = []
    if topic is not None:
        distance = abs(academic_week(year, plan.day) - topic.week)
        if distance > PLAN_TOLERANCE_WEEKS:
            warnings.append(
                _(
                    "The plan puts this topic in week %(planned)d; this lesson is in week %(actual)d.",
                    planned=topic.week,
                    actual=academic_week(year, plan.day),
                )
            )
    return starts, warnings


def schedule_lesson(advisor: User, plan: LessonPlan) -> Scheduled:
    """Schedule a lesson for a cohort; every pupil of the cohort gets a row in the register."""
    starts, warnings = check_lesson(advisor, plan, None)
    lesson = Lesson(
        kind=LessonKind.LESSON,
        advisor=advisor,
        cohort=plan.cohort,
        subject=plan.subject,
        topic=plan.topic,
        title=plan.topic.title if plan.topic else plan.subject.name,
        description=plan.description.strip(),
        starts_at=starts,
        duration_minutes=plan.duration_minutes,
    )
    lesson.register = [AttendanceRow(pupil=pupil) for pupil in plan.cohort.pupils if pupil.active]
    db.session.add(lesson)
    db.session.commit()
    return Scheduled(lesson, warnings)


def reschedule_lesson(advisor: User, lesson: Lesson, plan: LessonPlan) -> Scheduled:
    require_own(advisor, lesson)
    if lesson.cancelled or lesson.starts_at <= utcnow():
        raise DomainError(_("Only a lesson still to come can be changed."))
    starts, warnings = check_lesson(advisor, plan, lesson)
    lesson.topic, lesson.starts_at = plan.topic, starts
    lesson.title = plan.topic.title if plan.topic else plan.subject.name
    lesson.duration_minutes, lesson.description = plan.duration_minutes, plan.description.strip()
    db.session.commit()
    return Scheduled(lesson, warnings)


def cancel_lesson(advisor: User, lesson: Lesson, reason: str) -> None:
    """Cancel a lesson still to come; the reason is shown to its pupils and their tutors."""
    require_own(advisor, lesson)
    reason = reason.strip()
    if not reason:
        raise DomainError(
            _("Say why the lesson is cancelled; pupils and tutors will see it."), "reason"
        )
    if lesson.cancelled:
        raise DomainError(_("The lesson is cancelled already."))
    if lesson.starts_at <= utcnow():
        raise DomainError(_("Only a lesson still to come can be cancelled."))
    lesson.state, lesson.cancel_reason = LessonState.CANCELLED, reason[:1000]
    tell_about_cancellation(lesson)
    db.session.commit()


def require_own(advisor: User, lesson: Lesson) -> None:
    if lesson.advisor_id != advisor.id:
        raise Forbidden(_("Only the lesson's advisor may change it."))


@cohort_pupils_changed.connect
def follow_roster(cohort: Cohort) -> None:
    """Lessons still to come invite the cohort as it is now; a pupil who left keeps their row only
    if something was marked in it."""
    upcoming = db.session.scalars(
        select(Lesson).where(
            Lesson.cohort_id == cohort.id,
            Lesson.state == LessonState.SCHEDULED,
            Lesson.starts_at > utcnow(),
        )
    )
    members = {p.id: p for p in cohort.pupils if p.active}
    for lesson in upcoming:
        invited = {row.pupil_id: row for row in lesson.register}
        for pupil_id, pupil in members.items():
            if pupil_id not in invited:
                lesson.register.append(AttendanceRow(pupil=pupil))
        for pupil_id, row in invited.items():
            if pupil_id not in members and row.status is None and row.confirmed_status is None:
                lesson.register.remove(row)
