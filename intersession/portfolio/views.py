"""Portfolio pages: the pupil's entries and form, an entry with its workflow and comments, and the
tutor's queue of entries waiting for verification."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from intersession.auth.models import Role, User
from intersession.core import files, seen
from intersession.core.access import get_visible_or_404
from intersession.core.db import db
from intersession.core.errors import Conflict, DomainError, Forbidden, NotFound
from intersession.core.files import send_stored
from intersession.core.forms import ButtonForm
from intersession.core.inputs import number_or_none
from intersession.core.resumable.forms import sent_files
from intersession.portfolio import overviews, services
from intersession.portfolio.access import can_comment, can_verify, can_view_entry
from intersession.portfolio.export import exports_of
from intersession.portfolio.forms import CommentForm, EntryForm, NoteForm
from intersession.portfolio.models import EntryKind, EntryState, Level, PortfolioEntry, Result

bp = Blueprint("portfolio", __name__, template_folder="templates")
MAX_EVIDENCE = 10


def _entry(entry_id: int) -> PortfolioEntry:
    return get_visible_or_404(PortfolioEntry, entry_id, lambda e: can_view_entry(current_user, e))


def _version(value: str | None) -> int | None:
    return number_or_none(value)


@bp.get("/portfolio")
@login_required
def portfolio() -> ResponseReturnValue:
    """A pupil's own entries (a timeline, or by kind); a tutor's school with the entries waiting
    for them; an advisor's pupils; the coordinator's search across the schools."""
    if current_user.role is Role.PUPIL:
        entries = db.session.scalars(
            select(PortfolioEntry)
            .where(
                PortfolioEntry.pupil_id == current_user.id,
                PortfolioEntry.state != EntryState.SUPERSEDED,
            )
            .order_by(PortfolioEntry.happened_on.desc(), PortfolioEntry.id.desc())
        ).all()
        return render_template("portfolio/mine.html", entries=entries, by_kind=_by_kind(),
                               exports=exports_of(current_user), pupil=current_user,
                               export_form=ButtonForm())  # fmt: skip
    if current_user.role is Role.TUTOR:
        entries = db.session.scalars(
            select(PortfolioEntry).join(User, User.id == PortfolioEntry.pupil_id)
            .where(User.school_id == current_user.school_id, PortfolioEntry.state != EntryState.SUPERSEDED)
            .order_by(PortfolioEntry.updated_at.desc())
        ).all()  # fmt: skip
        waiting = [e for e in entries if e.state is EntryState.SUBMITTED]
        return render_template("portfolio/school.html", entries=entries, waiting=waiting,
                               counts=overviews.counts(current_user))  # fmt: skip
    if current_user.role is Role.ADVISOR:
        return render_template("portfolio/pupils.html", counts=overviews.counts(current_user))
    return redirect(url_for("portfolio.search"))


def _by_kind() -> bool:
    return request.args.get("by") == "kind"


def _plan(form: EntryForm) -> services.EntryPlan:
    assert form.happened_on.data is not None
    return services.EntryPlan(
        kind=EntryKind(form.kind.data), title=form.title.data or "", happened_on=form.happened_on.data,
        description=form.description.data or "", level=Level(form.level.data) if form.level.data else None,
        result=Result(form.result.data) if form.result.data else None, place=form.place.data,
        links=form.links.data or "",
    )  # fmt: skip


def _add_evidence(entry: PortfolioEntry) -> None:
    """The uploaded evidence joins the entry; a refused file keeps nothing of this upload."""
    uploads = sent_files("evidence", "evidence")
    if len(entry.evidence) + len(uploads) > MAX_EVIDENCE:
        raise DomainError(_("Up to 10 files of evidence."), "evidence")
    with files.kept_uploads(uploads, current_user.id) as kept:
        entry.evidence.extend(kept)
        db.session.commit()


def _form_page(form: EntryForm, entry: PortfolioEntry | None, status: int) -> ResponseReturnValue:
    return render_template("portfolio/form.html", form=form, entry=entry), status


@bp.route("/portfolio/new", methods=["GET", "POST"])
@login_required
def new_entry() -> ResponseReturnValue:
    if current_user.role is not Role.PUPIL:
        abort(404)
    form = EntryForm()
    if not form.validate_on_submit():
        return _form_page(form, None, 400 if form.is_submitted() else 200)
    try:
        entry = services.create_entry(current_user, _plan(form))
        try:
            _add_evidence(entry)
        except DomainError:
            db.session.delete(entry)  # a refused file: no half-made entry either
            db.session.commit()
            raise
    except DomainError as error:
        getattr(form, error.field or "", form.title).errors.append(error.message)
        return _form_page(form, None, 400)
    flash(_("Saved as a draft. Send it to your tutor when it is ready."), "success")
    return redirect(url_for("portfolio.entry", entry_id=entry.id)), 303


@bp.route("/portfolio/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(entry_id: int) -> ResponseReturnValue:
    entry = _entry(entry_id)
    if entry.pupil_id != current_user.id:
        abort(403)
    form = EntryForm(obj=None if request.method == "POST" else entry)
    if request.method == "GET":
        form.kind.data, form.version.data = entry.kind.value, str(entry.version)
        form.level.data = entry.level.value if entry.level else ""
        form.result.data = entry.result.value if entry.result else ""
    if not form.validate_on_submit():
        return _form_page(form, entry, 400 if form.is_submitted() else 200)
    try:
        services.update_entry(current_user, entry, _plan(form), _version(form.version.data))
        _add_evidence(entry)
    except Conflict as error:
        form.form_errors.append(error.message)
        return _form_page(form, entry, 409)
    except Forbidden as error:
        form.form_errors.append(error.message)
        return _form_page(form, entry, 403)
    except DomainError as error:
        getattr(form, error.field or "", form.title).errors.append(error.message)
        return _form_page(form, entry, 400)
    flash(_("The changes are saved."), "success")
    return redirect(url_for("portfolio.entry", entry_id=entry.id)), 303


@bp.get("/portfolio/<int:entry_id>")
@login_required
def entry(entry_id: int) -> ResponseReturnValue:
    found = _entry(entry_id)
    if current_user.id == found.pupil_id:
        seen.mark_seen(current_user.id, seen.ENTRY, found.id)  # its comments are read now
    return _page(found)


def _page(found: PortfolioEntry, status: int = 200, error: str = "") -> ResponseReturnValue:
    return render_template(
        "portfolio/entry.html", entry=found, error=error, note_form=NoteForm(formdata=None),
        comment_form=CommentForm(formdata=None), can_verify=can_verify(current_user, found),
        can_comment=can_comment(current_user, found), mine=found.pupil_id == current_user.id,
    ), status  # fmt: skip


@bp.post("/portfolio/<int:entry_id>/<any(send, verify, changes, reject, version):action>")
@login_required
def act(entry_id: int, action: str) -> ResponseReturnValue:
    """The workflow's steps: the pupil sends or makes a new version; the tutor decides."""
    found = _entry(entry_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _page(found, 400, _("Nothing was saved: the form was not sent whole. Try again."))
    version, note = _version(form.version.data), form.note.data or ""
    try:
        if action == "send":
            services.send_for_verification(current_user, found, version)
            message = _("Sent to your tutor.")
        elif action == "version":
            found = services.new_version(current_user, found)
            message = _(
                "A new version to edit; the verified one counts until this one is verified."
            )
        elif action == "verify":
            services.verify(current_user, found, version)
            message = _("Verified: the entry counts in reports and exports.")
        elif action == "changes":
            services.ask_for_changes(current_user, found, note, version)
            message = _("Sent back to the pupil with your note.")
        else:
            services.reject(current_user, found, note, version)
            message = _("Rejected, with your reason.")
    except NotFound:
        abort(404)
    except Forbidden as error:
        return _page(found, 403, error.message)
    except Conflict as error:
        db.session.expire_all()
        return _page(found, 409, error.message)
    except DomainError as error:
        return _page(found, 400, error.message)
    flash(message, "success")
    return redirect(url_for("portfolio.entry", entry_id=found.id)), 303


@bp.post("/portfolio/<int:entry_id>/comments")
@login_required
def add_comment(entry_id: int) -> ResponseReturnValue:
    found = _entry(entry_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _page(found, 400, _("Nothing was saved: the form was not sent whole. Try again."))
    try:
        services.comment(current_user, found, form.text.data or "", _version(form.parent.data))
    except NotFound:
        abort(404)
    except Forbidden as error:
        return _page(found, 403, error.message)
    except DomainError as error:
        return _page(found, 400, error.message)
    return redirect(url_for("portfolio.entry", entry_id=found.id) + "#comments"), 303


@bp.get("/portfolio/<int:entry_id>/files/<int:file_id>")
@login_required
def evidence(entry_id: int, file_id: int) -> ResponseReturnValue:
    found = _entry(entry_id)
    stored = next((f for f in found.evidence if f.id == file_id), None)
    if stored is None:
        abort(404)
    return send_stored(stored)


from intersession.portfolio import exporting, pages  # noqa: E402, F401  their routes join bp
