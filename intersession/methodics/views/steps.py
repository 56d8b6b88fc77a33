"""A route's steps: adding and changing them, their order, their materials, the teacher marking
one done with a reflection and the mentor confirming it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from intersession.core.db import utcnow
from intersession.core.errors import DomainError, Forbidden
from intersession.core.files import StoredFile, send_stored
from intersession.core.forms import ButtonForm, apply
from intersession.core.resumable.forms import sent_files
from intersession.methodics import events, materials, subscription
from intersession.methodics.access import guides
from intersession.methodics.forms import DoneForm, StepForm, StepOnlineForm, format_choices
from intersession.methodics.models import Format, HelpRequest, HelpState, RouteStep
from intersession.methodics.views import bp
from intersession.methodics.views.common import (
    load_request,
    load_step,
    person_choices,
    render_request,
)


def _back(item: HelpRequest) -> ResponseReturnValue:
    return redirect(url_for("methodics.help_request", help_id=item.id) + "#route")


def _step_page(item: HelpRequest, step: RouteStep | None) -> ResponseReturnValue:
    """The form of a new step or of one not done yet, for the route's mentor or a methodologist."""
    if not guides(current_user, item):
        abort(403)
    if item.state is not HelpState.IN_ROUTE or (step is not None and step.done_at is not None):
        abort(409)
    people = subscription.mentor_choices(item)
    form = StepForm(obj=step if request.method == "GET" else None)
    form.format.choices = format_choices()
    form.responsible.choices = person_choices(people)
    if request.method == "GET" and step is None:
        today = utcnow().astimezone(ZoneInfo(current_user.school.timezone)).date()
        form.planned_on.data = today + timedelta(days=7)
        form.responsible.data = item.mentor_id
    elif request.method == "GET" and step is not None:
        form.format.data = step.format.value
        form.responsible.data = step.responsible_id
    if form.validate_on_submit():
        assert form.planned_on.data is not None
        responsible = next(p for p in people if p.id == form.responsible.data)
        plan = subscription.StepPlan(Format(form.format.data), form.title.data or "",
                                     form.planned_on.data, responsible, form.details.data or "")  # fmt: skip
        if step is None:
            done = apply(form, lambda: subscription.add_step(current_user, item, plan))
        else:
            done = apply(form, lambda: subscription.change_step(current_user, step, plan))
        if done:
            flash(_("The step is saved."), "success")
            return _back(item)
    status = 400 if request.method == "POST" else 200
    return render_template("methodics/step_form.html", form=form, item=item, step=step), status


@bp.route("/<int:help_id>/steps/new", methods=["GET", "POST"])
@login_required
def new_step(help_id: int) -> ResponseReturnValue:
    return _step_page(load_request(help_id), None)


@bp.route("/steps/<int:step_id>/edit", methods=["GET", "POST"])
@login_required
def edit_step(step_id: int) -> ResponseReturnValue:
    step = load_step(step_id)
    return _step_page(step.request, step)


def _button(step: RouteStep, action: str) -> ResponseReturnValue:
    """Run a button's service; a refusal is said on the request's page."""
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    services = {
        "remove": lambda: subscription.remove_step(current_user, step),
        "up": lambda: subscription.move_step(current_user, step, -1),
        "down": lambda: subscription.move_step(current_user, step, 1),
        "confirm": lambda: subscription.confirm_step(current_user, step),
    }
    item = step.request
    if apply(form, services[action]):
        return _back(item)
    flash(" ".join(form.form_errors), "error")
    return render_request(item, 409)


@bp.post("/steps/<int:step_id>/<any(remove, up, down, confirm):action>")
@login_required
def step_action(step_id: int, action: str) -> ResponseReturnValue:
    return _button(load_step(step_id), action)


@bp.post("/steps/<int:step_id>/done")
@login_required
def step_done(step_id: int) -> ResponseReturnValue:
    step = load_step(step_id)
    form = DoneForm()
    reflection = form.reflection.data or ""
    if form.validate_on_submit() and apply(
        form, lambda: subscription.mark_done(current_user, step, reflection)
    ):
        flash(_("The step is marked done: your mentor will confirm it."), "success")
        return _back(step.request)
    return render_request(step.request, 400, done_form=form, failed_step=step.id)


def _material(step: RouteStep, file_id: int) -> StoredFile:
    found = next((f for f in step.materials if f.id == file_id), None)
    if found is None:
        abort(404)
    return found


@bp.post("/steps/<int:step_id>/materials")
@login_required
def add_materials(step_id: int) -> ResponseReturnValue:
    step = load_step(step_id)
    if not guides(current_user, step.request):
        abort(403)
    try:
        added = materials.add_materials(current_user, step, sent_files("files", f"step:{step.id}"))
    except Forbidden:
        abort(403)
    except DomainError as error:
        flash(error.message, "error")
        return render_request(step.request, 400)
    flash(_("Files added: %(n)d.", n=len(added)), "success")
    return _back(step.request)


@bp.get("/steps/<int:step_id>/materials/<int:file_id>")
@login_required
def material(step_id: int, file_id: int) -> ResponseReturnValue:
    return send_stored(_material(load_step(step_id), file_id))


@bp.post("/steps/<int:step_id>/materials/<int:file_id>/delete")
@login_required
def remove_material(step_id: int, file_id: int) -> ResponseReturnValue:
    step = load_step(step_id)
    stored = _material(step, file_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if apply(form, lambda: materials.remove_material(current_user, step, stored)):
        flash(_("The file has been removed."), "success")
        return _back(step.request)
    flash(" ".join(form.form_errors), "error")
    return render_request(step.request, 409)


@bp.post("/steps/<int:step_id>/online")
@login_required
def hold_online(step_id: int) -> ResponseReturnValue:
    """Hold the step in the live room: a closed event for the teacher."""
    step = load_step(step_id)
    form = StepOnlineForm()
    if form.validate_on_submit():
        assert form.day.data is not None and form.start.data is not None
        day, start, minutes = form.day.data, form.start.data, form.duration.data or 0
        if apply(form, lambda: events.hold_step_online(current_user, step, day, start, minutes)):
            flash(_("The step is scheduled in the online room; the teacher is told."), "success")
            return _back(step.request)
    return render_request(step.request, 400, online_form=form, failed_step=step.id)
