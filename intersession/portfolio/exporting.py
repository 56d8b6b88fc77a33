"""Export pages: ask for a pupil's portfolio as a PDF or a ZIP, follow the task, download the file."""

from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user, login_required

from intersession.auth.models import User
from intersession.core import storage
from intersession.core.access import get_visible_or_404
from intersession.core.forms import ButtonForm
from intersession.portfolio import export
from intersession.portfolio.labels import EXPORT_STATE_LABELS
from intersession.portfolio.models import ExportKind, ExportState, PortfolioExport
from intersession.portfolio.views import bp


def _export(export_id: int) -> PortfolioExport:
    return get_visible_or_404(
        PortfolioExport, export_id, lambda e: export.can_export(current_user, e.pupil)
    )


@bp.post("/portfolio/pupils/<int:pupil_id>/export")
@login_required
def request_export(pupil_id: int) -> ResponseReturnValue:
    pupil = get_visible_or_404(User, pupil_id, lambda p: export.can_export(current_user, p))
    kind = request.form.get("kind", "")
    if not ButtonForm().validate_on_submit() or kind not in {k.value for k in ExportKind}:
        abort(400)
    made = export.request_export(current_user, pupil, ExportKind(kind))
    from intersession.portfolio.tasks import build_export

    build_export.delay(made.id, str(get_locale() or "ru"))
    return redirect(url_for("portfolio.export_page", export_id=made.id)), 303


@bp.get("/portfolio/exports/<int:export_id>")
@login_required
def export_page(export_id: int) -> ResponseReturnValue:
    found = _export(export_id)
    return render_template("portfolio/export.html", export=found, labels=EXPORT_STATE_LABELS)


@bp.get("/portfolio/exports/<int:export_id>/status")
@login_required
def export_status(export_id: int) -> ResponseReturnValue:
    found = _export(export_id)
    return jsonify(state=found.state.value, label=str(EXPORT_STATE_LABELS[found.state.value]),
                   done=found.done, total=found.total)  # fmt: skip


@bp.get("/portfolio/exports/<int:export_id>/file")
@login_required
def export_file(export_id: int) -> ResponseReturnValue:
    found = _export(export_id)
    if found.state is not ExportState.DONE or not found.stored_name:
        abort(404)
    response = send_file(
        storage.media_path(export.AREA, found.stored_name),
        mimetype="application/pdf" if found.kind is ExportKind.PDF else "application/zip",
        as_attachment=True,
        download_name=export.download_name(found),
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
