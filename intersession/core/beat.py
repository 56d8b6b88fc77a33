"""Exactly one Celery beat for the whole platform.

Beat sends the periodic tasks (reminders, sweeps, purges); two of them would send each reminder
twice. On one machine (the embedded broker) there is only the beat `make run` starts. With Redis, a
beat runs only while it holds a lock there: a second beat started by mistake, or on a standby
machine, waits and takes over within LOCK_SECONDS of the first one stopping.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from typing import Any

from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)
LOCK_KEY = "intersession:celery-beat"
LOCK_SECONDS = 30  # a beat that stopped is replaced after at most this long
STANDBY_SECONDS = 5.0  # how often a waiting beat tries to take over


class SingleBeatScheduler(PersistentScheduler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock: Any = None
        url = str(self.app.conf.broker_url or "")
        if url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(url)
            self._lock = client.lock(LOCK_KEY, timeout=LOCK_SECONDS, thread_local=False)
        self.active = self._lock is None

    def _hold(self) -> bool:
        """Keep the lock if ours, or take it if free; False while another beat holds it."""
        from redis.exceptions import LockError, RedisError

        try:
            if self.active:
                self._lock.reacquire()  # our lease, renewed at every tick
                return True
            if self._lock.acquire(blocking=False):
                logger.warning("this beat (%s) sends the periodic tasks now", socket.gethostname())
                self.active = True
                return True
        except LockError:
            logger.warning("another beat took over the periodic tasks")
        except RedisError:  # Redis away for a moment: send nothing rather than twice
            logger.exception("the beat lock could not be checked")
        self.active = False
        return False

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if self._lock is not None and not self._hold():
            return STANDBY_SECONDS
        # Never sleep past the lease, so it is renewed before it runs out.
        return min(float(super().tick(*args, **kwargs)), LOCK_SECONDS / 3)

    def close(self) -> None:
        if self._lock is not None and self.active:
            from redis.exceptions import RedisError

            with contextlib.suppress(RedisError):
                self._lock.release()  # a standby beat takes over at once
        super().close()
