"""Cohorts with their pupils and advisors."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from intersession.auth.models import Role, User
from intersession.core.access import get_visible_or_404
from intersession.core.collation import by_name, sorted_by_name
from intersession.core.db import db
from intersession.core.forms import ButtonForm
from intersession.schools import cohorts as cohort_services
from intersession.schools.access import can_manage_hub, can_view_cohort
from intersession.schools.forms import (
    CohortForm,
    CohortPupilsForm,
    TeachingForm,
    options,
)
from intersession.schools.models import (
    Cohort,
    School,
    Subject,
    TeachingAssignment,
    in_hub,
)
from intersession.schools.views import (
    apply,
    bp,
    chosen_year,
    delete_then_redirect,
    hub_years,
    require_manager,
    staff_only,
)


@bp.route("/cohorts", methods=["GET", "POST"])
@staff_only
def cohorts() -> ResponseReturnValue:
    years = hub_years()
    year = chosen_year(years)
    form = CohortForm()
    if request.method == "POST":
        require_manager(current_user.hub_id)
        if year is None:
            abort(404)
        if form.validate_on_submit() and apply(
            form,
            lambda: cohort_services.save_cohort(
                current_user, None, year=year, name=form.name.data or "", grade=form.grade.data or 0
            ),
            _("The cohort has been added."),
        ):
            return redirect(url_for("schools.cohorts", year=year.id))
    items = (
        db.session.scalars(
            select(Cohort)
            .where(Cohort.year_id == year.id)
            .order_by(Cohort.grade, by_name(Cohort.name))
        ).all()
        if year
        else []
    )
    return render_template(
        "schools/cohorts.html",
        cohorts=items,
        years=years,
        year=year,
        form=form,
        can_manage=can_manage_hub(current_user, current_user.hub_id),
    ), 400 if form.errors or form.form_errors else 200


def _cohort(cohort_id: int) -> Cohort:
    return get_visible_or_404(Cohort, cohort_id, lambda c: can_view_cohort(current_user, c))


@bp.route("/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@staff_only
def cohort(cohort_id: int) -> ResponseReturnValue:
    """A cohort: its pupils (chosen from the hub's pupils of its grade) and who teaches it what."""
    cohort = _cohort(cohort_id)
    hub_id = cohort.year.hub_id
    candidates = db.session.scalars(
        select(User)
        .join(User.school)
        .where(
            User.role == Role.PUPIL,
            User.grade == cohort.grade,
            User.active.is_(True),
            in_hub(hub_id),
        )
        .order_by(by_name(School.name), School.id, by_name(User.full_name))
    ).all()
    pupils_form = CohortPupilsForm(prefix="pupils")
    pupils_form.pupils.choices = options(
        (p.id, f"{p.full_name} — {p.school.name}") for p in candidates
    )
    teaching_form = TeachingForm(prefix="teaching")
    advisors = db.session.scalars(
        select(User)
        .where(User.role == Role.ADVISOR, User.school_id == hub_id)
        .order_by(by_name(User.full_name))
    )
    teaching_form.advisor.choices = options((a.id, a.full_name) for a in advisors)
    subjects = db.session.scalars(
        select(Subject).where(Subject.hub_id == hub_id).order_by(by_name(Subject.name))
    )
    teaching_form.subject.choices = options((s.id, s.name) for s in subjects)
    cohort_form = CohortForm(prefix="cohort", obj=cohort)
    status = 200
    if request.method == "POST":
        require_manager(hub_id)
        by_id = {p.id: p for p in candidates}
        if request.form.get("part") == "cohort" and cohort_form.validate_on_submit():
            name, grade = cohort_form.name.data or "", cohort_form.grade.data or 0
            if apply(
                cohort_form,
                lambda: cohort_services.save_cohort(
                    current_user, cohort, year=cohort.year, name=name, grade=grade
                ),
                _("The cohort has been saved."),
            ):
                return redirect(url_for("schools.cohort", cohort_id=cohort.id))
        if request.form.get("part") == "pupils" and pupils_form.validate_on_submit():
            chosen = [by_id[i] for i in pupils_form.pupils.data or [] if i in by_id]
            if apply(
                pupils_form,
                lambda: cohort_services.set_cohort_pupils(current_user, cohort, chosen),
                _("The cohort's pupils have been saved."),
            ):
                return redirect(url_for("schools.cohort", cohort_id=cohort.id))
        elif request.form.get("part") == "teaching" and teaching_form.validate_on_submit():
            advisor = db.session.get(User, teaching_form.advisor.data)
            subject = db.session.get(Subject, teaching_form.subject.data)
            if (
                advisor
                and subject
                and apply(
                    teaching_form,
                    lambda: cohort_services.add_teaching(current_user, advisor, cohort, subject),
                    _("The advisor has been assigned."),
                )
            ):
                return redirect(url_for("schools.cohort", cohort_id=cohort.id))
        status = 400
    elif request.method == "GET":
        pupils_form.pupils.data = [p.id for p in cohort.pupils]
    teaching = sorted_by_name(
        db.session.scalars(
            select(TeachingAssignment)
            .where(TeachingAssignment.cohort_id == cohort.id)
            .order_by(TeachingAssignment.id)
        ),
        lambda t: t.subject.name,
        lambda t: t.advisor.full_name,
    )
    return render_template(
        "schools/cohort.html",
        cohort=cohort,
        cohort_form=cohort_form,
        pupils_form=pupils_form,
        teaching_form=teaching_form,
        teaching=teaching,
        delete_form=ButtonForm(),
        can_manage=can_manage_hub(current_user, hub_id),
    ), status


@bp.post("/cohorts/<int:cohort_id>/delete")
@staff_only
def delete_cohort(cohort_id: int) -> ResponseReturnValue:
    cohort = _cohort(cohort_id)
    year_id = cohort.year_id
    require_manager(cohort.year.hub_id)
    return delete_then_redirect(
        lambda: cohort_services.delete_cohort(current_user, cohort),
        _("The cohort has been deleted."),
        url_for("schools.cohorts", year=year_id),
    )


@bp.post("/teaching/<int:teaching_id>/delete")
@staff_only
def delete_teaching(teaching_id: int) -> ResponseReturnValue:
    teaching = get_visible_or_404(
        TeachingAssignment, teaching_id, lambda t: can_view_cohort(current_user, t.cohort)
    )
    require_manager(teaching.cohort.year.hub_id)
    cohort_id = teaching.cohort_id
    return delete_then_redirect(
        lambda: cohort_services.remove_teaching(current_user, teaching),
        _("The teacher has been removed from the cohort."),
        url_for("schools.cohort", cohort_id=cohort_id),
    )
