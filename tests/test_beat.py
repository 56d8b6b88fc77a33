"""One Celery beat for the platform: with Redis, a second beat waits while the first holds the
lock, sends nothing meanwhile, and takes over when the first stops."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis

from intersession.config import celery_settings
from intersession.core.beat import STANDBY_SECONDS, SingleBeatScheduler
from tests.conftest import make_app
from tests.servers import RedisServer, require


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    require("redis-server")
    server = RedisServer(tmp_path / "redis")
    yield server.url
    server.stop()


def queued(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.llen("celery"))
    finally:
        client.close()


def test_a_second_beat_waits_sends_nothing_and_takes_over(tmp_path: Path, redis_url: str) -> None:
    app = make_app(tmp_path, CELERY=celery_settings(redis_url, tmp_path / "broker", tmp_path))
    celery = app.extensions["celery"]
    celery.conf.beat_schedule = {
        "often": {"task": "auth.purge-login-records", "schedule": timedelta(milliseconds=50)}
    }
    first = SingleBeatScheduler(app=celery, schedule_filename=str(tmp_path / "first"))
    second = SingleBeatScheduler(app=celery, schedule_filename=str(tmp_path / "second"))
    first.tick()
    assert first.active
    time.sleep(0.1)
    before = queued(redis_url)
    assert second.tick() == STANDBY_SECONDS and not second.active
    assert queued(redis_url) == before  # the waiting beat sent nothing
    time.sleep(0.1)
    first.tick()
    assert queued(redis_url) > before  # the holding one goes on sending
    first.close()
    time.sleep(0.1)
    second.tick()
    assert second.active
    time.sleep(0.1)
    sent = queued(redis_url)
    second.tick()
    assert queued(redis_url) > sent
    second.close()


def test_without_redis_the_one_beat_of_make_run_needs_no_lock(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    beat = SingleBeatScheduler(app=app.extensions["celery"], schedule_filename=str(tmp_path / "s"))
    assert beat.active
    assert beat.tick() <= 10
    beat.close()
