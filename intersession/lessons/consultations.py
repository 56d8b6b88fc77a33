"""Consultations: requests from pupils and tutors, accepted by scheduling or declined with a reason,
and open slots that pupils book."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, select

from intersession.auth.models import Role, User
from intersession.core.db import db, utcnow
from intersession.core.errors import Conflict, DomainError, Forbidden
from intersession.core.web import path_for
from intersession.lessons.models import (
    AttendanceRow,
    ConsultationRequest,
    Lesson,
    LessonKind,
    LessonState,
    RequestState,
)
from intersession.lessons.scheduling import Scheduled, check_time, hub_year_on
from intersession.notifications.services import notify_once, register_text
from intersession.schools.models import Subject, TeachingAssignment, cohort_pupil

register_text("consultation-asked", lambda p: _("%(by)s asks for a consultation: %(topic)s.", **p))
register_text(
    "consultation-accepted",
    lambda p: _("Your consultation is scheduled: %(topic)s.", topic=p["topic"]),
)
register_text(
    "consultation-declined",
    lambda p: _(
        "Consultation declined: %(topic)s. %(reason)s", topic=p["topic"], reason=p["reason"]
    ),
)


def advisor_teaches(advisor: User, pupil: User, subject: Subject) -> bool:
    """The advisor teaches this subject to a cohort the pupil is in."""
    query = select(
        exists()
        .where(TeachingAssignment.advisor_id == advisor.id)
        .where(TeachingAssignment.subject_id == subject.id)
        .where(TeachingAssignment.cohort_id == cohort_pupil.c.cohort_id)
        .where(cohort_pupil.c.pupil_id == pupil.id)
    )
    return bool(db.session.scalar(query))


@dataclass
class RequestData:
    advisor: User
    subject: Subject
    pupils: list[User]
    topic: str
    message: str = ""
    preferred_times: str = ""


def request_consultation(actor: User, data: RequestData) -> ConsultationRequest:
    """A pupil asks for themselves, a tutor for pupils of their school; the advisor must teach
    each of them the subject."""
    if actor.role is Role.PUPIL:
        if [p.id for p in data.pupils] != [actor.id]:
            raise Forbidden(_("A pupil asks for a consultation for themselves."))
    elif actor.role is Role.TUTOR:
        if not data.pupils:
            raise DomainError(_("Choose at least one pupil."), "pupils")
        if any(p.school_id != actor.school_id or p.role is not Role.PUPIL for p in data.pupils):
            raise Forbidden(_("You may ask only for your own school's pupils."))
    else:
        raise Forbidden(_("Consultations are asked for by pupils and tutors."))
    if any(not advisor_teaches(data.advisor, p, data.subject) for p in data.pupils):
        raise DomainError(
            _("This advisor does not teach this subject to every pupil chosen."), "advisor"
        )
    topic = " ".join(data.topic.split())
    if not topic:
        raise DomainError(_("Say what the consultation is about."), "topic")
    request = ConsultationRequest(
        requested_by=actor,
        advisor=data.advisor,
        subject=data.subject,
        pupils=list(data.pupils),
        topic=topic[:300],
        message=data.message.strip()[:2000],
        preferred_times=data.preferred_times.strip()[:300],
    )
    db.session.add(request)
    db.session.flush()
    notify_once(data.advisor.id, "consultation-asked", f"consultation-asked:{request.id}",
                {"topic": request.topic, "by": actor.full_name}, _request_link(request))  # fmt: skip
    db.session.commit()
    return request


def _request_link(request: ConsultationRequest) -> str:
    return path_for("lessons.consultation", request_id=request.id)


def _tell_requesters(request: ConsultationRequest, kind: str) -> None:
    """The pupils of the request and whoever asked learn the answer."""
    params = {"topic": request.topic, "reason": request.decline_reason or ""}
    for user_id in {request.requested_by_id, *(p.id for p in request.pupils)}:
        notify_once(user_id, kind, f"{kind}:{request.id}:{user_id}", params, _request_link(request))


def _require_open(advisor: User, request: ConsultationRequest) -> None:
    if request.advisor_id != advisor.id:
        raise Forbidden(_("The request is addressed to another advisor."))
    if request.state is not RequestState.OPEN:
        raise Conflict(_("The request has been answered already."))


def decline_request(advisor: User, request: ConsultationRequest, reason: str) -> None:
    _require_open(advisor, request)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why you decline; the pupil and the tutor will see it."), "reason")
    request.state, request.decline_reason, request.decided_at = (
        RequestState.DECLINED,
        reason[:1000],
        utcnow(),
    )
    _tell_requesters(request, "consultation-declined")
    db.session.commit()


def accept_request(
    advisor: User, request: ConsultationRequest, day: date, start: time, minutes: int
) -> Scheduled:
    """Accept by scheduling: a consultation for the request's pupils at a free time."""
    _require_open(advisor, request)
    year = hub_year_on(advisor.hub_id, day)
    if year is None:
        raise DomainError(_("This day is outside the academic year."), "day")
    pupil_ids = tuple(p.id for p in request.pupils)
    starts = check_time(advisor, year, day, start, minutes, pupil_ids=pupil_ids)
    lesson = Lesson(
        kind=LessonKind.CONSULTATION, advisor=advisor, subject=request.subject, title=request.topic,
        description=request.message, starts_at=starts, duration_minutes=minutes,
    )  # fmt: skip
    lesson.register = [AttendanceRow(pupil=p) for p in request.pupils if p.active]
    request.state, request.lesson, request.decided_at = RequestState.ACCEPTED, lesson, utcnow()
    db.session.add(lesson)
    _tell_requesters(request, "consultation-accepted")
    db.session.commit()
    return Scheduled(lesson)


def offer_slot(
    advisor: User, subject: Subject, title: str, day: date, start: time, minutes: int, capacity: int
) -> Lesson:
    """An open consultation slot the advisor's pupils of this subject can book."""
    if advisor.role is not Role.ADVISOR or not db.session.scalar(
        select(
            exists().where(
                TeachingAssignment.advisor_id == advisor.id,
                TeachingAssignment.subject_id == subject.id,
            )
        )
    ):
        raise Forbidden(_("You do not teach this subject."))
    if not 1 <= capacity <= 30:
        raise DomainError(_("A slot takes from 1 to 30 pupils."), "capacity")
    year = hub_year_on(advisor.hub_id, day)
    if year is None:
        raise DomainError(_("This day is outside the academic year."), "day")
    starts = check_time(advisor, year, day, start, minutes)
    lesson = Lesson(
        kind=LessonKind.CONSULTATION, advisor=advisor, subject=subject,
        title=" ".join(title.split())[:300] or subject.name, starts_at=starts,
        duration_minutes=minutes, capacity=capacity,
    )  # fmt: skip
    db.session.add(lesson)
    db.session.commit()
    return lesson


def bookable(pupil: User, lesson: Lesson) -> bool:
    return (
        lesson.capacity is not None
        and lesson.state is LessonState.SCHEDULED
        and lesson.starts_at > utcnow()
        and lesson.subject is not None
        and advisor_teaches(lesson.advisor, pupil, lesson.subject)
    )


def book_slot(pupil: User, lesson: Lesson) -> None:
    if pupil.role is not Role.PUPIL or not bookable(pupil, lesson):
        raise Forbidden(_("This slot is not open to you."))
    # Two pupils taking the last place at once: the second waits for the first (PostgreSQL locks
    # the row; SQLite writes one at a time anyway) and then sees the slot full.
    db.session.execute(select(Lesson.id).where(Lesson.id == lesson.id).with_for_update())
    db.session.refresh(lesson, attribute_names=["register"])
    if any(row.pupil_id == pupil.id for row in lesson.register):
        raise Conflict(_("You have booked this slot already."))
    if len(lesson.register) >= (lesson.capacity or 0):
        raise Conflict(_("The slot is full."))
    ends = lesson.ends_at
    invited = select(AttendanceRow.lesson_id).where(AttendanceRow.pupil_id == pupil.id)
    clash = db.session.scalars(
        select(Lesson).where(
            Lesson.id.in_(invited), Lesson.state == LessonState.SCHEDULED,
            Lesson.starts_at < ends, Lesson.starts_at > lesson.starts_at - timedelta(hours=6),
        )
    )  # fmt: skip
    if any(other.ends_at > lesson.starts_at for other in clash):
        raise Conflict(_("You have another lesson at that time."))
    lesson.register.append(AttendanceRow(pupil=pupil))
    db.session.commit()


def cancel_booking(pupil: User, lesson: Lesson) -> None:
    row = next((r for r in lesson.register if r.pupil_id == pupil.id), None)
    if row is None or lesson.capacity is None:
        raise Forbidden(_("You have not booked this slot."))
    if lesson.starts_at <= utcnow():
        raise Conflict(_("The consultation has begun; the booking can no longer be cancelled."))
    lesson.register.remove(row)
    db.session.commit()
