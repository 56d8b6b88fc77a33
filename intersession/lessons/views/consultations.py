"""Consultations: asking, answering, offering slots and booking them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from intersession.auth.models import Role, User
from intersession.core.access import get_visible_or_404
from intersession.core.collation import by_name, sorted_by_name
from intersession.core.db import db, utcnow
from intersession.core.errors import DomainError, Forbidden
from intersession.core.forms import ButtonForm, apply
from intersession.lessons import consultations
from intersession.lessons.access import can_view_lesson, can_view_request
from intersession.lessons.forms import AcceptForm, AskForm, DeclineForm, SlotForm
from intersession.lessons.models import ConsultationRequest, Lesson, LessonState, RequestState
from intersession.lessons.views import bp
from intersession.schools.models import Subject, TeachingAssignment, cohort_pupil


def _requests() -> list[ConsultationRequest]:
    query = select(ConsultationRequest).order_by(ConsultationRequest.created_at.desc()).limit(200)
    if current_user.role is Role.ADVISOR:
        query = query.where(ConsultationRequest.advisor_id == current_user.id)
    elif current_user.role is Role.PUPIL:
        query = query.where(ConsultationRequest.pupils.any(User.id == current_user.id))
    elif current_user.role is Role.TUTOR:
        query = query.where(
            (ConsultationRequest.requested_by_id == current_user.id)
            | ConsultationRequest.pupils.any(User.school_id == current_user.school_id)
        )
    else:
        query = query.join(ConsultationRequest.advisor).where(User.school_id == current_user.hub_id)
    return list(db.session.scalars(query))


def _slots() -> list[Lesson]:
    """Open slots still to come: the advisor's own, or those a pupil may book or has booked."""
    query = select(Lesson).where(
        Lesson.capacity.is_not(None),
        Lesson.state == LessonState.SCHEDULED,
        Lesson.starts_at > utcnow(),
    )
    if current_user.role is Role.ADVISOR:
        return list(
            db.session.scalars(
                query.where(Lesson.advisor_id == current_user.id).order_by(Lesson.starts_at)
            )
        )
    if current_user.role is not Role.PUPIL:
        return []
    return [
        s
        for s in db.session.scalars(query.order_by(Lesson.starts_at))
        if can_view_lesson(current_user, s)
    ]


@bp.get("/consultations")
@login_required
def consultations_page() -> ResponseReturnValue:
    return render_template(
        "lessons/consultations.html",
        requests=_requests(),
        slots=_slots(),
        form=ButtonForm(),
        states=RequestState,
    )


def _teachings_for(pupil_ids: list[int]) -> list[TeachingAssignment]:
    query = (
        select(TeachingAssignment)
        .join(cohort_pupil, cohort_pupil.c.cohort_id == TeachingAssignment.cohort_id)
        .where(cohort_pupil.c.pupil_id.in_(pupil_ids))
        .distinct()
    )
    teachings = db.session.scalars(query).all()
    return sorted_by_name(teachings, lambda t: t.advisor.full_name, lambda t: t.subject.name)


@bp.route("/consultations/ask", methods=["GET", "POST"])
@login_required
def ask() -> ResponseReturnValue:
    if current_user.role not in (Role.PUPIL, Role.TUTOR):
        abort(404)
    if current_user.role is Role.PUPIL:
        pupils = [current_user]
    else:
        pupils = list(db.session.scalars(
            select(User).where(User.school_id == current_user.school_id, User.role == Role.PUPIL,
                               User.active.is_(True)).order_by(User.grade, by_name(User.full_name))))  # fmt: skip
    teachings = _teachings_for([p.id for p in pupils])
    choices = {(t.advisor_id, t.subject_id): t for t in teachings}
    form = AskForm()
    form.teaching.choices = [
        SelectChoice(t.id, f"{t.advisor.full_name} — {t.subject.name}") for t in choices.values()
    ]
    form.pupils.choices = [SelectChoice(p.id, f"{p.full_name}, {p.grade}") for p in pupils]
    if current_user.role is Role.PUPIL:
        form.pupils.data = [current_user.id]
    if form.validate_on_submit():
        teaching = next(t for t in choices.values() if t.id == form.teaching.data)
        chosen = [p for p in pupils if p.id in (form.pupils.data or [])]
        data = consultations.RequestData(
            advisor=teaching.advisor, subject=teaching.subject, pupils=chosen, topic=form.topic.data or "",
            message=form.message.data or "", preferred_times=form.preferred_times.data or "",
        )  # fmt: skip
        made = apply(form, lambda: consultations.request_consultation(current_user, data))
        if made:
            flash(_("Your request has been sent to the advisor."), "success")
            return redirect(url_for("lessons.consultation", request_id=made.id))
    status = 400 if request.method == "POST" else 200
    return render_template("lessons/ask.html", form=form, has_choices=bool(choices)), status


def _request(request_id: int) -> ConsultationRequest:
    return get_visible_or_404(
        ConsultationRequest, request_id, lambda r: can_view_request(current_user, r)
    )


@bp.route("/consultations/<int:request_id>", methods=["GET", "POST"])
@login_required
def consultation(request_id: int) -> ResponseReturnValue:
    """A request; its advisor accepts it by scheduling, or declines it with a reason."""
    item = _request(request_id)
    accept, decline = AcceptForm(prefix="accept"), DeclineForm(prefix="decline")
    status = 200
    if request.method == "POST":
        if item.advisor_id != current_user.id:
            abort(403)
        if request.form.get("answer") == "accept" and accept.validate_on_submit():
            assert accept.day.data is not None and accept.start.data is not None
            done = apply(
                accept,
                lambda: consultations.accept_request(
                    current_user,
                    item,
                    accept.day.data,
                    accept.start.data,
                    accept.duration.data or 0,
                ),
            )
            if done:
                flash(_("The consultation has been scheduled."), "success")
                return redirect(url_for("lessons.lesson", lesson_id=done.lesson.id))
        elif (
            request.form.get("answer") == "decline"
            and decline.validate_on_submit()
            and apply(
                decline,
                lambda: consultations.decline_request(
                    current_user, item, decline.reason.data or ""
                ),
            )
        ):
            flash(_("The request has been declined."), "success")
            return redirect(url_for("lessons.consultation", request_id=item.id))
        status = 400
    return render_template(
        "lessons/consultation.html", item=item, accept=accept, decline=decline, states=RequestState
    ), status


@bp.route("/consultations/slots/new", methods=["GET", "POST"])
@login_required
def new_slot() -> ResponseReturnValue:
    if current_user.role is not Role.ADVISOR:
        abort(404)
    taught = select(TeachingAssignment.subject_id).where(
        TeachingAssignment.advisor_id == current_user.id
    )
    # IN rather than DISTINCT: PostgreSQL orders DISTINCT rows only by what they select, and the
    # collated name is not among it.
    subjects = list(db.session.scalars(
        select(Subject).where(Subject.id.in_(taught)).order_by(by_name(Subject.name))))  # fmt: skip
    form = SlotForm()
    form.subject.choices = [SelectChoice(s.id, s.name) for s in subjects]
    if form.validate_on_submit():
        subject = next(s for s in subjects if s.id == form.subject.data)
        assert form.day.data is not None and form.start.data is not None
        slot = apply(form, lambda: consultations.offer_slot(
            current_user, subject, form.title.data or "", form.day.data, form.start.data,
            form.duration.data or 0, form.capacity.data or 0))  # fmt: skip
        if slot:
            flash(_("The slot is open for booking."), "success")
            return redirect(url_for("lessons.consultations_page"))
    status = 400 if request.method == "POST" else 200
    return render_template("lessons/slot_form.html", form=form, has_subjects=bool(subjects)), status


@bp.post("/lessons/<int:lesson_id>/<any(book, unbook):action>")
@login_required
def book(lesson_id: int, action: str) -> ResponseReturnValue:
    lesson = get_visible_or_404(
        Lesson, lesson_id, lambda lesson: can_view_lesson(current_user, lesson)
    )
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        if action == "book":
            consultations.book_slot(current_user, lesson)
            flash(_("You have booked a place."), "success")
        else:
            consultations.cancel_booking(current_user, lesson)
            flash(_("Your booking has been cancelled."), "success")
    except Forbidden:
        abort(403)
    except DomainError as error:
        flash(error.message, "error")
        return render_template(
            "error.html", status=409, title=_("Cannot book"), message=error.message
        ), 409
    return redirect(url_for("lessons.consultations_page"))
