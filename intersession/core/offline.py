"""Pages that open again without a connection: the service worker (static/js/sw.js), served from
the site's root so that it may look after every page, and the mark on the pages it keeps."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g
from flask.typing import ResponseReturnValue
from flask_login import current_user

bp = Blueprint("offline", __name__)
HEADER = "X-Keep-Offline"  # the person whose page this is: the worker keeps it in their cache
PRESENT = "X-Signed-In"  # on every page: who is signed in now, "0" for nobody


@bp.get("/sw.js")
def service_worker() -> ResponseReturnValue:
    path = Path(current_app.static_folder or "static") / "js" / "sw.js"
    response = Response(path.read_bytes(), mimetype="text/javascript")  # small: read whole
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"  # a new worker reaches the browser at once
    return response


def keep_offline() -> None:
    """This page may be opened again without a connection (a pupil's work, their list, home)."""
    g.keep_offline = True


def _mark(response: Response) -> Response:
    if response.mimetype != "text/html":  # pages only: a file asks nothing of the session
        return response
    signed_in = str(current_user.id) if current_user.is_authenticated else "0"
    response.headers[PRESENT] = signed_in  # the worker drops another person's pages on it
    if g.get("keep_offline") and current_user.is_authenticated and response.status_code == 200:
        response.headers[HEADER] = signed_in
    return response


def install_offline(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(_mark)
