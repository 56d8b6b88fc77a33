"""The thematic plan: ordered topics per subject and grade of a year."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from intersession.core.access import get_visible_or_404
from intersession.core.collation import by_name
from intersession.core.db import db
from intersession.core.forms import ButtonForm
from intersession.schools import cohorts as cohort_services
from intersession.schools.access import can_manage_hub
from intersession.schools.forms import (
    GRADES,
    TopicForm,
)
from intersession.schools.models import (
    AcademicYear,
    PlanTopic,
    Subject,
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


@bp.route("/plan", methods=["GET", "POST"])
@staff_only
def plan() -> ResponseReturnValue:
    """The plan for one subject and grade of a year: ordered topics with week and hours."""
    years = hub_years()
    year = chosen_year(years)
    subjects = list(
        db.session.scalars(
            select(Subject)
            .where(Subject.hub_id == current_user.hub_id)
            .order_by(by_name(Subject.name))
        )
    )
    # Unless asked otherwise, open a subject that has a plan already rather than an empty one.
    planned = (
        set(
            db.session.scalars(
                select(PlanTopic.subject_id).where(PlanTopic.year_id == year.id).distinct()
            )
        )
        if year
        else set()
    )
    default = next((s for s in subjects if s.id in planned), subjects[0] if subjects else None)
    subject = next((s for s in subjects if s.id == request.args.get("subject", type=int)), default)
    grade = request.args.get("grade", 8, type=int)
    if grade not in range(8, 12):
        abort(404)
    form = TopicForm()
    if request.method == "POST":
        require_manager(current_user.hub_id)
        if year is None or subject is None:
            abort(404)
        if form.validate_on_submit() and apply(
            form,
            lambda: cohort_services.save_topic(
                current_user,
                None,
                year=year,
                subject=subject,
                grade=grade,
                title=form.title.data or "",
                week=form.week.data or 0,
                hours=form.hours.data,
            ),
            _("The topic has been added."),
        ):
            return redirect(url_for("schools.plan", year=year.id, subject=subject.id, grade=grade))
    topics = (
        db.session.scalars(
            select(PlanTopic)
            .where(
                PlanTopic.year_id == year.id,
                PlanTopic.subject_id == subject.id,
                PlanTopic.grade == grade,
            )
            .order_by(PlanTopic.position)
        ).all()
        if year and subject
        else []
    )
    return render_template(
        "schools/plan.html",
        years=years,
        year=year,
        subjects=subjects,
        subject=subject,
        grade=grade,
        grades=GRADES,
        topics=topics,
        form=form,
        delete_form=ButtonForm(),
        can_manage=can_manage_hub(current_user, current_user.hub_id),
    ), 400 if form.errors or form.form_errors else 200


def _topic(topic_id: int) -> PlanTopic:
    def visible(topic: PlanTopic) -> bool:
        year = db.session.get(AcademicYear, topic.year_id)
        return year is not None and year.hub_id == current_user.hub_id

    return get_visible_or_404(PlanTopic, topic_id, visible)


@bp.route("/plan/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@staff_only
def edit_topic(topic_id: int) -> ResponseReturnValue:
    topic = _topic(topic_id)
    require_manager(current_user.hub_id)
    year = db.session.get(AcademicYear, topic.year_id)
    assert year is not None
    target = url_for(
        "schools.plan", year=topic.year_id, subject=topic.subject_id, grade=topic.grade
    )
    form = TopicForm(obj=topic)
    if form.validate_on_submit() and apply(
        form,
        lambda: cohort_services.save_topic(
            current_user,
            topic,
            year=year,
            subject=topic.subject,
            grade=topic.grade,
            title=form.title.data or "",
            week=form.week.data or 0,
            hours=form.hours.data,
        ),
        _("The topic has been saved."),
    ):
        return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render_template("schools/topic_form.html", form=form, topic=topic, back=target), status


@bp.post("/plan/topics/<int:topic_id>/<any(up, down, delete):action>")
@staff_only
def change_topic(topic_id: int, action: str) -> ResponseReturnValue:
    topic = _topic(topic_id)
    require_manager(current_user.hub_id)
    target = url_for(
        "schools.plan", year=topic.year_id, subject=topic.subject_id, grade=topic.grade
    )
    if action == "delete":
        return delete_then_redirect(
            lambda: cohort_services.delete_topic(current_user, topic),
            _("The topic has been deleted."),
            target,
        )
    if ButtonForm().validate_on_submit():
        cohort_services.move_topic(current_user, topic, -1 if action == "up" else 1)
    return redirect(target)
