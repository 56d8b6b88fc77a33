"""Consent freshness (RFC 7675) that keeps peers on long round trips, for aioice 0.13 (pinned).

aioice checks consent every 4-6 s with one STUN request that is never retransmitted and given up
after 0.5 s (`stun.RETRY_RTO`), and closes the connection after six misses in a row. A peer whose
round trip stays above 0.5 s (satellite and crowded rural links) never answers in time, so the
engine cut it about 30 s after media started, while browsers and Janus keep it.

RFC 7675, section 5.1: each check is sent once, with a new transaction id; an answer to *any* check
sent in the last 30 s keeps consent, and consent expires only when none has come for 30 s. That is
what `install` puts in place of aioice's `Connection.query_consent`. A peer that is gone is still let
go 30-36 s after its last answer (the checks' pace), as before.

This changes every ICE connection of the process: it is done in the engine's set-up (engine.py and
worker.py), where the engine is the only user of aiortc. It relies on aioice internals named here;
tests/media/test_consent.py fails if an upgrade stops it applying.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import aioice.ice
from aioice import stun

logger = logging.getLogger(__name__)
CHECK_INTERVAL = 5.0  # seconds between checks, randomised by ±20% (RFC 7675, section 5.1)
CONSENT_EXPIRY = 30.0  # seconds without an answer before we must stop sending (RFC 7675)


class _Check:
    """One consent check, kept open for answers until consent would expire (aioice's transactions
    give up after 0.5 s). StunProtocol hands it any response with its transaction id."""

    def __init__(self, integrity_key: bytes) -> None:
        self.integrity_key = integrity_key
        self.answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def response_received(self, message: stun.Message, addr: tuple[str, int]) -> None:
        # Only an authenticated success counts (RFC 7675, section 5.1; RFC 8489, section 9.2.5).
        if (
            message.message_class == stun.Class.RESPONSE
            and message.check_message_integrity(self.integrity_key)
            and not self.answered.done()
        ):
            self.answered.set_result(None)


async def query_consent(self: aioice.ice.Connection) -> None:
    """In place of aioice's: a check every 4-6 s on each nominated pair, each sent once and waited
    for up to CONSENT_EXPIRY; the connection closes when a pair has had no answer for that long."""
    assert self.remote_password is not None  # connect() has the remote password by now
    key = self.remote_password.encode("utf8")
    loop = asyncio.get_running_loop()
    answered = {component: loop.time() for component in self._nominated}  # consent just given
    checks: set[asyncio.Task[None]] = set()

    async def check(component: int, pair: Any) -> None:
        request = self.build_request(pair, nominate=False)
        request.add_message_integrity(key)
        pending = _Check(key)
        pair.protocol.transactions[request.transaction_id] = pending
        try:
            pair.protocol.send_stun(request, pair.remote_addr)
            await asyncio.wait_for(pending.answered, CONSENT_EXPIRY)
            answered[component] = loop.time()
        except TimeoutError:
            pass
        finally:
            pair.protocol.transactions.pop(request.transaction_id, None)

    try:
        while True:
            await asyncio.sleep(CHECK_INTERVAL * (0.8 + 0.4 * random.random()))
            now = loop.time()
            if any(now - answered.get(c, now) >= CONSENT_EXPIRY for c in self._nominated):
                break
            for component, pair in self._nominated.items():
                task = asyncio.ensure_future(check(component, pair))
                checks.add(task)
                task.add_done_callback(checks.discard)
    finally:
        for task in list(checks):
            task.cancel()
    logger.info("ICE consent expired: no answer for %.0f s", CONSENT_EXPIRY)
    self._query_consent_task = None  # so that close() does not cancel this task
    await self.close()


def install() -> None:
    """Use `query_consent` for every ICE connection of this process from now on (idempotent)."""
    aioice.ice.Connection.query_consent = query_consent  # type: ignore[method-assign]


def installed() -> bool:
    return aioice.ice.Connection.query_consent is query_consent
