"""The tus 1.0 core protocol, with its creation, termination and expiration extensions, at
/uploads. Every answer but a success is plain text the page can show as it is."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, Response, current_app, g, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date

from intersession.core.errors import DomainError, NotFound
from intersession.core.inputs import has_control
from intersession.core.resumable import services
from intersession.core.resumable.models import ResumableUpload

bp = Blueprint("uploads", __name__)
VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration"
MAX_METADATA = 4096


def _answer(status: int, message: str = "", **headers: str) -> Response:
    response = Response(message, status, mimetype="text/plain")
    response.headers["Tus-Resumable"] = VERSION
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers)
    return response


def _state(upload: ResumableUpload, status: int) -> Response:
    return _answer(status, "", **{
        "Upload-Offset": str(upload.received), "Upload-Length": str(upload.length),
        "Upload-Expires": http_date(services.expires_at(upload)),
    })  # fmt: skip


def _number(header: str) -> int | None:
    """A header that must be a whole number of bytes; None when absent or not one."""
    value = request.headers.get(header, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 15 else None


def _metadata() -> dict[str, str]:
    """Upload-Metadata: comma-separated "key base64-value" pairs, the values UTF-8 text."""
    found: dict[str, str] = {}
    raw = request.headers.get("Upload-Metadata", "")
    if len(raw) > MAX_METADATA:
        raise DomainError(_("The file's description is too long."))
    for pair in filter(None, (p.strip() for p in raw.split(","))):
        key, _sep, value = pair.partition(" ")
        try:
            text = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise DomainError(_("The file's description could not be read.")) from None
        if has_control(text):
            raise DomainError(_("The file's name has invisible control characters in it."))
        found[key] = text
    return found


@bp.before_request
def _check_the_asker() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return _answer(401, _("You are signed out. Sign in again and send the file once more."))
    if request.method not in ("OPTIONS", "GET") and request.headers.get("Tus-Resumable") != VERSION:
        return _answer(412, _("This page is out of date. Reload it and send the file again."),
                       **{"Tus-Version": VERSION})  # fmt: skip
    return None


@bp.teardown_app_request
def _close_held(_error: BaseException | None) -> None:
    """The finished uploads a form named, opened to be kept: closed whatever became of them."""
    for held in g.pop("held_uploads", []):
        held.close()


@bp.errorhandler(CSRFError)  # by its code (400), before the site's own page for it
@bp.errorhandler(404)
@bp.errorhandler(405)
@bp.errorhandler(413)
@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    """In words the page can show as they are, not the site's HTML error page."""
    if isinstance(error, CSRFError):
        if not current_user.is_authenticated:
            return _answer(401, _("You are signed out. Sign in again and send the file once more."))
        return _answer(400, _("This page is out of date. Reload it and send the file again."))
    if error.code == 413:
        return _answer(413, _("More was sent than the file's size."))
    if error.code == 404:
        return _answer(
            404, _("This upload is not here any more. Choose the file and send it again.")
        )
    return _answer(error.code or 400, _("The file was sent in a way this server does not take."))


@bp.errorhandler(DomainError)
def _refused(error: DomainError) -> Response:
    if isinstance(error, NotFound):
        return _answer(404, error.message)
    if isinstance(error, services.TooLarge):
        return _answer(413, error.message)
    if isinstance(error, services.OutOfPlace):
        return _answer(409, error.message, **{"Upload-Offset": str(error.received)})
    return _answer(400, error.message)


@bp.route("/uploads", methods=["OPTIONS"], provide_automatic_options=False)
def options() -> ResponseReturnValue:
    return _answer(204, "", **{
        "Tus-Version": VERSION, "Tus-Extension": EXTENSIONS,
        "Tus-Max-Size": str(current_app.config["MAX_CONTENT_LENGTH"]),
    })  # fmt: skip


@bp.post("/uploads")
def create() -> ResponseReturnValue:
    length = _number("Upload-Length")
    if length is None:
        raise DomainError(_("The file's size was not sent. Reload the page and try again."))
    meta = _metadata()
    upload = services.begin_upload(current_user, current_user.id, meta.get("for", ""),
                                   meta.get("filename", ""), length)  # fmt: skip
    location = url_for("uploads.upload", upload_id=upload.id)
    return _answer(201, "", Location=location, **{
        "Upload-Expires": http_date(services.expires_at(upload))
    })  # fmt: skip


@bp.route("/uploads/<upload_id>", methods=["HEAD"])
def upload(upload_id: str) -> ResponseReturnValue:
    return _state(services.find_upload(upload_id, current_user.id), 200)


@bp.patch("/uploads/<upload_id>")
def append(upload_id: str) -> ResponseReturnValue:
    found = services.find_upload(upload_id, current_user.id)
    if request.mimetype != "application/offset+octet-stream":
        return _answer(415, _("The file was sent in a way this server does not take."))
    offset = _number("Upload-Offset")
    if offset is None:
        raise DomainError(_("The part of the file sent did not say where it goes."))
    declared = request.content_length
    if declared is not None and declared > current_app.config["MAX_CONTENT_LENGTH"]:
        raise services.TooLarge(_("More was sent than the file's size."))
    services.receive_chunk(found, offset, request.stream, declared)
    return _state(found, 204)


@bp.delete("/uploads/<upload_id>")
def cancel(upload_id: str) -> ResponseReturnValue:
    services.cancel_upload(services.find_upload(upload_id, current_user.id))
    return _answer(204)
