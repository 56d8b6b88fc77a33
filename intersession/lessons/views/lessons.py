"""Scheduling a lesson, its page, rescheduling and cancelling."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from intersession.auth.models import Role
from intersession.core.access import get_visible_or_404
from intersession.core.collation import sorted_by_name
from intersession.core.db import db, utcnow
from intersession.core.errors import DomainError, Forbidden
from intersession.lessons import scheduling
from intersession.lessons.access import can_view_lesson, can_view_row
from intersession.lessons.forms import CancelForm, LessonForm
from intersession.lessons.labels import PRESENCE_LABELS, REASON_LABELS, SOURCE_LABELS
from intersession.lessons.models import Lesson, LessonKind
from intersession.lessons.views import bp
from intersession.recordings import services as recordings
from intersession.recordings.access import can_watch
from intersession.schools.models import PlanTopic, TeachingAssignment
from intersession.schools.teaching import (
    hub_timezone,
    teaching_choices,
    teachings_of,
    topic_choices,
)


def _teachings() -> list[TeachingAssignment]:
    return teachings_of(current_user)


def _fill_choices(form: LessonForm, teachings: list[TeachingAssignment]) -> None:
    form.teaching.choices = teaching_choices(teachings)
    form.topic.choices = topic_choices(teachings)


def _topic_of_this_week(teaching: TeachingAssignment) -> int:
    """The plan's topic nearest to this week, to start the form from (0: none)."""
    year = teaching.cohort.year
    week = scheduling.academic_week(year, datetime.now(ZoneInfo(_hub_zone())).date())
    topic = db.session.scalar(
        select(PlanTopic)
        .where(
            PlanTopic.year_id == year.id,
            PlanTopic.subject_id == teaching.subject_id,
            PlanTopic.grade == teaching.cohort.grade,
        )
        .order_by(func.abs(PlanTopic.week - week), PlanTopic.position)
        .limit(1)
    )
    return topic.id if topic else 0


def _plan_from(form: LessonForm, teachings: list[TeachingAssignment]) -> scheduling.LessonPlan:
    teaching = next(t for t in teachings if t.id == form.teaching.data)
    topic = db.session.get(PlanTopic, form.topic.data) if form.topic.data else None
    assert form.day.data is not None and form.start.data is not None
    return scheduling.LessonPlan(
        cohort=teaching.cohort, subject=teaching.subject, topic=topic, day=form.day.data,
        start=form.start.data, duration_minutes=form.duration.data or 0,
        description=form.description.data or "",
    )  # fmt: skip


def _save(
    form: LessonForm, action: Callable[[], scheduling.Scheduled]
) -> scheduling.Scheduled | None:
    try:
        return action()
    except Forbidden:
        abort(403)
    except DomainError as error:
        field = {
            "day": form.day,
            "start": form.start,
            "duration": form.duration,
            "topic": form.topic,
        }.get(error.field or "")
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            form.form_errors.append(error.message)
    return None


def _hub_zone() -> str:
    return hub_timezone(current_user)


@bp.route("/lessons/new", methods=["GET", "POST"])
@login_required
def new_lesson() -> ResponseReturnValue:
    if current_user.role is not Role.ADVISOR:
        abort(404)
    teachings = _teachings()
    form = LessonForm()
    _fill_choices(form, teachings)
    if request.method == "GET" and teachings:
        form.topic.data = _topic_of_this_week(teachings[0])
    if form.validate_on_submit():
        done = _save(
            form, lambda: scheduling.schedule_lesson(current_user, _plan_from(form, teachings))
        )
        if done:
            flash(_("The lesson has been scheduled."), "success")
            for warning in done.warnings:
                flash(warning, "warning")
            return redirect(url_for("lessons.lesson", lesson_id=done.lesson.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "lessons/lesson_form.html",
        form=form,
        lesson=None,
        teachings=teachings,
        hub_zone=_hub_zone(),
    ), status


def _lesson(lesson_id: int) -> Lesson:
    return get_visible_or_404(
        Lesson, lesson_id, lambda lesson: can_view_lesson(current_user, lesson)
    )


def render_lesson(
    lesson: Lesson,
    status: int = 200,
    cancel_form: CancelForm | None = None,
    row_errors: dict[int, str] | None = None,
) -> ResponseReturnValue:
    """The lesson's page, also shown again (with a 4xx) when one of its forms had a problem."""
    rows = sorted_by_name(
        (row for row in lesson.register if can_view_row(current_user, row)),
        lambda row: row.pupil.school.name,
        lambda row: row.pupil.full_name,
    )
    from intersession.rooms.joining import LATE_MARGIN, room_opens_in

    advisor = lesson.advisor_id == current_user.id
    opens_in = room_opens_in(lesson, advisor)
    # The advisor may open a room they ended until the room would have closed anyway.
    reopenable = (
        advisor and lesson.room_ended_at is not None and utcnow() <= lesson.ends_at + LATE_MARGIN
    )
    from intersession.board.slides import decks_of
    from intersession.polls.labels import KIND_LABELS, STATE_LABELS
    from intersession.polls.records import format_number, lesson_polls

    return render_template(
        "lessons/lesson.html",
        lesson=lesson,
        decks=decks_of(lesson),
        polls=lesson_polls(current_user, lesson, rows),
        poll_kind_labels=KIND_LABELS,
        poll_state_labels=STATE_LABELS,
        format_poll_number=format_number,
        rows=rows,
        room_opens_in=opens_in,
        room_reachable=opens_in is not None or reopenable,
        started=lesson.starts_at <= datetime.now(ZoneInfo("UTC")),
        cancel_form=cancel_form or CancelForm(),
        presence_labels=PRESENCE_LABELS,
        source_labels=SOURCE_LABELS,
        reason_labels=REASON_LABELS,
        row_errors=row_errors or {},
        recording=recordings.recording_of(lesson),
        may_watch=can_watch(current_user, lesson),
    ), status


@bp.get("/lessons/<int:lesson_id>")
@login_required
def lesson(lesson_id: int) -> ResponseReturnValue:
    return render_lesson(_lesson(lesson_id))


@bp.route("/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@login_required
def edit_lesson(lesson_id: int) -> ResponseReturnValue:
    lesson = _lesson(lesson_id)
    if lesson.advisor_id != current_user.id:
        abort(403)
    if lesson.kind is LessonKind.TEACHER_EVENT:  # no cohort nor plan topic to change it by
        abort(409)
    teachings = [
        t
        for t in _teachings()
        if t.cohort_id == lesson.cohort_id and t.subject_id == lesson.subject_id
    ]
    form = LessonForm()
    _fill_choices(form, teachings)
    if request.method == "GET":
        local = lesson.starts_at.astimezone(ZoneInfo(_hub_zone()))
        form.teaching.data = teachings[0].id if teachings else None
        form.topic.data = lesson.topic_id or 0
        form.day.data, form.start.data = local.date(), local.time()
        form.duration.data, form.description.data = lesson.duration_minutes, lesson.description
    if form.validate_on_submit():
        done = _save(
            form,
            lambda: scheduling.reschedule_lesson(current_user, lesson, _plan_from(form, teachings)),
        )
        if done:
            flash(_("The lesson has been changed."), "success")
            for warning in done.warnings:
                flash(warning, "warning")
            return redirect(url_for("lessons.lesson", lesson_id=lesson.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "lessons/lesson_form.html",
        form=form,
        lesson=lesson,
        teachings=teachings,
        hub_zone=_hub_zone(),
    ), status


@bp.post("/lessons/<int:lesson_id>/cancel")
@login_required
def cancel_lesson(lesson_id: int) -> ResponseReturnValue:
    lesson = _lesson(lesson_id)
    if lesson.advisor_id != current_user.id:
        abort(403)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            scheduling.cancel_lesson(current_user, lesson, form.reason.data or "")
        except DomainError as error:
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            flash(
                _("The lesson has been cancelled; its pupils and tutors see the reason."), "success"
            )
            return redirect(url_for("lessons.lesson", lesson_id=lesson.id))
    return render_lesson(lesson, 400, cancel_form=form)
