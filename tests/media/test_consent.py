"""The engine's consent checks (consent.py) replace aioice's, which let go of any peer whose round
trip stays above 0.5 s. They rely on aioice 0.13 internals: these tests fail if an upgrade stops
the replacement from applying (the two-minute test in test_listeners.py shows what it is for)."""

from __future__ import annotations

import asyncio
from importlib.metadata import version

import aioice
import pytest

from intersession.rooms.media import consent, passthrough
from tests.media.peers import run_in_loop

pytestmark = pytest.mark.media


def test_aioice_is_the_version_consent_was_written_for() -> None:
    # On an upgrade: read aioice's Connection.query_consent and connect(), StunProtocol's
    # datagram_received and transactions, and Connection.build_request; adapt consent.py; then here.
    assert version("aioice") == "0.13.0"


def test_a_connected_ice_connection_runs_the_engines_consent_checks() -> None:
    passthrough.gather_only(["127.0.0.1"])
    consent.install()
    assert consent.installed()

    async def scenario() -> list[bool]:
        left = aioice.Connection(ice_controlling=True, components=1)
        right = aioice.Connection(ice_controlling=False, components=1)
        await asyncio.gather(left.gather_candidates(), right.gather_candidates())
        for one, other in ((left, right), (right, left)):
            for candidate in other.local_candidates:
                await one.add_remote_candidate(candidate)
            await one.add_remote_candidate(None)
            one.remote_username, one.remote_password = other.local_username, other.local_password
        await asyncio.gather(left.connect(), right.connect())
        ours = []
        for connection in (left, right):
            task = connection._query_consent_task
            coroutine = task.get_coro() if task is not None else None
            ours.append(getattr(coroutine, "cr_code", None) is consent.query_consent.__code__)
        await asyncio.gather(left.close(), right.close())
        return ours

    assert run_in_loop(scenario, timeout=30) == [True, True]
