"""The hub's people: lists scoped to the viewer, the coordinator's forms and actions."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, func, select

from intersession.auth.labels import ROLE_LABELS
from intersession.auth.models import Language, Role, User
from intersession.core.access import get_visible_or_404
from intersession.core.collation import by_name, matches_search
from intersession.core.db import db
from intersession.core.forms import ButtonForm
from intersession.schools import people as people_services
from intersession.schools.access import can_manage_hub, can_view_person
from intersession.schools.forms import PersonForm, options
from intersession.schools.models import School, TeachingAssignment, cohort_pupil, in_hub
from intersession.schools.views import apply, bp, require_manager, staff_only

PAGE_SIZE = 50


def _hub_schools() -> list[School]:
    hub_id = current_user.hub_id
    return list(
        db.session.scalars(
            select(School).where(in_hub(hub_id)).order_by(School.kind, by_name(School.name))
        )
    )


def _schools_in(scope: Select[User]) -> list[School]:
    """The schools the filter offers: those of the people the viewer may see (a tutor: their
    own school alone), not every school of the hub."""
    ids = scope.with_only_columns(User.school_id).distinct()
    return list(
        db.session.scalars(
            select(School).where(School.id.in_(ids)).order_by(School.kind, by_name(School.name))
        )
    )


def _scoped_people() -> Select[User]:
    """The people this viewer may see, as a query to filter further."""
    query = select(User).join(User.school).where(in_hub(current_user.hub_id))
    if current_user.role is Role.TUTOR:
        query = query.where(User.role == Role.PUPIL, User.school_id == current_user.school_id)
    elif current_user.role is Role.ADVISOR:
        taught = (
            select(cohort_pupil.c.pupil_id)
            .join(TeachingAssignment, TeachingAssignment.cohort_id == cohort_pupil.c.cohort_id)
            .where(TeachingAssignment.advisor_id == current_user.id)
        )
        query = query.where(User.role == Role.PUPIL, User.id.in_(taught))
    return query


@bp.get("/people")
@staff_only
def people() -> ResponseReturnValue:
    scope = query = _scoped_people()
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    school_id = request.args.get("school", type=int)
    if q:
        query = query.where(matches_search(q, User.full_name, User.login))
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    if school_id:
        query = query.where(User.school_id == school_id)
    page = max(request.args.get("page", 1, type=int), 1)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(by_name(User.full_name), User.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "schools/people.html",
        people=rows,
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        q=q,
        role=role,
        school_id=school_id,
        schools=_hub_schools()
        if can_manage_hub(current_user, current_user.hub_id)
        else _schools_in(scope),
        role_labels=ROLE_LABELS,
        can_manage=can_manage_hub(current_user, current_user.hub_id),
    )


def _person(person_id: int) -> User:
    return get_visible_or_404(User, person_id, lambda p: can_view_person(current_user, p))


@bp.get("/people/<int:person_id>")
@staff_only
def person(person_id: int) -> ResponseReturnValue:
    return render_template(
        "schools/person.html",
        person=_person(person_id),
        role_labels=ROLE_LABELS,
        form=ButtonForm(),
        can_manage=can_manage_hub(current_user, current_user.hub_id),
    )


@bp.route("/people/new", methods=["GET", "POST"])
@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_person(person_id: int | None = None) -> ResponseReturnValue:
    person = _person(person_id) if person_id is not None else None
    require_manager(current_user.hub_id)
    schools = {s.id: s for s in _hub_schools()}
    form = PersonForm(obj=person)
    form.role.choices = options((r.value, str(label)) for r, label in ROLE_LABELS.items())
    form.school.choices = options((s.id, s.name) for s in schools.values())
    if request.method == "GET" and person is not None:
        form.role.data, form.school.data = person.role.value, person.school_id
        form.grade.data = str(person.grade or "")
        form.language.data = person.language.value if person.language else ""
    if form.validate_on_submit():
        data = people_services.PersonData(
            full_name=form.full_name.data or "",
            login=form.login.data or "",
            role=Role(form.role.data),
            school=schools[form.school.data],
            grade=int(form.grade.data) if form.grade.data else None,
            email=form.email.data,
            language=Language(form.language.data) if form.language.data else None,
        )
        saved = apply(
            form,
            lambda: people_services.save_person(current_user, person, data),
            _("The person has been saved."),
        )
        if saved:
            return redirect(url_for("schools.person", person_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template("schools/person_form.html", form=form, person=person), status


@bp.post("/people/<int:person_id>/active")
@staff_only
def set_active(person_id: int) -> ResponseReturnValue:
    target = _person(person_id)
    require_manager(target.hub_id)
    form = ButtonForm()
    active = request.form.get("active") == "1"
    message = (
        _("The person can sign in again.")
        if active
        else _("The person is deactivated and signed out everywhere.")
    )
    if form.validate_on_submit() and apply(
        form, lambda: people_services.set_person_active(current_user, target, active), message
    ):
        return redirect(url_for("schools.person", person_id=target.id))
    return render_template(
        "error.html", status=403, title=_("Not allowed"), message=" ".join(form.form_errors)
    ), 403


@bp.post("/people/<int:person_id>/password")
@staff_only
def reset_password(person_id: int) -> ResponseReturnValue:
    target = _person(person_id)
    require_manager(target.hub_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        return redirect(url_for("schools.person", person_id=target.id))
    password = people_services.reset_password(current_user, target)
    response = render_template("schools/password_once.html", person=target, password=password)
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/schools/<int:school_id>/passwords")
@staff_only
def issue_passwords(school_id: int) -> ResponseReturnValue:
    """Printable login slips for everyone of a school who has no password yet (shown once)."""
    school = get_visible_or_404(School, school_id, lambda s: s.hub_school_id == current_user.hub_id)
    require_manager(school.hub_school_id)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("schools.schools"))
    issued = people_services.issue_missing_passwords(current_user, school)
    if not issued:
        flash(_("Everyone at this school has a password already."), "info")
        return redirect(url_for("schools.schools"))
    page = render_template("schools/password_slips.html", school=school, issued=issued)
    return page, 200, {"Cache-Control": "no-store"}
