"""Fixtures of the media tests: the engine in worker processes, as a running platform has it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from intersession.rooms.media.workers import MediaWorkers


@pytest.fixture
def workers() -> Iterator[MediaWorkers]:
    pool = MediaWorkers(2, [], ["127.0.0.1"])
    yield pool
    pool.stop()
