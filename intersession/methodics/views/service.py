"""The hub's methodical service: the coordinator gives it to teachers, or takes it back."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from intersession.auth.models import Role, User
from intersession.core.access import get_visible_or_404
from intersession.core.collation import by_name
from intersession.core.db import db
from intersession.core.forms import ButtonForm, apply
from intersession.methodics import subscription
from intersession.methodics.access import TEACHERS, methodologists_of
from intersession.methodics.forms import GrantForm
from intersession.methodics.views import bp
from intersession.methodics.views.common import person_choices
from intersession.schools.models import in_hub


def _hub_teachers() -> list[User]:
    query = (
        select(User)
        .join(User.school)
        .where(in_hub(current_user.hub_id), User.role.in_(TEACHERS), User.active.is_(True))
        .order_by(by_name(User.full_name))
    )
    return list(db.session.scalars(query))


@bp.route("/service", methods=["GET", "POST"])
@login_required
def service() -> ResponseReturnValue:
    if current_user.role is not Role.COORDINATOR:
        abort(404)
    holders = methodologists_of(current_user.hub_id)
    others = [t for t in _hub_teachers() if t not in holders]
    form = GrantForm()
    form.teacher.choices = person_choices(others)
    if form.validate_on_submit():
        teacher = next(t for t in others if t.id == form.teacher.data)
        if apply(form, lambda: subscription.grant_methodologist(current_user, teacher, True)):
            flash(_("%(name)s now holds the methodical service.", name=teacher.full_name), "success")  # fmt: skip
            return redirect(url_for("methodics.service"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "methodics/service.html", form=form, holders=holders, button=ButtonForm(),
        has_others=bool(others),
    ), status  # fmt: skip


@bp.post("/service/<int:person_id>/revoke")
@login_required
def revoke(person_id: int) -> ResponseReturnValue:
    if current_user.role is not Role.COORDINATOR:
        abort(404)
    teacher = get_visible_or_404(
        User, person_id, lambda u: u.hub_id == current_user.hub_id and u.role in TEACHERS
    )
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    apply(form, lambda: subscription.grant_methodologist(current_user, teacher, False))
    flash(_("%(name)s no longer holds the methodical service.", name=teacher.full_name), "success")
    return redirect(url_for("methodics.service"))
