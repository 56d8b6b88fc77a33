"""A real Celery worker process runs the import task from the embedded filesystem broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from intersession.config import celery_settings
from intersession.core.db import db
from intersession.schools import imports
from intersession.schools.models import ImportJob, ImportKind, ImportState
from intersession.schools.tasks import run_import
from tests.conftest import make_app
from tests.factories import build_hub


@pytest.mark.worker
def test_worker_runs_the_import(tmp_path: Path) -> None:
    broker = tmp_path / "broker"
    app = make_app(tmp_path, CELERY=celery_settings("filesystem://", broker, tmp_path))
    env = dict(
        os.environ,
        INTERSESSION_INSTANCE=str(tmp_path),
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        MEDIA_ROOT=app.config["MEDIA_ROOT"],
        CELERY_BROKER_URL="filesystem://",
        CELERY_BROKER_FOLDER=str(broker),
    )
    with app.app_context():
        db.create_all()
        hub = build_hub()
        text = "full_name,login,role,school,grade\nЖұмабаев Нұрлан,nurlan,pupil,Magnet,9\n"
        job = imports.start_import(hub.coordinator, ImportKind.PEOPLE, None, "w.csv", text.encode())
        assert imports.queue_import(hub.coordinator, job)
        run_import.delay(job.id)  # sits in the broker folder until a worker takes it
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "intersession.worker:celery",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            state = ImportState.QUEUED
            while time.monotonic() < deadline:
                db.session.expire_all()
                found = db.session.get(ImportJob, job.id)
                assert found is not None
                state = found.state
                if state in (ImportState.DONE, ImportState.FAILED):
                    break
                time.sleep(0.3)
        finally:
            worker.terminate()
            output = worker.communicate(timeout=30)[0]
        assert state is ImportState.DONE, output[-3000:]
        assert "schools.run-import" in output
        db.session.remove()
        db.engine.dispose()
