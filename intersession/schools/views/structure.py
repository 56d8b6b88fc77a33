"""Schools, subjects, the academic year and its sessions."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from intersession.core.access import get_visible_or_404
from intersession.core.collation import by_name, sorted_by_name
from intersession.core.db import db
from intersession.core.forms import ButtonForm
from intersession.schools import services
from intersession.schools.access import can_manage_hub, can_read_hub
from intersession.schools.calendar import year_periods
from intersession.schools.forms import SchoolForm, SessionForm, SubjectForm, YearForm
from intersession.schools.labels import SESSION_LABELS
from intersession.schools.models import SESSION_ORDER, AcademicYear, School, SessionKind, Subject
from intersession.schools.views import apply, bp, delete_then_redirect, require_manager, staff_only


def _hub() -> School:
    hub = db.session.get(School, current_user.hub_id)
    assert hub is not None
    return hub


@bp.get("/schools")
@staff_only
def schools() -> ResponseReturnValue:
    hub = _hub()
    return render_template(
        "schools/schools.html",
        hub=hub,
        magnets=sorted_by_name(hub.magnets, lambda s: s.name),
        delete_form=ButtonForm(),
        can_manage=can_manage_hub(current_user, hub.id),
    )


@bp.route("/schools/new", methods=["GET", "POST"])
@bp.route("/schools/<int:school_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_school(school_id: int | None = None) -> ResponseReturnValue:
    school = None
    if school_id is not None:
        school = get_visible_or_404(
            School, school_id, lambda s: s.hub_school_id == current_user.hub_id
        )
    require_manager(current_user.hub_id)
    form = SchoolForm(obj=school)
    if form.validate_on_submit():
        saved = apply(
            form,
            lambda: services.save_school(
                current_user,
                school,
                name=form.name.data or "",
                district=form.district.data or "",
                timezone=form.timezone.data or "",
            ),
            _("The school has been saved."),
        )
        if saved:
            return redirect(url_for("schools.schools"))
    status = 400 if request.method == "POST" else 200
    return render_template("schools/school_form.html", form=form, school=school), status


@bp.post("/schools/<int:school_id>/delete")
@staff_only
def delete_school(school_id: int) -> ResponseReturnValue:
    school = get_visible_or_404(School, school_id, lambda s: s.hub_school_id == current_user.hub_id)
    require_manager(school.hub_school_id)
    return delete_then_redirect(
        lambda: services.delete_school(current_user, school),
        _("The school has been deleted."),
        url_for("schools.schools"),
    )


@bp.route("/subjects", methods=["GET", "POST"])
@staff_only
def subjects() -> ResponseReturnValue:
    form = SubjectForm()
    if request.method == "POST":
        require_manager(current_user.hub_id)
        if form.validate_on_submit() and apply(
            form,
            lambda: services.save_subject(current_user, None, name=form.name.data or ""),
            _("The subject has been added."),
        ):
            return redirect(url_for("schools.subjects"))
    items = db.session.scalars(
        select(Subject).where(Subject.hub_id == current_user.hub_id).order_by(by_name(Subject.name))
    ).all()
    return render_template(
        "schools/subjects.html",
        form=form,
        subjects=items,
        delete_form=ButtonForm(),
        can_manage=can_manage_hub(current_user, current_user.hub_id),
    ), 400 if form.errors or form.form_errors else 200


@bp.route("/subjects/<int:subject_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_subject(subject_id: int) -> ResponseReturnValue:
    subject = get_visible_or_404(Subject, subject_id, lambda s: s.hub_id == current_user.hub_id)
    require_manager(subject.hub_id)
    form = SubjectForm(obj=subject)
    if form.validate_on_submit() and apply(
        form,
        lambda: services.save_subject(current_user, subject, name=form.name.data or ""),
        _("The subject has been saved."),
    ):
        return redirect(url_for("schools.subjects"))
    status = 400 if request.method == "POST" else 200
    return render_template("schools/subject_form.html", form=form, subject=subject), status


@bp.post("/subjects/<int:subject_id>/delete")
@staff_only
def delete_subject(subject_id: int) -> ResponseReturnValue:
    subject = get_visible_or_404(Subject, subject_id, lambda s: s.hub_id == current_user.hub_id)
    require_manager(subject.hub_id)
    return delete_then_redirect(
        lambda: services.delete_subject(current_user, subject),
        _("The subject has been deleted."),
        url_for("schools.subjects"),
    )


@bp.route("/years", methods=["GET", "POST"])
@login_required
def years() -> ResponseReturnValue:
    """Everyone of the hub sees the years and session dates; the coordinator adds years."""
    form = YearForm()
    if request.method == "POST":
        require_manager(current_user.hub_id)
        if form.validate_on_submit():
            year = apply(
                form,
                lambda: services.save_year(
                    current_user,
                    None,
                    name=form.name.data or "",
                    starts_on=form.starts_on.data,
                    ends_on=form.ends_on.data,
                ),
                _("The academic year has been added."),
            )
            if year:
                return redirect(url_for("schools.year", year_id=year.id))
    items = db.session.scalars(
        select(AcademicYear)
        .where(AcademicYear.hub_id == current_user.hub_id)
        .order_by(AcademicYear.starts_on.desc())
    ).all()
    return render_template(
        "schools/years.html",
        years=items,
        form=form,
        session_labels=SESSION_LABELS,
        can_manage=can_manage_hub(current_user, current_user.hub_id),
    ), 400 if form.errors or form.form_errors else 200


def _year_for_viewer(year_id: int) -> AcademicYear:
    return get_visible_or_404(AcademicYear, year_id, lambda y: can_read_hub(current_user, y.hub_id))


@bp.route("/years/<int:year_id>", methods=["GET", "POST"])
@login_required
def year(year_id: int) -> ResponseReturnValue:
    """The year's page: its dates and the three sessions, each with its own form."""
    year = _year_for_viewer(year_id)
    sessions = {s.kind: s for s in year.sessions}
    forms = {kind: SessionForm(prefix=kind.value, obj=sessions.get(kind)) for kind in SESSION_ORDER}
    year_form = YearForm(prefix="year", obj=year)
    status = 200
    if request.method == "POST":
        require_manager(year.hub_id)
        kind_name = request.form.get("kind", "")
        if kind_name == "year":
            if year_form.validate_on_submit() and apply(
                year_form,
                lambda: services.save_year(
                    current_user,
                    year,
                    name=year_form.name.data or "",
                    starts_on=year_form.starts_on.data,
                    ends_on=year_form.ends_on.data,
                ),
                _("The academic year has been saved."),
            ):
                return redirect(url_for("schools.year", year_id=year.id))
        elif kind_name in {k.value for k in SESSION_ORDER}:
            kind = SessionKind(kind_name)
            form = forms[kind]
            if form.validate_on_submit() and apply(
                form,
                lambda: services.set_session(
                    current_user, year, kind, form.starts_on.data, form.ends_on.data
                ),
                _("The session dates have been saved."),
            ):
                return redirect(url_for("schools.year", year_id=year.id))
        status = 400
    return render_template(
        "schools/year.html",
        year=year,
        periods=year_periods(year),
        forms=forms,
        year_form=year_form,
        session_labels=SESSION_LABELS,
        can_manage=can_manage_hub(current_user, year.hub_id),
    ), status
