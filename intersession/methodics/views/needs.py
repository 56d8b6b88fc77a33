"""The needs surveys: written and published by the methodologist, answered by teachers; their
results as the hub's database of needs, with charts and an XLSX export."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from intersession.core.access import get_visible_or_404
from intersession.core.collation import by_name
from intersession.core.db import db
from intersession.core.forms import ButtonForm, apply
from intersession.core.spreadsheets import xlsx_response
from intersession.methodics import needs
from intersession.methodics.access import is_methodologist, is_teacher
from intersession.methodics.forms import AnswerForm, SurveyForm, format_choices
from intersession.methodics.labels import FORMAT_LABELS
from intersession.methodics.models import Format, NeedsSurvey, SurveyState
from intersession.methodics.views import bp
from intersession.reports.charts import bars
from intersession.schools.models import School, Subject, in_hub


def _may_see(survey: NeedsSurvey) -> bool:
    """The hub's methodologists see every survey; its teachers the published ones."""
    if is_methodologist(current_user, survey.hub_id):
        return True
    return (
        is_teacher(current_user)
        and current_user.hub_id == survey.hub_id
        and (survey.state is not SurveyState.DRAFT)
    )


def _survey(survey_id: int) -> NeedsSurvey:
    return get_visible_or_404(NeedsSurvey, survey_id, _may_see)


def _methodologist_of(survey: NeedsSurvey) -> None:
    if not is_methodologist(current_user, survey.hub_id):
        abort(404)


@bp.get("/surveys")
@login_required
def surveys() -> ResponseReturnValue:
    methodologist = is_methodologist(current_user)
    if not (methodologist or is_teacher(current_user)):
        abort(404)
    query = select(NeedsSurvey).where(NeedsSurvey.hub_id == current_user.hub_id)
    if not methodologist:
        query = query.where(NeedsSurvey.state != SurveyState.DRAFT)
    found = list(db.session.scalars(query.order_by(NeedsSurvey.created_at.desc()).limit(100)))
    answered = {s.id for s in found if needs.response_of(current_user, s) is not None}
    return render_template("methodics/surveys.html", surveys=found, answered=answered,
                           methodologist=methodologist, teacher=is_teacher(current_user),
                           button=ButtonForm())  # fmt: skip


def _survey_form(survey: NeedsSurvey | None) -> ResponseReturnValue:
    form = SurveyForm()
    if request.method == "GET" and survey is not None:
        form.title.data, form.intro.data = survey.title, survey.intro
        form.themes.data = "\n".join(t.title for t in survey.themes)
    if form.validate_on_submit():
        title, intro = form.title.data or "", form.intro.data or ""
        themes = (form.themes.data or "").splitlines()
        if survey is None:
            done = apply(form, lambda: needs.create_survey(current_user, title, intro, themes))
        else:
            done = apply(form, lambda: needs.change_survey(current_user, survey, title, intro, themes))  # fmt: skip
        if done:
            flash(_("The survey is saved. Publish it when it is ready."), "success")
            return redirect(url_for("methodics.surveys"))
    status = 400 if request.method == "POST" else 200
    return render_template("methodics/survey_form.html", form=form, survey=survey), status


@bp.route("/surveys/new", methods=["GET", "POST"])
@login_required
def new_survey() -> ResponseReturnValue:
    if not is_methodologist(current_user):
        abort(404)
    return _survey_form(None)


@bp.route("/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@login_required
def edit_survey(survey_id: int) -> ResponseReturnValue:
    survey = _survey(survey_id)
    _methodologist_of(survey)
    if survey.state is not SurveyState.DRAFT:
        abort(409)
    return _survey_form(survey)


@bp.post("/surveys/<int:survey_id>/<any(publish, close):action>")
@login_required
def survey_state(survey_id: int, action: str) -> ResponseReturnValue:
    survey = _survey(survey_id)
    _methodologist_of(survey)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    change = needs.publish_survey if action == "publish" else needs.close_survey
    if apply(form, lambda: change(current_user, survey)):
        flash(_("The survey is open: the hub's teachers can answer it.") if action == "publish"
              else _("The survey is closed; its answers are kept."), "success")  # fmt: skip
    else:
        flash(" ".join(form.form_errors), "error")
    return redirect(url_for("methodics.surveys"))


def _hub_subjects(hub_id: int) -> list[Subject]:
    return list(db.session.scalars(
        select(Subject).where(Subject.hub_id == hub_id).order_by(by_name(Subject.name))))  # fmt: skip


@bp.route("/surveys/<int:survey_id>/answer", methods=["GET", "POST"])
@login_required
def answer(survey_id: int) -> ResponseReturnValue:
    survey = _survey(survey_id)
    if not is_teacher(current_user):
        abort(404)
    if survey.state is not SurveyState.OPEN:
        abort(409)
    subjects = _hub_subjects(survey.hub_id)
    kept = needs.response_of(current_user, survey)
    form = AnswerForm()
    form.subjects.choices = [SelectChoice(s.id, s.name) for s in subjects]
    form.themes.choices = [SelectChoice(t.id, t.title) for t in survey.themes]
    form.formats.choices = format_choices()
    if request.method == "GET" and kept is not None:
        form.subjects.data = [s.id for s in kept.subjects]
        form.themes.data = [t.id for t in kept.themes]
        form.formats.data = [f.format.value for f in kept.formats]
        form.other_needs.data = kept.other_needs
    if form.validate_on_submit():
        given = needs.Answer(
            subjects=[s for s in subjects if s.id in (form.subjects.data or [])],
            themes=[t for t in survey.themes if t.id in (form.themes.data or [])],
            formats=[Format(f) for f in form.formats.data or []],
            other_needs=form.other_needs.data or "",
        )
        if apply(form, lambda: needs.answer_survey(current_user, survey, given)):
            flash(_("Thank you: your answer is saved. You can change it while the survey is open."), "success")  # fmt: skip
            return redirect(url_for("methodics.surveys"))
    status = 400 if request.method == "POST" else 200
    return render_template("methodics/answer.html", form=form, survey=survey, kept=kept), status


def _filters(survey: NeedsSurvey) -> tuple[dict[str, int | None], list[School], list[Subject]]:
    schools = list(db.session.scalars(
        select(School).where(in_hub(survey.hub_id)).order_by(School.kind, by_name(School.name))))  # fmt: skip
    subjects = _hub_subjects(survey.hub_id)
    chosen = {name: request.args.get(name, type=int) for name in ("school", "subject", "theme")}
    known = {"school": {s.id for s in schools}, "subject": {s.id for s in subjects},
             "theme": {t.id for t in survey.themes}}  # fmt: skip
    return {k: v if v in known[k] else None for k, v in chosen.items()}, schools, subjects


@bp.get("/surveys/<int:survey_id>/needs")
@login_required
def needs_page(survey_id: int) -> ResponseReturnValue:
    """The database of needs: the answers, filtered by school, subject and theme."""
    survey = _survey(survey_id)
    _methodologist_of(survey)
    chosen, schools, subjects = _filters(survey)
    found = needs.needs_of(survey, chosen["school"], chosen["subject"], chosen["theme"])
    if request.args.get("download") == "xlsx":
        return xlsx_response(_rows(found), f"needs-{survey.id}.xlsx", _("Needs"),
                             widths=(30, 30, 40, 40, 30, 40))  # fmt: skip
    charts = [
        bars("chart-themes", _("Methodical themes"), [_("Teachers")],
             [(t.title, [n]) for t, n in found.by_theme]),
        bars("chart-formats", _("Forms of help"), [_("Teachers")],
             [(str(FORMAT_LABELS[f]), [n]) for f, n in found.by_format]),
    ]  # fmt: skip
    given: dict[str, Any] = {k: v for k, v in chosen.items() if v is not None}
    download_url = url_for("methodics.needs_page", survey_id=survey.id, download="xlsx", **given)
    return render_template("methodics/needs.html", survey=survey, found=found, charts=charts,
                           chosen=chosen, schools=schools, subjects=subjects,
                           download_url=download_url)  # fmt: skip


def _rows(found: needs.Needs) -> list[list[object]]:
    rows: list[list[object]] = [[_("Teacher"), _("School"), _("Subjects"), _("Methodical themes"),
                                 _("Forms that suit you"), _("Other needs, in your own words")]]  # fmt: skip
    for r in found.responses:
        rows.append([r.teacher.full_name, r.teacher.school.name,
                     ", ".join(s.name for s in r.subjects), ", ".join(t.title for t in r.themes),
                     ", ".join(str(FORMAT_LABELS[f]) for f in r.chosen_formats), r.other_needs])  # fmt: skip
    return rows
