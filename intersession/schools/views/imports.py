"""CSV import pages: upload, preview with every bad row, confirm, follow the progress."""

from __future__ import annotations

from typing import Any

from flask import jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from intersession.auth.labels import ROLE_LABELS
from intersession.core.access import get_visible_or_404
from intersession.core.collation import sorted_by_name
from intersession.core.csvfiles import csv_response
from intersession.core.db import db
from intersession.core.formatting import format_decimal
from intersession.core.forms import ButtonForm
from intersession.schools import imports as import_services
from intersession.schools.access import can_manage_hub
from intersession.schools.forms import ImportForm
from intersession.schools.labels import IMPORT_STATE_LABELS
from intersession.schools.models import (
    AcademicYear,
    Cohort,
    ImportJob,
    ImportKind,
    School,
    Subject,
)
from intersession.schools.views import apply, bp, hub_years, require_manager, staff_only

MAX_IMPORT_BYTES = 5 * 1024 * 1024


@bp.route("/imports/<any(people, topics):kind>", methods=["GET", "POST"])
@staff_only
def new_import(kind: str) -> ResponseReturnValue:
    require_manager(current_user.hub_id)
    years = hub_years()
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        year = next((y for y in years if y.id == request.form.get("year", type=int)), None)
        upload = form.file.data
        data = upload.stream.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            form.file.errors = [_("The file is larger than 5 MB; split it into parts.")]
        else:
            job = apply(
                form,
                lambda: import_services.start_import(
                    current_user, ImportKind(kind), year, upload.filename or "", data
                ),
            )
            if job:
                return redirect(url_for("schools.import_job", job_id=job.id))
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template(
        "schools/import_new.html",
        kind=kind,
        form=form,
        years=years,
        columns=import_services.PEOPLE_COLUMNS
        if kind == "people"
        else import_services.TOPIC_COLUMNS,
    ), status


def _job(job_id: int) -> ImportJob:
    return get_visible_or_404(ImportJob, job_id, lambda j: can_manage_hub(current_user, j.hub_id))


@bp.get("/imports/job/<int:job_id>")
@staff_only
def import_job(job_id: int) -> ResponseReturnValue:
    job = _job(job_id)
    errors = import_services.job_errors(job)
    preview = (
        import_services.preview_rows(job) if job.state.value == "checked" and not errors else []
    )
    year = db.session.get(AcademicYear, job.year_id) if job.year_id else None
    made = import_services.made_people(job) if job.state.value == "done" else []
    return render_template(
        "schools/import_job.html",
        job=job,
        errors=errors,
        headers=_preview_headers(job.kind),
        preview=_shown(job.kind, preview),
        made=made,
        made_schools=sorted_by_name({p.school for p in made}, lambda s: s.name),
        role_labels=ROLE_LABELS,
        year=year,
        state_labels=IMPORT_STATE_LABELS,
        form=ButtonForm(),
    )


def _preview_headers(kind: ImportKind) -> list[str]:
    if kind is ImportKind.PEOPLE:
        return [
            _("Full name"),
            _("Login"),
            _("Role"),
            _("School"),
            _("Grade"),
            _("E-mail"),
            _("Cohort"),
        ]
    return [_("Subject"), _("Grade"), _("Week"), _("Hours"), _("Topic")]


def _shown(kind: ImportKind, records: list[dict[str, Any]]) -> list[list[object]]:
    """The checked rows as the coordinator reads them: names, not ids; the role in words."""
    if not records:
        return []
    if kind is ImportKind.PEOPLE:
        schools = _names(School, {r["school_id"] for r in records})
        cohorts = _names(Cohort, {r["cohort_id"] for r in records if r["cohort_id"]})
        return [[r["full_name"], r["login"], ROLE_LABELS[r["role"]], schools.get(r["school_id"], ""),
                 r["grade"], r["email"], cohorts.get(r["cohort_id"], "")] for r in records]  # fmt: skip
    subjects = _names(Subject, {r["subject_id"] for r in records})
    return [[subjects.get(r["subject_id"], ""), r["grade"], r["week"], format_decimal(r["hours"]),
             r["title"]] for r in records]  # fmt: skip


def _names(model: Any, ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    return {row_id: name for row_id, name in rows}


@bp.post("/imports/job/<int:job_id>/run")
@staff_only
def run_import(job_id: int) -> ResponseReturnValue:
    job = _job(job_id)
    form = ButtonForm()
    if form.validate_on_submit() and apply(
        form, lambda: import_services.queue_import(current_user, job)
    ):
        from intersession.schools.tasks import run_import as task

        task.delay(job.id)
    return redirect(url_for("schools.import_job", job_id=job.id))


@bp.get("/imports/job/<int:job_id>/status")
@staff_only
def import_status(job_id: int) -> ResponseReturnValue:
    job = _job(job_id)
    return jsonify(
        state=job.state.value,
        label=str(IMPORT_STATE_LABELS[job.state]),
        done=job.done_rows,
        total=job.total_rows,
        errors=len(import_services.job_errors(job)),
    )


SAMPLES: dict[str, list[list[str]]] = {
    "people": [
        ["full_name", "login", "role", "school", "grade", "email", "cohort"],
        ["Сәрсенбаев Әлихан Нұрланұлы", "alikhan.s", "pupil", "{school}", "9", "", ""],
        [
            "Иванова Мария Петровна",
            "m.ivanova",
            "tutor",
            "{school}",
            "",
            "m.ivanova@example.kz",
            "",
        ],
    ],
    "topics": [
        ["subject", "grade", "week", "hours", "title"],
        ["{subject}", "9", "1", "2", "Квадрат теңдеулер"],
        ["{subject}", "9", "2", "1.5", "Неравенства"],
    ],
}


@bp.get("/imports/<any(people, topics):kind>/sample.csv")
@staff_only
def import_sample(kind: str) -> ResponseReturnValue:
    """A file to start from, with the hub's own school and subject names, that Excel opens right."""
    require_manager(current_user.hub_id)
    hub = db.session.get(School, current_user.hub_id)
    assert hub is not None
    school = hub.magnets[0].name if hub.magnets else hub.name
    subject = (
        db.session.scalar(select(Subject.name).where(Subject.hub_id == hub.id)) or "Математика"
    )
    rows = [[cell.format(school=school, subject=subject) for cell in row] for row in SAMPLES[kind]]
    return csv_response(rows, f"intersession-{kind}.csv")
