"""A real Celery worker process runs the import task from the embedded filesystem broker."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from intersession.config import celery_settings
from intersession.core.db import db
from intersession.schools import imports
from intersession.schools.models import ImportJob, ImportKind, ImportState
from intersession.schools.tasks import run_import
from tests.conftest import make_app, start_worker
from tests.factories import build_hub


@pytest.mark.worker
def test_worker_runs_the_import(tmp_path: Path) -> None:
    broker = tmp_path / "broker"
    app = make_app(tmp_path, CELERY=celery_settings("filesystem://", broker, tmp_path))
    with app.app_context():
        db.create_all()
        hub = build_hub()
        text = "full_name,login,role,school,grade\nЖұмабаев Нұрлан,nurlan,pupil,Magnet,9\n"
        job = imports.start_import(hub.coordinator, ImportKind.PEOPLE, None, "w.csv", text.encode())
        assert imports.queue_import(hub.coordinator, job)
        run_import.delay(job.id)  # sits in the broker folder until a worker takes it
        worker = start_worker(
            app, tmp_path, broker, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
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
