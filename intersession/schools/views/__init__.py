"""The hub's structure pages: schools, people, cohorts, the year, the plan, CSV imports."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from intersession.core.db import db
from intersession.core.forms import ButtonForm, apply
from intersession.schools.access import can_manage_hub, can_read_staff_pages
from intersession.schools.models import AcademicYear

bp = Blueprint("schools", __name__, template_folder="../templates")
F = TypeVar("F", bound=Callable[..., Any])


def staff_only(view: F) -> F:
    """Pages of the hub's staff; to a pupil they do not exist."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not can_read_staff_pages(current_user, current_user.hub_id):
            abort(404)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def require_manager(hub_id: int) -> None:
    """Staff who may read but not change get 403; the object is visible to them."""
    if not can_manage_hub(current_user, hub_id):
        abort(403)


def delete_then_redirect(
    action: Callable[[], Any], success: str, target: str
) -> ResponseReturnValue:
    """A delete button's view: do it and go back, or say plainly why it cannot be done (409)."""

    form = ButtonForm()
    if form.validate_on_submit() and apply(form, action, success):
        return redirect(target)
    message = " ".join(form.form_errors)
    return render_template("error.html", status=409, title=_("Cannot delete"), message=message), 409


def hub_years() -> list[AcademicYear]:
    """The viewer's hub's academic years, the latest first."""
    return list(
        db.session.scalars(
            select(AcademicYear)
            .where(AcademicYear.hub_id == current_user.hub_id)
            .order_by(AcademicYear.starts_on.desc())
        )
    )


def chosen_year(years: list[AcademicYear]) -> AcademicYear | None:
    """The year asked for in ?year=, else the latest."""
    wanted = request.args.get("year", type=int)
    return next((y for y in years if y.id == wanted), years[0] if years else None)


from intersession.schools.views import cohorts, imports, people, plan, structure  # noqa: E402, F401
