"""The advisor's pages: the list of their work, the form to set and edit it, publishing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from intersession.assignments import services
from intersession.assignments.access import can_edit_assignment
from intersession.assignments.forms import AssignmentForm, ExtensionForm
from intersession.assignments.models import Assignment, Scale
from intersession.assignments.views import bp, hub_zone, visible_assignment
from intersession.auth.models import Role, User
from intersession.core.collation import sorted_by_name
from intersession.core.db import db
from intersession.core.errors import DomainError, NotFound
from intersession.core.forms import ButtonForm
from intersession.core.kazakh import DATIVE, with_case
from intersession.core.resumable.forms import sent_files
from intersession.schools.models import PlanTopic, TeachingAssignment
from intersession.schools.teaching import teaching_choices, teachings_of, topic_choices


def _fill_choices(form: AssignmentForm, teachings: list[TeachingAssignment]) -> None:
    form.teaching.choices = teaching_choices(teachings)
    form.topic.choices = topic_choices(teachings)
    # Two pupils of the same name are common: each is named with their school and cohort.
    pupils: dict[int, tuple[User, set[str]]] = {}
    for teaching in teachings:
        for pupil in teaching.cohort.pupils:
            pupils.setdefault(pupil.id, (pupil, set()))[1].add(teaching.cohort.name)
    ordered = sorted_by_name(pupils.values(), lambda item: item[0].full_name)
    form.pupils.choices = [
        SelectChoice(
            pupil.id, f"{pupil.full_name} — {pupil.school.name}, {', '.join(sorted(cohorts))}"
        )
        for pupil, cohorts in ordered
    ]


def pupil_teachings(teachings: list[TeachingAssignment]) -> dict[int, list[int]]:
    """For the page: which of the advisor's cohort-and-subject choices each pupil belongs to."""
    found: dict[int, list[int]] = {}
    for teaching in teachings:
        for pupil in teaching.cohort.pupils:
            found.setdefault(pupil.id, []).append(teaching.id)
    return found


def _default_dates(form: AssignmentForm) -> None:
    """New work opens now and is due a week later at 23:59, in the hub's time."""
    now = datetime.now(ZoneInfo(hub_zone()))
    form.opens_day.data = now.date()
    form.opens_time.data = time(now.hour, now.minute - now.minute % 15)
    form.due_day.data, form.due_time.data = now.date() + timedelta(days=7), time(23, 59)


def _moment(day: date | None, at: time | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, at or time(23, 59), tzinfo=ZoneInfo(hub_zone()))


def _plan_from(form: AssignmentForm, teachings: list[TeachingAssignment]) -> services.WorkPlan:
    teaching = next((t for t in teachings if t.id == form.teaching.data), None)
    if teaching is None:
        raise DomainError(_("Choose a cohort and subject you teach."), "teaching")
    topic = db.session.get(PlanTopic, form.topic.data) if form.topic.data else None
    chosen = set(form.pupils.data or [])
    criteria = [
        services.CriterionPlan(row.form.name.data or "", Decimal(row.form.max_points.data or 0), row.form.levels.data or "")
        for row in form.criteria
        if (row.form.name.data or "").strip()
    ]  # fmt: skip
    opens, due = (
        _moment(form.opens_day.data, form.opens_time.data),
        _moment(form.due_day.data, form.due_time.data),
    )
    assert opens is not None and due is not None
    return services.WorkPlan(
        cohort=teaching.cohort, subject=teaching.subject, topic=topic, title=form.title.data or "",
        instructions=form.instructions.data or "", opens_at=opens, due_at=due,
        cutoff_at=_moment(form.cutoff_day.data, form.cutoff_time.data),
        accepts_files=form.accepts_files.data, accepts_text=form.accepts_text.data,
        file_kinds=tuple(form.file_kinds.data or ()), max_file_mb=form.max_file_mb.data or 0,
        max_files=form.max_files.data or 0, attempts=form.attempts.data,
        scale=Scale(form.scale.data), release_at_once=form.release_at_once.data,
        pupils=[p for p in teaching.cohort.pupils if p.id in chosen], criteria=criteria,
    )  # fmt: skip


FIELDS = {"due_at": "due_day", "cutoff_at": "cutoff_day", "cohort": "teaching", "pupils": "pupils",
          "criteria": "scale", "file_kinds": "file_kinds", "max_files": "max_files",
          "attempts": "attempts", "title": "title", "accepts_files": "accepts_files",
          "scale": "scale", "teaching": "teaching"}  # fmt: skip


def _save(
    form: AssignmentForm, teachings: list[TeachingAssignment], assignment: Assignment | None
) -> Assignment | None:
    try:
        plan = _plan_from(form, teachings)
        new = assignment is None
        if assignment is None:
            assignment = services.create_assignment(current_user, plan)
        else:
            assignment = services.update_assignment(current_user, assignment, plan)
        removed: list[int] = request.form.getlist("remove-file", type=int)
        try:
            uploads = sent_files("attachments", "attachments")
            services.attach_files(current_user, assignment, uploads, removed)
        except DomainError:
            if new:  # a refused file: no half-made work either
                db.session.delete(assignment)
                db.session.commit()
            raise
        return assignment
    except NotFound:
        abort(404)
    except DomainError as error:
        field = getattr(form, FIELDS.get(error.field or "", ""), None)
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            form.form_errors.append(error.message)
    return None


@bp.route("/work/new", methods=["GET", "POST"])
@login_required
def new_assignment() -> ResponseReturnValue:
    if current_user.role is not Role.ADVISOR:
        abort(404)
    teachings = teachings_of(current_user)
    form = AssignmentForm()
    _fill_choices(form, teachings)
    if not form.is_submitted():
        _default_dates(form)
    if form.validate_on_submit() and (assignment := _save(form, teachings, None)) is not None:
        flash(_("The work is saved as a draft: pupils see it once you publish it."), "success")
        return redirect(url_for("assignments.assignment", assignment_id=assignment.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("assignments/form.html", form=form, assignment=None,
                           pupil_teachings=pupil_teachings(teachings)), status  # fmt: skip


def _fill_form(
    form: AssignmentForm, assignment: Assignment, teachings: list[TeachingAssignment]
) -> None:
    zone = ZoneInfo(hub_zone())
    teaching = next(
        (
            t
            for t in teachings
            if t.cohort_id == assignment.cohort_id and t.subject_id == assignment.subject_id
        ),
        None,
    )
    form.teaching.data = teaching.id if teaching else None
    form.topic.data = assignment.topic_id or 0
    form.title.data, form.instructions.data = assignment.title, assignment.instructions
    opens, due = assignment.opens_at.astimezone(zone), assignment.due_at.astimezone(zone)
    form.opens_day.data, form.opens_time.data = opens.date(), opens.time()
    form.due_day.data, form.due_time.data = due.date(), due.time()
    if assignment.cutoff_at is not None:
        cutoff = assignment.cutoff_at.astimezone(zone)
        form.cutoff_day.data, form.cutoff_time.data = cutoff.date(), cutoff.time()
    form.accepts_text.data, form.accepts_files.data = (
        assignment.accepts_text,
        assignment.accepts_files,
    )
    form.file_kinds.data = assignment.file_kinds.split(",")
    form.max_files.data, form.max_file_mb.data = assignment.max_files, assignment.max_file_mb
    form.attempts.data, form.scale.data = assignment.attempts, assignment.scale.value
    form.release_at_once.data = assignment.release_at_once
    form.pupils.data = [p.id for p in assignment.chosen_pupils]
    for row, criterion in zip(form.criteria, assignment.criteria, strict=False):
        row.form.name.data, row.form.max_points.data = criterion.name, criterion.max_points
        row.form.levels.data = criterion.levels


@bp.route("/work/<int:assignment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_assignment(assignment_id: int) -> ResponseReturnValue:
    assignment = visible_assignment(assignment_id)
    if not can_edit_assignment(current_user, assignment):
        abort(403)
    teachings = teachings_of(current_user)
    form = AssignmentForm()
    _fill_choices(form, teachings)
    if form.validate_on_submit():
        if _save(form, teachings, assignment) is not None:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("assignments.assignment", assignment_id=assignment.id))
    elif not form.is_submitted():
        _fill_form(form, assignment, teachings)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("assignments/form.html", form=form, assignment=assignment,
                           pupil_teachings=pupil_teachings(teachings)), status  # fmt: skip


@bp.post("/work/<int:assignment_id>/publish")
@login_required
def publish_assignment(assignment_id: int) -> ResponseReturnValue:
    assignment = visible_assignment(assignment_id)
    if not can_edit_assignment(current_user, assignment):
        abort(403)
    if ButtonForm().validate_on_submit():
        services.publish(current_user, assignment)
        flash(_("Published: the pupils see the work now."), "success")
    return redirect(url_for("assignments.assignment", assignment_id=assignment.id))


@bp.post("/work/<int:assignment_id>/extensions")
@login_required
def grant_extension(assignment_id: int) -> ResponseReturnValue:
    """A later due date for one pupil; the cut-off moves with it when it would come earlier."""
    assignment = visible_assignment(assignment_id)
    if not can_edit_assignment(current_user, assignment):
        abort(403)
    form = ExtensionForm()
    pupils = sorted_by_name(assignment.pupils, lambda p: p.full_name)
    form.pupil.choices = [SelectChoice(p.id, p.full_name) for p in pupils]
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("assignments.assignment", assignment_id=assignment.id)), 303
    pupil = next(p for p in assignment.pupils if p.id == form.pupil.data)
    due = _moment(form.due_day.data, form.due_time.data)
    assert due is not None
    try:
        services.grant_extension(current_user, assignment, pupil, due, None)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("%(pupil)s may now send the work until %(when)s.", pupil=pupil.full_name,
                when=with_case(format_datetime(due, "d MMMM, HH:mm"), DATIVE)), "success")  # fmt: skip
    return redirect(url_for("assignments.assignment", assignment_id=assignment.id)), 303
