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
