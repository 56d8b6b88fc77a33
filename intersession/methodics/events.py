"""Events for teachers scheduled like lessons and held in the same rooms: the methodologist
schedules one with its presenter, open to every teacher of the hub or closed to those invited;
teachers register for an open one; the room, the register and the recording are the lesson's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from intersession.auth.models import Role, User
from intersession.core.db import db, utcnow
from intersession.core.errors import Conflict, DomainError, Forbidden
from intersession.core.web import path_for
from intersession.lessons.models import AttendanceRow, Lesson, LessonKind, LessonState
from intersession.lessons.reminders import tell_about_cancellation
from intersession.lessons.scheduling import check_time, hub_year_on, overlapping
from intersession.methodics.access import guides, is_methodologist, is_teacher
from intersession.methodics.bank_models import Resource, ResourceState
from intersession.methodics.community_models import Community
from intersession.methodics.events_models import EventFormat, TeacherEvent
from intersession.methodics.models import Format, HelpState, RouteStep
from intersession.notifications.services import notify_once, register_text
from intersession.schools.models import Subject

register_text(
    "event-invited", lambda p: _("You are invited to an event for teachers: %(title)s.", **p)
)


@dataclass
class EventPlan:
    title: str
    format: EventFormat
    presenter: User
    day: date
    start: time
    minutes: int
    open: bool = True
    invited: list[User] = field(default_factory=list)
    subject: Subject | None = None
    description: str = ""
    community: Community | None = None  # its teachers are invited (and the event is closed)


def _notify_invited(event: TeacherEvent, people: list[User]) -> None:
    link = path_for("lessons.lesson", lesson_id=event.lesson_id)
    for person in people:
        notify_once(person.id, "event-invited", f"event-invited:{event.lesson_id}:{person.id}",
                    {"title": event.lesson.title}, link)  # fmt: skip


def schedule_event(organizer: User, plan: EventPlan) -> TeacherEvent:
    if not is_methodologist(organizer, organizer.hub_id):
        raise Forbidden(_("Events for teachers are scheduled by the hub's methodical service."))
    event = _create_event(organizer, plan)
    db.session.commit()
    return event


def hold_step_online(actor: User, step: RouteStep, day: date, start: time, minutes: int) -> TeacherEvent:  # fmt: skip
    """A step of a route held in the live room: a closed event for the teacher, presented by the
    step's responsible person (or its mentor), scheduled by whoever builds the route."""
    request = step.request
    if not guides(actor, request):
        raise Forbidden(_("The route is built by its mentor or a methodologist."))
    if request.state is not HelpState.IN_ROUTE or step.done_at is not None:
        raise Conflict(_("The teacher has done this step: it can no longer be changed."))
    if step.event_lesson is not None and not step.event_lesson.cancelled:
        raise Conflict(_("This step is held in the online room already."))
    presenter = step.responsible or request.mentor
    if presenter is None:
        raise DomainError(_("Name the step's responsible person first."))
    event_format = (
        EventFormat.MENTORING_HOUR if step.format is not Format.CONSULTING else EventFormat.SEMINAR
    )
    plan = EventPlan(title=step.title, format=event_format, presenter=presenter, day=day,
                     start=start, minutes=minutes, open=False, invited=[request.teacher],
                     description=step.details)  # fmt: skip
    event = _create_event(actor, plan)
    step.event_lesson = event.lesson
    db.session.commit()
    return event


def _create_event(organizer: User, plan: EventPlan) -> TeacherEvent:
    """The event and its lesson, checked whole; the caller commits."""
    hub_id = organizer.hub_id
    title = " ".join(plan.title.split())[:300]
    if not title:
        raise DomainError(_("Give the event a title."), "title")
    presenter = plan.presenter
    if presenter.hub_id != hub_id or not presenter.active or presenter.role is Role.PUPIL:
        raise DomainError(_("Choose a presenter among the hub's teachers."), "presenter")
    if plan.subject is not None and plan.subject.hub_id != hub_id:
        raise DomainError(_("Choose a subject of your hub."), "subject")
    asked = list(plan.invited)
    if plan.community is not None:
        if plan.community.hub_id != hub_id:
            raise DomainError(_("Choose a community of your hub."), "community")
        asked += community_members(plan.community)
    invited = [p for p in dict.fromkeys(asked) if p.id != presenter.id]
    if any(p.hub_id != hub_id or not is_teacher(p) for p in invited):
        raise DomainError(_("Invite the hub's teachers."), "invited")
    if not (plan.open and plan.community is None) and not invited:
        raise DomainError(_("Invite at least one teacher to a closed event."), "invited")
    year = hub_year_on(hub_id, plan.day)
    if year is None:
        raise DomainError(_("This day is outside the academic year."), "day")
    starts = check_time(presenter, year, plan.day, plan.start, plan.minutes)
    ends = starts + timedelta(minutes=plan.minutes)
    for person in invited:
        if other := busy_then(person, starts, ends):
            raise DomainError(_("%(name)s has another lesson or event then: “%(title)s”.",
                                name=person.full_name, title=other.title), "invited")  # fmt: skip
    lesson = Lesson(kind=LessonKind.TEACHER_EVENT, advisor=presenter, subject=plan.subject,
                    title=title, description=plan.description.strip()[:5000], starts_at=starts,
                    duration_minutes=plan.minutes)  # fmt: skip
    lesson.register = [AttendanceRow(pupil=p) for p in invited]
    event = TeacherEvent(lesson=lesson, hub_id=hub_id, format=plan.format,
                         open=plan.open and plan.community is None, organizer_id=organizer.id)  # fmt: skip
    db.session.add(event)
    db.session.flush()
    _notify_invited(event, invited)
    return event


def busy_then(teacher: User, starts: datetime, ends: datetime, exclude_id: int | None = None) -> Lesson | None:  # fmt: skip
    """A lesson the teacher gives, or an event they take part in, overlapping the time."""
    taking_part = select(AttendanceRow.lesson_id).where(AttendanceRow.pupil_id == teacher.id)
    return overlapping(starts, ends, exclude_id,
                       or_(Lesson.advisor_id == teacher.id, Lesson.id.in_(taking_part)))  # fmt: skip


def community_members(community: Community) -> list[User]:
    """The active teachers of the community's schools."""
    query = select(User).where(User.school_id.in_(community.school_ids), User.active.is_(True),
                               User.role.in_((Role.ADVISOR, Role.TUTOR)))  # fmt: skip
    return list(db.session.scalars(query))


def attach_resource(actor: User, event: TeacherEvent, resource: Resource) -> None:
    """A material of the bank for the event's participants: by its presenter or a methodologist."""
    if actor.id != event.lesson.advisor_id and not is_methodologist(actor, event.hub_id):
        raise Forbidden(_("Materials are attached by the presenter or the methodical service."))
    if resource.state is not ResourceState.PUBLISHED or resource.hub_id != event.hub_id:
        raise DomainError(_("Choose a material published in the hub's bank."), "resource")
    if resource not in event.resources:
        event.resources.append(resource)
    db.session.commit()


def cancel_step_event(step: RouteStep, reason: str) -> None:
    """A step removed or a route ended: its event still to come is cancelled and those taking
    part told; the caller commits."""
    lesson = step.event_lesson
    if lesson is not None and not lesson.cancelled and lesson.starts_at > utcnow():
        lesson.state, lesson.cancel_reason = LessonState.CANCELLED, reason[:1000]
        tell_about_cancellation(lesson)


def _row(event: TeacherEvent, teacher: User) -> AttendanceRow | None:
    return next((r for r in event.lesson.register if r.pupil_id == teacher.id), None)


def registered(event: TeacherEvent, teacher: User) -> bool:
    return _row(event, teacher) is not None


def register_for(teacher: User, event: TeacherEvent) -> None:
    """A teacher of the hub takes a place at an open event that has not ended."""
    lesson = event.lesson
    if not is_teacher(teacher) or teacher.hub_id != event.hub_id:
        raise Forbidden(_("The hub's teachers register for its events."))
    if not event.open:
        raise Forbidden(_("This event is for the teachers invited."))
    if lesson.state is not LessonState.SCHEDULED or lesson.held_until <= utcnow():
        raise Conflict(_("The event is over or cancelled."))
    if lesson.advisor_id == teacher.id:
        raise Conflict(_("You are the presenter of this event."))
    if registered(event, teacher):
        raise Conflict(_("You are registered already."))
    if other := busy_then(teacher, lesson.starts_at, lesson.ends_at, lesson.id):
        raise Conflict(_("You have another lesson or event then: “%(title)s”.", title=other.title))
    lesson.register.append(AttendanceRow(pupil=teacher))
    try:
        db.session.commit()
    except IntegrityError:  # the same teacher registering twice at once: one row stays
        db.session.rollback()
        raise Conflict(_("You are registered already.")) from None


def unregister_from(teacher: User, event: TeacherEvent) -> None:
    """Before the event begins, a teacher gives back their place at an open event."""
    row = _row(event, teacher)
    if row is None:
        raise Conflict(_("You are not registered."))
    if not event.open:
        raise Forbidden(_("This event is for the teachers invited."))
    if event.lesson.starts_at <= utcnow():
        raise Conflict(_("The event has begun: the place can no longer be given back."))
    event.lesson.register.remove(row)
    db.session.delete(row)
    db.session.commit()


def events_of(hub_id: int) -> list[TeacherEvent]:
    """The hub's events, the latest first (a year of them at most)."""
    query = (
        select(TeacherEvent).join(TeacherEvent.lesson).where(TeacherEvent.hub_id == hub_id)
        .order_by(Lesson.starts_at.desc()).limit(300)
    )  # fmt: skip
    return list(db.session.scalars(query))


def may_see(viewer: User, event: TeacherEvent) -> bool:
    """An open event: every teacher and methodologist of the hub; a closed one: its presenter,
    the teachers invited and the methodologists."""
    if viewer.hub_id != event.hub_id or viewer.role is Role.PUPIL:
        return False
    if event.open or is_methodologist(viewer, event.hub_id):
        return True
    return event.lesson.advisor_id == viewer.id or registered(event, viewer)
