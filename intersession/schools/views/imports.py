"""CSV import pages: upload, preview with every bad row, confirm, follow the progress."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from intersession.core.access import get_visible_or_404
from intersession.core.csvfiles import csv_response
from intersession.core.db import db
from intersession.core.forms import ButtonForm
from intersession.schools import imports as import_services
from intersession.schools.access import can_manage_hub
from intersession.schools.forms import ImportForm
from intersession.schools.labels import IMPORT_STATE_LABELS
from intersession.schools.models import AcademicYear, ImportJob, ImportKind, School, Subject
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
    return render_template(
        "schools/import_job.html",
        job=job,
        errors=errors,
        preview=preview,
        year=year,
        state_labels=IMPORT_STATE_LABELS,
        form=ButtonForm(),
    )


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
