"""One app and one hub for the whole fuzz suite (made once: the world puts itself back after
every request that writes), on SQLite or on INTERSESSION_TEST_DATABASE_URL."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from intersession.core.db import db
from tests.conftest import make_app
from tests.fuzz.data import build_world
from tests.fuzz.world import World, make_world


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app = make_app(tmp_path_factory.mktemp("fuzz"))
    with app.app_context():
        db.drop_all()  # a shared server database may hold the last test's tables
        db.create_all()
        made = build_world()
        world = make_world(app, made)
        if not app.logger.propagate:
            app.logger.addHandler(world.errors)
        yield world
        logging.getLogger().removeHandler(world.errors)
        app.logger.removeHandler(world.errors)
        elapsed = time.monotonic() - world.started
        print(f"\nfuzz: sent {dict(world.sent)} in {elapsed:.0f} s, {len(world.failures)} failures")
        db.session.remove()
        db.engine.dispose()


def check(world: World, first: int, what: str) -> None:
    """Fail with every failure since `first`, grouped, one line each."""
    found = world.failures[first:]
    if found:
        mine = World.__new__(World)
        mine.failures = found
        pytest.fail(f"{what}: {len(found)} failures\n{World.report(mine)}", pytrace=False)
