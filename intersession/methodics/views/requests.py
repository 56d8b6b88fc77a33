"""Requests for methodical help: the lists, asking, the diagnosis, the route's end and the
teacher's feedback."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, func, or_, select
from wtforms.fields.choices import SelectChoice

from intersession.auth.models import Role, User
from intersession.core.collation import by_name
from intersession.core.db import db
from intersession.core.forms import ButtonForm, apply
from intersession.methodics import subscription
from intersession.methodics.access import is_methodologist, is_teacher
from intersession.methodics.forms import (
    AskForm,
    DiagnosisForm,
    EndForm,
    FeedbackForm,
    format_choices,
)
from intersession.methodics.models import (
    DeficitKind,
    Format,
    HelpRequest,
    HelpState,
    RouteResult,
    RouteStep,
)
from intersession.methodics.views import bp
from intersession.methodics.views.common import load_request, person_choices, render_request
from intersession.schools.models import School, Subject, in_hub

LIST_LIMIT = 200


def newest(query: Select[HelpRequest]) -> list[HelpRequest]:
    ordered = query.order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())
    return list(db.session.scalars(ordered.limit(LIST_LIMIT)))


def guided_by(user: User) -> Select[HelpRequest]:
    responsible = select(RouteStep.request_id).where(RouteStep.responsible_id == user.id)
    return select(HelpRequest).where(
        or_(HelpRequest.mentor_id == user.id, HelpRequest.id.in_(responsible)),
        HelpRequest.teacher_id != user.id,
        HelpRequest.state != HelpState.WITHDRAWN,
    )


def _hub_requests(hub_id: int) -> tuple[list[HelpRequest], dict[str, int], list[School], dict[str, object]]:  # fmt: skip
    """The methodologist's list: the hub's requests, by state and by the teacher's school."""
    query = select(HelpRequest).where(HelpRequest.hub_id == hub_id)
    counted = select(HelpRequest.state, func.count()).where(HelpRequest.hub_id == hub_id)
    counts = {
        state.value: n for state, n in db.session.execute(counted.group_by(HelpRequest.state))
    }
    schools = list(db.session.scalars(
        select(School).where(in_hub(hub_id)).order_by(School.kind, by_name(School.name))))  # fmt: skip
    state = request.args.get("state", "")
    school_id = request.args.get("school", type=int)
    if state in {s.value for s in HelpState}:
        query = query.where(HelpRequest.state == state)
    else:
        state = ""
    if school_id is not None and any(s.id == school_id for s in schools):
        query = query.where(HelpRequest.teacher.has(User.school_id == school_id))
    else:
        school_id = None
    return newest(query), counts, schools, {"state": state, "school": school_id}


@bp.get("")
@login_required
def requests_page() -> ResponseReturnValue:
    """A teacher's own requests and the routes they guide; the hub's, for its methodologists."""
    if current_user.role not in (Role.ADVISOR, Role.TUTOR, Role.COORDINATOR):
        abort(404)
    mine = newest(select(HelpRequest).where(HelpRequest.teacher_id == current_user.id))
    guided = newest(guided_by(current_user))
    hub: list[HelpRequest] = []
    counts: dict[str, int] = {}
    schools: list[School] = []
    chosen: dict[str, object] = {}
    if is_methodologist(current_user):
        hub, counts, schools, chosen = _hub_requests(current_user.hub_id)
    return render_template(
        "methodics/requests.html", mine=mine, guided=guided, hub=hub, counts=counts,
        schools=schools, chosen=chosen, states=HelpState,
        methodologist=is_methodologist(current_user), teacher=is_teacher(current_user),
    )  # fmt: skip


@bp.route("/ask", methods=["GET", "POST"])
@login_required
def ask() -> ResponseReturnValue:
    if not is_teacher(current_user):
        abort(404)
    subjects = list(db.session.scalars(
        select(Subject).where(Subject.hub_id == current_user.hub_id).order_by(by_name(Subject.name))))  # fmt: skip
    form = AskForm()
    form.subject.choices = [SelectChoice(0, _("Not about one subject")),
                            *(SelectChoice(s.id, s.name) for s in subjects)]  # fmt: skip
    form.preferred_format.choices = format_choices(_("Any form"))
    if form.validate_on_submit():
        asked = subscription.Asked(
            subject=next((s for s in subjects if s.id == form.subject.data), None),
            difficulty=form.difficulty.data or "",
            preferred_format=Format(form.preferred_format.data) if form.preferred_format.data else None,
            preferred_time=form.preferred_time.data or "",
        )  # fmt: skip
        made = apply(form, lambda: subscription.ask_for_help(current_user, asked))
        if made:
            flash(_("Your request has been sent to the methodical service."), "success")
            return redirect(url_for("methodics.help_request", help_id=made.id))
    status = 400 if request.method == "POST" else 200
    return render_template("methodics/ask.html", form=form), status


@bp.get("/<int:help_id>")
@login_required
def help_request(help_id: int) -> ResponseReturnValue:
    return render_request(load_request(help_id))


@bp.post("/<int:help_id>/withdraw")
@login_required
def withdraw(help_id: int) -> ResponseReturnValue:
    item = load_request(help_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if apply(form, lambda: subscription.withdraw(current_user, item)):
        flash(_("The request has been taken back."), "success")
        return redirect(url_for("methodics.help_request", help_id=item.id))
    flash(" ".join(form.form_errors), "error")
    return render_request(item, 409)


def _deficit_lines(text: str | None) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


@bp.route("/<int:help_id>/diagnosis", methods=["GET", "POST"])
@login_required
def diagnose(help_id: int) -> ResponseReturnValue:
    item = load_request(help_id)
    if not is_methodologist(current_user, item.hub_id) or item.teacher_id == current_user.id:
        abort(403)
    if item.state in (HelpState.ENDED, HelpState.WITHDRAWN):
        abort(409)
    mentors = subscription.mentor_choices(item)
    form = DiagnosisForm()
    form.mentor.choices = person_choices(mentors)
    if request.method == "GET" and item.deficits:
        form.subject_deficits.data = "\n".join(
            d.description for d in item.deficits if d.kind is DeficitKind.SUBJECT)  # fmt: skip
        form.methodical_deficits.data = "\n".join(
            d.description for d in item.deficits if d.kind is DeficitKind.METHODICAL)  # fmt: skip
        form.mentor.data = item.mentor_id
    if form.validate_on_submit():
        found = [(DeficitKind.SUBJECT, line) for line in _deficit_lines(form.subject_deficits.data)]
        found += [(DeficitKind.METHODICAL, line) for line in _deficit_lines(form.methodical_deficits.data)]  # fmt: skip
        mentor = next(m for m in mentors if m.id == form.mentor.data)
        if apply(form, lambda: subscription.diagnose(current_user, item, found, mentor)):
            flash(_("The diagnosis is saved: build the route now."), "success")
            return redirect(url_for("methodics.help_request", help_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("methodics/diagnosis.html", form=form, item=item), status


@bp.post("/<int:help_id>/end")
@login_required
def end_route(help_id: int) -> ResponseReturnValue:
    item = load_request(help_id)
    form = EndForm()
    if form.validate_on_submit():
        result = RouteResult(form.result.data)
        if apply(form, lambda: subscription.end_route(current_user, item, result, form.note.data or "")):  # fmt: skip
            flash(_("The route has ended."), "success")
            return redirect(url_for("methodics.help_request", help_id=item.id))
    return render_request(item, 400, end_form=form)


@bp.route("/<int:help_id>/feedback", methods=["GET", "POST"])
@login_required
def feedback(help_id: int) -> ResponseReturnValue:
    """The request's page, where the ended route's notice leads, and the feedback it takes."""
    item = load_request(help_id)
    if request.method == "GET":
        return render_request(item)
    form = FeedbackForm()
    if form.validate_on_submit():
        mark = int(form.usefulness.data or 0)
        if apply(form, lambda: subscription.give_feedback(current_user, item, mark, form.feedback.data or "")):  # fmt: skip
            flash(_("Thank you for your feedback."), "success")
            return redirect(url_for("methodics.help_request", help_id=item.id))
    return render_request(item, 400, feedback_form=form)
