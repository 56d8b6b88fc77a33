"""The migrations are the schema: upgrading an empty database gives exactly the models' schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from intersession.core.db import db
from tests.conftest import make_app


def test_upgrade_matches_models_and_downgrade_empties(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    with app.app_context():
        db.drop_all()  # a shared server database may hold tables made by other tests
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"render_as_batch": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        assert tables == set()
        db.engine.dispose()


def test_upgrading_keeps_the_rows_of_rebuilt_tables(tmp_path: Path) -> None:
    """SQLite rebuilds `lesson` in 0005; the register rows that point at it must survive."""
    from sqlalchemy import text

    app = make_app(tmp_path)
    with app.app_context():
        db.drop_all()
        upgrade(revision="0004")
        statements = [
            "INSERT INTO school (id, name, kind, district, timezone) VALUES (1, 'Hub', 'hub', 'D', 'Asia/Almaty')",
            'INSERT INTO "user" (id, full_name, login, role, school_id, active, created_at)'
            " VALUES (1, 'A', 'adv', 'advisor', 1, TRUE, '2026-01-01 00:00:00+00')",
            'INSERT INTO "user" (id, full_name, login, role, school_id, grade, active, created_at)'
            " VALUES (2, 'P', 'pup', 'pupil', 1, 9, TRUE, '2026-01-01 00:00:00+00')",
            "INSERT INTO subject (id, hub_id, name) VALUES (1, 1, 'M')",
            "INSERT INTO lesson (id, kind, state, advisor_id, subject_id, title, description, starts_at,"
            " duration_minutes, created_at) VALUES (1, 'consultation', 'scheduled', 1, 1, 'T', '',"
            " '2026-12-01 05:00:00+00', 30, '2026-11-01 00:00:00+00')",
            "INSERT INTO attendance_row (lesson_id, pupil_id, status) VALUES (1, 2, 'present')",
        ]
        with db.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM attendance_row")).scalar() == 1
            assert connection.execute(text("SELECT capacity FROM lesson")).scalar() is None
        downgrade(revision="base")
        db.engine.dispose()
