"""One pupil's portfolio for their tutor, advisors and the coordinator, and the search across
schools (the coordinator's; an advisor's over their cohorts)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from intersession.auth.models import Role, User
from intersession.core.collation import by_name
from intersession.core.db import db
from intersession.core.forms import ButtonForm
from intersession.portfolio import overviews
from intersession.portfolio.access import readable_states
from intersession.portfolio.export import can_export, exports_of
from intersession.portfolio.models import EntryKind, EntryState, Level, PortfolioEntry, Result
from intersession.portfolio.views import bp
from intersession.schools.models import AcademicYear, School, in_hub


@bp.get("/portfolio/pupils/<int:pupil_id>")
@login_required
def pupil_portfolio(pupil_id: int) -> ResponseReturnValue:
    if current_user.role is Role.PUPIL:
        if pupil_id == current_user.id:
            return redirect(url_for("portfolio.portfolio"))
        abort(404)
    pupil = db.session.scalar(overviews.pupils_of(current_user).where(User.id == pupil_id))
    if pupil is None:
        abort(404)
    # The list shows what opens by id (the same rule), less versions replaced by newer ones.
    shown = readable_states(current_user) - {EntryState.SUPERSEDED}
    entries = db.session.scalars(
        select(PortfolioEntry)
        .where(PortfolioEntry.pupil_id == pupil.id, PortfolioEntry.state.in_(sorted(shown)))
        .order_by(PortfolioEntry.happened_on.desc(), PortfolioEntry.id.desc())
    ).all()
    exportable = can_export(current_user, pupil)
    return render_template("portfolio/pupil.html", pupil=pupil, entries=entries,
                           by_kind=request.args.get("by") == "kind", export_form=ButtonForm(),
                           exports=exports_of(pupil) if exportable else [], exportable=exportable)  # fmt: skip


def _choice(name: str, values: type[EntryKind] | type[Level] | type[Result]) -> str | None:
    value = request.args.get(name, "")
    return value if value in {v.value for v in values} else None


def _number(name: str) -> int | None:
    number: int | None = request.args.get(name, type=int)
    return number


@bp.get("/portfolio/search")
@login_required
def search() -> ResponseReturnValue:
    """Verified entries with filters: kind, level, result, school, grade, academic year."""
    if current_user.role not in (Role.COORDINATOR, Role.ADVISOR):
        abort(404)
    kind, level, result = (
        _choice("kind", EntryKind),
        _choice("level", Level),
        _choice("result", Result),
    )
    years = db.session.scalars(
        select(AcademicYear).where(AcademicYear.hub_id == current_user.hub_id)
        .order_by(AcademicYear.starts_on.desc())
    ).all()  # fmt: skip
    year = next((y for y in years if y.id == _number("year")), None)
    schools = db.session.scalars(
        select(School).where(in_hub(current_user.hub_id))
        .order_by(by_name(School.name))
    ).all()  # fmt: skip
    school = next((s for s in schools if s.id == _number("school")), None)
    filters = overviews.Filters(
        kind=EntryKind(kind) if kind else None, level=Level(level) if level else None,
        result=Result(result) if result else None, school_id=school.id if school else None,
        grade=_number("grade"), starts_on=year.starts_on if year else None,
        ends_on=year.ends_on if year else None,
    )  # fmt: skip
    entries = overviews.search(current_user, filters)
    return render_template("portfolio/search.html", entries=entries, years=years, schools=schools,
                           chosen=request.args, kinds=EntryKind, levels=Level, results=Result)  # fmt: skip
