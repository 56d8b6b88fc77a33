"""The methodical subscription: a teacher asks for help, a methodologist diagnoses the deficits and
names a mentor, the route's steps are built, done by the teacher with a reflection and confirmed by
the mentor; the route ends with a result and the teacher's feedback. Every change checks who makes
it and in which state the request is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from intersession.auth.models import Role, User
from intersession.core import storage
from intersession.core.collation import by_name
from intersession.core.db import db, utcnow
from intersession.core.errors import Conflict, DomainError, Forbidden
from intersession.core.files import AREA
from intersession.methodics import events, notices
from intersession.methodics.access import guides, is_methodologist, is_teacher
from intersession.methodics.models import (
    Deficit,
    DeficitKind,
    Format,
    HelpRequest,
    HelpState,
    Methodologist,
    RouteResult,
    RouteStep,
)
from intersession.schools.models import Subject, in_hub

MAX_DEFICITS = 10
MAX_STEPS = 20


def _text(value: str, limit: int, field: str, missing: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise DomainError(missing, field)
    return cleaned[:limit]


@dataclass
class Asked:
    subject: Subject | None
    difficulty: str
    preferred_format: Format | None = None
    preferred_time: str = ""


def ask_for_help(teacher: User, asked: Asked) -> HelpRequest:
    if not is_teacher(teacher):
        raise Forbidden(_("Methodical help is asked for by teachers."))
    if asked.subject is not None and asked.subject.hub_id != teacher.hub_id:
        raise DomainError(_("Choose a subject of your hub."), "subject")
    request = HelpRequest(
        hub_id=teacher.hub_id,
        teacher=teacher,
        subject=asked.subject,
        difficulty=_text(asked.difficulty, 5000, "difficulty", _("Say what is difficult.")),
        preferred_format=asked.preferred_format,
        preferred_time=asked.preferred_time.strip()[:300],
    )
    db.session.add(request)
    db.session.flush()
    notices.asked(request)
    db.session.commit()
    return request


def withdraw(teacher: User, request: HelpRequest) -> None:
    if teacher.id != request.teacher_id:
        raise Forbidden(_("Only the teacher who asked may take the request back."))
    if request.state is not HelpState.SENT:
        raise Conflict(_("The request is diagnosed already: it can no longer be taken back."))
    request.state = HelpState.WITHDRAWN
    db.session.commit()


def mentor_choices(request: HelpRequest) -> list[User]:
    """Who may guide the route: the hub's active teachers and coordinators, but not the teacher."""
    query = (
        select(User)
        .join(User.school)
        .where(
            in_hub(request.hub_id),
            User.active.is_(True),
            User.role.in_((Role.ADVISOR, Role.TUTOR, Role.COORDINATOR)),
            User.id != request.teacher_id,
        )
        .order_by(by_name(User.full_name))
    )
    return list(db.session.scalars(query))


def _require_open(request: HelpRequest) -> None:
    if request.state is HelpState.ENDED:
        raise Conflict(_("The route has ended: it can no longer be changed."))
    if request.state is HelpState.WITHDRAWN:
        raise Conflict(_("The teacher took the request back."))


def diagnose(
    methodologist: User,
    request: HelpRequest,
    deficits: list[tuple[DeficitKind, str]],
    mentor: User,
) -> None:
    """Record the deficits found and the mentor; the request's route begins. Done again while the
    route is followed, it replaces both."""
    if methodologist.id == request.teacher_id or not is_methodologist(
        methodologist, request.hub_id
    ):
        raise Forbidden(_("A methodologist of the hub diagnoses the request."))
    _require_open(request)
    found = [(kind, " ".join(text.split())[:500]) for kind, text in deficits]
    found = [(kind, text) for kind, text in found if text]
    if not found:
        raise DomainError(_("Name at least one deficit."), "deficits")
    if len(found) > MAX_DEFICITS:
        raise DomainError(
            ngettext("At most %(num)d deficit.", "At most %(num)d deficits.", MAX_DEFICITS),
            "deficits",
        )
    if mentor not in mentor_choices(request):
        raise DomainError(_("Choose a mentor among the hub's teachers."), "mentor")
    request.deficits = [Deficit(kind=kind, description=text) for kind, text in found]
    request.mentor = mentor
    request.diagnosed_by_id = methodologist.id
    request.diagnosed_at = request.diagnosed_at or utcnow()
    request.state = HelpState.IN_ROUTE
    notices.diagnosed(request)
    db.session.commit()


@dataclass
class StepPlan:
    format: Format
    title: str
    planned_on: date
    responsible: User
    details: str = ""


def _require_builder(actor: User, request: HelpRequest) -> None:
    if not guides(actor, request):
        raise Forbidden(_("The route is built by its mentor or a methodologist."))
    _require_open(request)
    if request.state is not HelpState.IN_ROUTE:
        raise Conflict(_("Diagnose the request before building its route."))


def _apply_plan(step: RouteStep, request: HelpRequest, plan: StepPlan) -> None:
    """Checked whole before anything changes: a refused plan leaves the step as it was."""
    if plan.responsible.hub_id != request.hub_id or not plan.responsible.active:
        raise DomainError(_("Choose a person of the hub."), "responsible")
    title = _text(plan.title, 300, "title", _("Say what the step is."))
    step.format = plan.format
    step.title = title
    step.details = plan.details.strip()[:5000]
    step.planned_on = plan.planned_on
    step.responsible = plan.responsible


def add_step(actor: User, request: HelpRequest, plan: StepPlan) -> RouteStep:
    _require_builder(actor, request)
    if len(request.steps) >= MAX_STEPS:
        raise DomainError(
            ngettext(
                "A route has at most %(num)d step.", "A route has at most %(num)d steps.", MAX_STEPS
            )
        )
    last = db.session.scalar(
        select(func.max(RouteStep.position)).where(RouteStep.request_id == request.id)
    )
    step = RouteStep(position=(last or 0) + 1)
    _apply_plan(step, request, plan)
    request.steps.append(step)
    db.session.flush()
    notices.step_added(step)
    db.session.commit()
    return step


def _require_not_done(step: RouteStep) -> None:
    if step.done_at is not None:
        raise Conflict(_("The teacher has done this step: it can no longer be changed."))


def change_step(actor: User, step: RouteStep, plan: StepPlan) -> None:
    _require_builder(actor, step.request)
    _require_not_done(step)
    _apply_plan(step, step.request, plan)
    db.session.commit()


def remove_step(actor: User, step: RouteStep) -> None:
    """The step goes with its materials (their files after the commit, so a failed commit
    leaves them in place)."""
    _require_builder(actor, step.request)
    _require_not_done(step)
    names = [f.stored_name for f in step.materials]
    for stored in step.materials:
        db.session.delete(stored)
    events.cancel_step_event(step, _("The step of the route was removed."))
    db.session.delete(step)
    db.session.commit()
    for name in names:
        storage.delete_file(AREA, name)


def move_step(actor: User, step: RouteStep, offset: int) -> None:
    """One place earlier (-1) or later (+1); the steps keep positions 1..n."""
    _require_builder(actor, step.request)
    steps = list(step.request.steps)
    at = steps.index(step)
    to = at + (1 if offset > 0 else -1)
    if not 0 <= to < len(steps):
        return
    steps[at], steps[to] = steps[to], steps[at]
    for number, each in enumerate(steps, start=1):
        each.position = number
    db.session.commit()


def mark_done(teacher: User, step: RouteStep, reflection: str) -> None:
    """The teacher says the step is done and what it gave them."""
    request = step.request
    if teacher.id != request.teacher_id:
        raise Forbidden(_("Only the teacher whose route it is marks its steps done."))
    _require_open(request)
    if step.confirmed_at is not None:
        raise Conflict(_("The mentor has confirmed this step already."))
    step.reflection = _text(reflection, 5000, "reflection", _("Write what the step gave you."))
    step.done_at = utcnow()
    notices.step_done(step)
    db.session.commit()


def confirm_step(mentor: User, step: RouteStep) -> None:
    request = step.request
    if not guides(mentor, request):
        raise Forbidden(_("A step is confirmed by the mentor, not by the teacher."))
    _require_open(request)
    if step.done_at is None:
        raise Conflict(_("The teacher has not marked this step done yet."))
    if step.confirmed_at is not None:
        raise Conflict(_("The step is confirmed already."))
    step.confirmed_at = utcnow()
    step.confirmed_by_id = mentor.id
    notices.step_confirmed(step)
    db.session.commit()


def end_route(actor: User, request: HelpRequest, result: RouteResult, note: str) -> None:
    if not guides(actor, request):
        raise Forbidden(_("The route is ended by its mentor or a methodologist."))
    _require_open(request)
    if request.state is not HelpState.IN_ROUTE:
        raise Conflict(_("Diagnose the request before building its route."))
    if not request.steps:
        raise Conflict(_("The route has no steps yet."))
    if any(s.done_at is not None and s.confirmed_at is None for s in request.steps):
        raise Conflict(_("Confirm the steps the teacher has done first."))
    request.result = result
    request.result_note = note.strip()[:5000]
    request.ended_at = utcnow()
    request.state = HelpState.ENDED
    for step in request.steps:
        events.cancel_step_event(step, _("The route has ended."))
    notices.ended(request)
    db.session.commit()


def give_feedback(teacher: User, request: HelpRequest, usefulness: int, feedback: str) -> None:
    if teacher.id != request.teacher_id:
        raise Forbidden(_("Feedback is given by the teacher whose route it was."))
    if request.state is not HelpState.ENDED:
        raise Conflict(_("Feedback is given when the route has ended."))
    if request.feedback_at is not None:
        raise Conflict(_("You have given your feedback already."))
    if not 1 <= usefulness <= 5:
        raise DomainError(_("Choose a mark from 1 to 5."), "usefulness")
    request.usefulness = usefulness
    request.feedback = _text(feedback, 5000, "feedback", _("Write a few words of feedback."))
    request.feedback_at = utcnow()
    notices.feedback_given(request)
    db.session.commit()


def grant_methodologist(coordinator: User, teacher: User, granted: bool) -> None:
    """The coordinator gives a hub teacher the methodical service, or takes it back."""
    if coordinator.role is not Role.COORDINATOR or coordinator.hub_id != teacher.hub_id:
        raise Forbidden(_("The hub's coordinator chooses its methodologists."))
    if teacher.role not in (Role.ADVISOR, Role.TUTOR):
        raise DomainError(_("The methodical service is given to a teacher."))
    held = db.session.get(Methodologist, teacher.id)
    if granted and held is None:
        db.session.add(Methodologist(user_id=teacher.id))
    elif not granted and held is not None:
        db.session.delete(held)
    db.session.commit()
