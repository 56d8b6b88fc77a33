"""GET /healthz: is the database reachable, is the broker reachable."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from intersession.core.db import db

bp = Blueprint("health", __name__)


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        db.session.rollback()
        return False


def _broker_ok() -> bool:
    celery = current_app.extensions["celery"]
    options = celery.conf.broker_transport_options or {}
    if "data_folder_in" in options:
        from pathlib import Path

        folder = Path(options["data_folder_in"])
        return folder.is_dir() and folder.stat().st_mode & 0o200 != 0
    try:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"} | {
        k: "ok" if v else "down" for k, v in checks.items()
    }
    return jsonify(body), 200 if healthy else 503
