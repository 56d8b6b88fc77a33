"""The pages of the workbook of every pupil's progress: ask for it, follow the task, download it."""

from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user, login_required

from intersession.core import storage
from intersession.core.access import get_visible_or_404
from intersession.core.forms import ButtonForm
from intersession.core.spreadsheets import XLSX
from intersession.portfolio.labels import EXPORT_STATE_LABELS
from intersession.reports import bulk
from intersession.reports.models import ExportState, ProgressExport
from intersession.reports.progress import Span
from intersession.reports.tasks import build_progress_export
from intersession.reports.views import _staff, bp


def _progress_export(export_id: int) -> ProgressExport:
    """Only the one who asked for it: the file holds what they may see."""
    return get_visible_or_404(
        ProgressExport, export_id, lambda e: e.requested_by_id == current_user.id
    )


@bp.post("/exports")
@login_required
def request_progress_export() -> ResponseReturnValue:
    _staff()
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        span = Span(request.form.get("span", ""))
    except ValueError:
        abort(400)
    made = bulk.request_progress_export(current_user, span, str(get_locale() or "ru"))
    build_progress_export.delay(made.id)
    return redirect(url_for(".progress_export_page", export_id=made.id)), 303


@bp.get("/exports/<int:export_id>")
@login_required
def progress_export_page(export_id: int) -> ResponseReturnValue:
    return render_template("reports/export.html", export=_progress_export(export_id),
                           labels=EXPORT_STATE_LABELS)  # fmt: skip


@bp.get("/exports/<int:export_id>/status")
@login_required
def progress_export_status(export_id: int) -> ResponseReturnValue:
    found = _progress_export(export_id)
    return jsonify(state=found.state.value, label=str(EXPORT_STATE_LABELS[found.state.value]),
                   done=found.done, total=found.total)  # fmt: skip


@bp.get("/exports/<int:export_id>/file")
@login_required
def progress_export_file(export_id: int) -> ResponseReturnValue:
    found = _progress_export(export_id)
    if found.state is not ExportState.DONE or not found.stored_name:
        abort(404)
    response = send_file(storage.media_path(bulk.AREA, found.stored_name), mimetype=XLSX,
                         as_attachment=True, download_name=f"progress-{found.id}.xlsx", max_age=0)  # fmt: skip
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
