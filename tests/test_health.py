"""GET /healthz says whether the database and the broker are reachable."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from intersession.config import celery_settings
from intersession.core.db import db
from tests.conftest import make_app


def get_health(app: Flask) -> tuple[int, object]:
    response = app.test_client().get("/healthz")
    with app.app_context():
        db.engine.dispose()  # no pooled connection left behind for the garbage collector
    return response.status_code, response.json


def test_healthy(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "broker": "ok"}


def test_broker_down_answers_503(tmp_path: Path) -> None:
    # A Redis URL on a port where nothing listens, on loopback.
    app = make_app(tmp_path, CELERY=celery_settings("redis://127.0.0.1:9/0", tmp_path, tmp_path))
    assert get_health(app) == (503, {"status": "unavailable", "database": "ok", "broker": "down"})


def test_filesystem_broker_folder_missing_answers_503(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    folder = Path(app.config["CELERY"]["broker_transport_options"]["data_folder_in"])
    folder.rmdir()
    assert get_health(app)[0] == 503


def test_database_down_answers_503(tmp_path: Path) -> None:
    app = make_app(
        tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'missing' / 'db.sqlite'}"
    )
    status, body = get_health(app)
    assert status == 503 and body["database"] == "down"  # type: ignore[index]
