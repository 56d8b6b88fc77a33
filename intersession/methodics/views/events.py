"""Events for teachers: the list with registration, and scheduling one; the event itself (its
room, register and recording) is the lesson's page."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from intersession.auth.models import Role, User
from intersession.core.access import get_visible_or_404
from intersession.core.collation import by_name
from intersession.core.db import db, utcnow
from intersession.core.forms import ButtonForm, apply
from intersession.lessons.access import can_view_lesson
from intersession.methodics import bank, events
from intersession.methodics.access import TEACHERS, is_methodologist, is_teacher
from intersession.methodics.bank_models import Resource
from intersession.methodics.community_models import Community
from intersession.methodics.events_models import EventFormat, TeacherEvent
from intersession.methodics.forms import AttachResourceForm, EventForm
from intersession.methodics.labels import EVENT_FORMAT_LABELS
from intersession.methodics.views import bp
from intersession.methodics.views.common import person_choices
from intersession.schools.models import Subject, in_hub


@bp.get("/events")
@login_required
def events_page() -> ResponseReturnValue:
    methodologist = is_methodologist(current_user)
    if not (methodologist or is_teacher(current_user)):
        abort(404)
    now = utcnow()
    attach = AttachResourceForm()
    attach.resource.choices = _attachable()
    shown = [e for e in events.events_of(current_user.hub_id) if events.may_see(current_user, e)]
    coming = sorted(
        (e for e in shown if e.lesson.held_until > now), key=lambda e: e.lesson.starts_at
    )
    past = [e for e in shown if e.lesson.held_until <= now][:50]
    return render_template(
        "methodics/events.html", coming=coming, past=past, button=ButtonForm(),
        methodologist=methodologist, teacher=is_teacher(current_user), now=now,
        registered={e.lesson_id for e in shown if events.registered(e, current_user)},
        viewable={e.lesson_id for e in shown if can_view_lesson(current_user, e.lesson)},
        attach_form=attach, attachable={e.lesson_id for e in coming if _may_attach(e)},
    )  # fmt: skip


def _attachable() -> list[SelectChoice]:
    found = bank.published(current_user.hub_id, bank.Search(), limit=bank.ATTACHABLE)
    return [SelectChoice(r.id, r.title) for r in found]


def _may_attach(event: TeacherEvent) -> bool:
    return event.lesson.advisor_id == current_user.id or is_methodologist(
        current_user, event.hub_id
    )


@bp.post("/events/<int:event_id>/resources")
@login_required
def event_resource(event_id: int) -> ResponseReturnValue:
    event = get_visible_or_404(TeacherEvent, event_id, lambda e: events.may_see(current_user, e))
    form = AttachResourceForm()
    form.resource.choices = _attachable()
    if form.validate_on_submit():
        chosen = db.session.get(Resource, form.resource.data)
        assert chosen is not None
        if apply(form, lambda: events.attach_resource(current_user, event, chosen)):
            flash(_("The material is attached to the event."), "success")
            return redirect(url_for("methodics.events_page"))
    message = " ".join([*form.form_errors, *form.resource.errors]) or _("Choose a material.")
    return render_template("error.html", status=400, title=_("Cannot attach"), message=message), 400


def _teachers() -> list[User]:
    query = (
        select(User).join(User.school)
        .where(in_hub(current_user.hub_id), User.role.in_((*TEACHERS, Role.COORDINATOR)), User.active.is_(True))
        .order_by(by_name(User.full_name))
    )  # fmt: skip
    return list(db.session.scalars(query))


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def new_event() -> ResponseReturnValue:
    if not is_methodologist(current_user):
        abort(404)
    people = _teachers()
    teachers = [p for p in people if p.role in TEACHERS]
    subjects = list(db.session.scalars(select(Subject).where(Subject.hub_id == current_user.hub_id)
                                       .order_by(by_name(Subject.name))))  # fmt: skip
    form = EventForm()
    form.format.choices = [SelectChoice(f.value, str(label)) for f, label in EVENT_FORMAT_LABELS.items()]  # fmt: skip
    form.presenter.choices = person_choices(people)
    form.subject.choices = [SelectChoice(0, _("Not about one subject")), *(SelectChoice(s.id, s.name) for s in subjects)]  # fmt: skip
    form.invited.choices = person_choices(teachers)
    groups = list(db.session.scalars(select(Community).where(Community.hub_id == current_user.hub_id)
                                     .order_by(by_name(Community.name))))  # fmt: skip
    form.community.choices = [SelectChoice(0, _("No community")), *(SelectChoice(c.id, c.name) for c in groups)]  # fmt: skip
    if request.method == "GET":
        zone = ZoneInfo(current_user.school.timezone)
        form.day.data = utcnow().astimezone(zone).date() + timedelta(days=7)
        form.presenter.data = current_user.id
    if form.validate_on_submit():
        assert form.day.data is not None and form.start.data is not None
        plan = events.EventPlan(
            title=form.title.data or "", format=EventFormat(form.format.data),
            presenter=next(p for p in people if p.id == form.presenter.data),
            day=form.day.data, start=form.start.data, minutes=form.duration.data or 0,
            open=bool(form.open.data), invited=[t for t in teachers if t.id in (form.invited.data or [])],
            subject=next((s for s in subjects if s.id == form.subject.data), None),
            description=form.description.data or "",
            community=next((c for c in groups if c.id == form.community.data), None),
        )  # fmt: skip
        made = apply(form, lambda: events.schedule_event(current_user, plan))
        if made:
            flash(_("The event is scheduled."), "success")
            return redirect(url_for("methodics.events_page"))
    status = 400 if request.method == "POST" else 200
    return render_template("methodics/event_form.html", form=form), status


@bp.post("/events/<int:event_id>/<any(register, unregister):action>")
@login_required
def event_place(event_id: int, action: str) -> ResponseReturnValue:
    event = get_visible_or_404(TeacherEvent, event_id, lambda e: events.may_see(current_user, e))
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    change = events.register_for if action == "register" else events.unregister_from
    if apply(form, lambda: change(current_user, event)):
        flash(_("You are registered: the event is in your calendar.") if action == "register"
              else _("Your place is given back."), "success")  # fmt: skip
        return redirect(url_for("methodics.events_page"))
    flash(" ".join(form.form_errors), "error")
    return render_template("error.html", status=409, title=_("Cannot register"),
                           message=" ".join(form.form_errors)), 409  # fmt: skip
