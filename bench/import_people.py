"""How long the CSV import of people takes: the check (preview) and the all-or-nothing write.

    .venv/bin/python bench/import_people.py [rows ...]      (default: 1000 10000)

Runs against a fresh SQLite file in a temporary folder (WAL mode, as in production defaults) and
prints one line per size.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["INTERSESSION_INSTANCE"] = folder
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from intersession import create_app
        from intersession.config import TestConfig
        from intersession.core.db import db
        from intersession.schools import imports
        from intersession.schools.models import ImportKind
        from tests.factories import build_hub

        for size in sizes:
            config = TestConfig(
                SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/bench-{size}.sqlite",
                MEDIA_ROOT=f"{folder}/media",
            )
            app = create_app(config)
            with app.app_context():
                db.create_all()
                hub = build_hub()
                rows = "".join(
                    f"Сәрсенбаев Әлихан {i},pupil{i},pupil,{'Magnet' if i % 2 else 'Far'},{8 + i % 4}\n"
                    for i in range(size)
                )
                data = ("full_name,login,role,school,grade\n" + rows).encode()
                started = time.perf_counter()
                job = imports.start_import(
                    hub.coordinator, ImportKind.PEOPLE, None, "bench.csv", data
                )
                checked = time.perf_counter()
                imports.queue_import(hub.coordinator, job)
                imports.run_import(job.id)
                done = time.perf_counter()
                print(
                    f"{size:>7} rows  {len(data) / 1024:8.0f} KiB  check {checked - started:6.2f} s  "
                    f"import (re-check and write) {done - checked:6.2f} s  "
                    f"{size / (done - checked):8.0f} rows/s"
                )
                db.session.remove()
                db.engine.dispose()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
