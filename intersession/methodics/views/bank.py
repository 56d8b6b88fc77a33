"""The resource bank's pages: search and filters, adding a material, its page with the review,
the downloads, marks and comments; attaching a material to a route's step."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from intersession.auth.models import User
from intersession.core.access import get_visible_or_404
from intersession.core.collation import by_name
from intersession.core.db import db
from intersession.core.errors import NotFound
from intersession.core.files import send_stored
from intersession.core.forms import ButtonForm, apply
from intersession.core.resumable.forms import sent_files
from intersession.methodics import bank
from intersession.methodics.access import is_methodologist, is_teacher
from intersession.methodics.bank_models import Resource, ResourceKind, ResourceState
from intersession.methodics.forms import (
    AttachResourceForm,
    CommentForm,
    RatingForm,
    ResourceForm,
    ReviewForm,
    format_choices,
)
from intersession.methodics.labels import RESOURCE_KIND_LABELS
from intersession.methodics.models import Format
from intersession.methodics.views import bp
from intersession.methodics.views.common import load_step, render_request
from intersession.schools.models import Subject

GRADES = range(0, bank.MAX_GRADE + 1)


def bank_upload_limit(user: object, _object_id: int | None) -> int:
    """What a resumable upload of a material may weigh: the site's limit, for teachers only."""
    if not isinstance(user, User) or not is_teacher(user):
        raise NotFound(_("There is nothing to upload to here."))
    return int(current_app.config["MAX_CONTENT_LENGTH"])


def _subjects() -> list[Subject]:
    return list(db.session.scalars(select(Subject).where(Subject.hub_id == current_user.hub_id)
                                   .order_by(by_name(Subject.name))))  # fmt: skip


def _resource(resource_id: int) -> Resource:
    return get_visible_or_404(Resource, resource_id, lambda r: bank.may_read(current_user, r))


def _staff() -> None:
    if not (is_teacher(current_user) or is_methodologist(current_user)):
        abort(404)


@bp.get("/bank")
@login_required
def bank_page() -> ResponseReturnValue:
    _staff()
    kinds = {k.value for k in ResourceKind}
    formats = {f.value for f in Format}
    search = bank.Search(
        q=(request.args.get("q") or "")[:200],
        subject_id=request.args.get("subject", type=int),
        grade=request.args.get("grade", type=int),
        kind=ResourceKind(request.args["kind"]) if request.args.get("kind") in kinds else None,
        format=Format(request.args["format"]) if request.args.get("format") in formats else None,
    )
    found = bank.published(current_user.hub_id, search)
    return render_template("methodics/bank.html", found=found, search=search, subjects=_subjects(),
                           grades=GRADES, waiting=bank.waiting(current_user.hub_id, current_user),
                           teacher=is_teacher(current_user))  # fmt: skip


def _choices(form: ResourceForm) -> list[Subject]:
    subjects = _subjects()
    form.kind.choices = [SelectChoice(k.value, str(label)) for k, label in RESOURCE_KIND_LABELS.items()]  # fmt: skip
    form.subject.choices = [SelectChoice(0, _("Not about one subject")),
                            *(SelectChoice(s.id, s.name) for s in subjects)]  # fmt: skip
    form.grade.choices = [SelectChoice(-1, _("Any grade")), *(SelectChoice(g, str(g)) for g in GRADES)]  # fmt: skip
    form.format.choices = format_choices(_("Any form"))
    return subjects


def _plan(form: ResourceForm, subjects: list[Subject]) -> bank.ResourcePlan:
    return bank.ResourcePlan(
        title=form.title.data or "", kind=ResourceKind(form.kind.data),
        description=form.description.data or "",
        subject=next((s for s in subjects if s.id == form.subject.data), None),
        grade=form.grade.data if form.grade.data is not None and form.grade.data >= 0 else None,
        theme=form.theme.data or "", format=Format(form.format.data) if form.format.data else None,
        link=form.link.data or "",
    )  # fmt: skip


@bp.route("/bank/new", methods=["GET", "POST"])
@login_required
def new_resource() -> ResponseReturnValue:
    if not is_teacher(current_user):
        abort(404)
    form = ResourceForm()
    subjects = _choices(form)
    if form.validate_on_submit():
        plan = _plan(form, subjects)
        made = apply(form, lambda: bank.submit_resource(current_user, plan, sent_files("files", "bank")))  # fmt: skip
        if made:
            flash(_("The material is sent for review: a methodologist will publish it."), "success")  # fmt: skip
            return redirect(url_for("methodics.resource", resource_id=made.id))
    status = 400 if request.method == "POST" else 200
    return render_template("methodics/resource_form.html", form=form, item=None), status


@bp.route("/bank/<int:resource_id>/edit", methods=["GET", "POST"])
@login_required
def edit_resource(resource_id: int) -> ResponseReturnValue:
    item = _resource(resource_id)
    if item.author_id != current_user.id:
        abort(403)
    if item.state is ResourceState.PUBLISHED:
        abort(409)
    form = ResourceForm(obj=item if request.method == "GET" else None)
    subjects = _choices(form)
    if request.method == "GET":
        form.kind.data, form.subject.data = item.kind.value, item.subject_id or 0
        form.grade.data = item.grade if item.grade is not None else -1
        form.format.data = item.format.value if item.format else ""
    if form.validate_on_submit():
        plan = _plan(form, subjects)
        if apply(form, lambda: bank.change_resource(current_user, item, plan)):
            flash(_("The material is sent for review again."), "success")
            return redirect(url_for("methodics.resource", resource_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("methodics/resource_form.html", form=form, item=item), status


def render_resource(item: Resource, status: int = 200, **forms: Any) -> ResponseReturnValue:
    forms.setdefault("review_form", ReviewForm())
    forms.setdefault("rating_form", RatingForm())
    forms.setdefault("comment_form", CommentForm())
    mine = next((r.stars for r in item.ratings if r.teacher_id == current_user.id), None)
    return render_template(
        "methodics/resource.html", item=item, button=ButtonForm(), my_stars=mine,
        methodologist=is_methodologist(current_user, item.hub_id), teacher=is_teacher(current_user),
        **forms,
    ), status  # fmt: skip


@bp.get("/bank/<int:resource_id>")
@login_required
def resource(resource_id: int) -> ResponseReturnValue:
    return render_resource(_resource(resource_id))


@bp.post("/bank/<int:resource_id>/review")
@login_required
def review(resource_id: int) -> ResponseReturnValue:
    """The methodologist's decision: the button pressed says which."""
    item = _resource(resource_id)
    form = ReviewForm()
    decision = request.form.get("decision")
    if decision not in ("publish", "return"):
        form.form_errors.append(_("Choose to publish the material or to return it."))
        return render_resource(item, 400, review_form=form)
    publish = decision == "publish"
    if form.validate_on_submit() and apply(
        form, lambda: bank.review_resource(current_user, item, publish, form.note.data or "")
    ):
        flash(_("The material is published.") if publish else _("The material is returned to its author."), "success")  # fmt: skip
        return redirect(url_for("methodics.resource", resource_id=item.id))
    return render_resource(item, 400, review_form=form)


@bp.post("/bank/<int:resource_id>/rate")
@login_required
def rate(resource_id: int) -> ResponseReturnValue:
    item = _resource(resource_id)
    form = RatingForm()
    if form.validate_on_submit() and apply(
        form, lambda: bank.rate_resource(current_user, item, int(form.stars.data or 0))
    ):
        flash(_("Thank you for your mark."), "success")
        return redirect(url_for("methodics.resource", resource_id=item.id))
    return render_resource(item, 400, rating_form=form)


@bp.post("/bank/<int:resource_id>/comment")
@login_required
def comment(resource_id: int) -> ResponseReturnValue:
    item = _resource(resource_id)
    form = CommentForm()
    if form.validate_on_submit() and apply(
        form, lambda: bank.comment_resource(current_user, item, form.text.data or "")
    ):
        return redirect(url_for("methodics.resource", resource_id=item.id) + "#comments")
    return render_resource(item, 400, comment_form=form)


@bp.post("/bank/<int:resource_id>/remove")
@login_required
def remove_resource(resource_id: int) -> ResponseReturnValue:
    item = _resource(resource_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if apply(ButtonForm(), lambda: bank.remove_resource(current_user, item)):
        flash(_("The material has been removed."), "success")
    return redirect(url_for("methodics.bank_page"))


@bp.get("/bank/<int:resource_id>/files/<int:file_id>")
@login_required
def resource_file(resource_id: int, file_id: int) -> ResponseReturnValue:
    item = _resource(resource_id)
    stored = bank.file_of(item, file_id)
    if stored is None:
        abort(404)
    if item.state is ResourceState.PUBLISHED and request.headers.get("Range") is None:
        bank.count_download(item)  # a resumed part of a download is not another download
    return send_stored(stored)


@bp.post("/steps/<int:step_id>/resources")
@login_required
def attach_resource(step_id: int) -> ResponseReturnValue:
    step = load_step(step_id)
    form = AttachResourceForm()
    found = bank.published(step.request.hub_id, bank.Search(), limit=bank.ATTACHABLE)
    form.resource.choices = [SelectChoice(r.id, r.title) for r in found]
    if form.validate_on_submit():
        chosen = db.session.get(Resource, form.resource.data)
        assert chosen is not None
        if apply(form, lambda: bank.attach_to_step(current_user, step, chosen)):
            flash(_("The material is attached to the step."), "success")
            return redirect(url_for("methodics.help_request", help_id=step.request.id) + "#route")
    flash(" ".join([*form.form_errors, *form.resource.errors]) or _("Choose a material."), "error")
    return render_request(step.request, 400)
