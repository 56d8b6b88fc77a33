"""What the pupil's main pages weigh on a rural link (DevTools' network conditions: 256 kbit/s
down, 128 up, 400 ms round trip), from the browser's own resource timing: on a first visit
(nothing cached) at most 100 KB, on a repeat visit at most 15 KB."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser

FIRST_VISIT = 100_000
REPEAT_VISIT = 15_000
RURAL = {"offline": False, "latency": 400, "downloadThroughput": 32_000, "uploadThroughput": 16_000}
TRANSFERRED = """() => {
  const page = performance.getEntriesByType('navigation')[0];
  const parts = performance.getEntriesByType('resource');
  return {page: page.transferSize, parts: parts.map(p => [p.name, p.transferSize]),
          packed: [page, ...parts].every(p => p.encodedBodySize < p.decodedBodySize)};
}"""


def weigh(page: Any, url: str) -> dict[str, Any]:
    page.goto(url, wait_until="load")
    seen = page.evaluate(TRANSFERRED)
    seen["total"] = seen["page"] + sum(size for _name, size in seen["parts"])
    return seen


def test_the_pupils_pages_are_light_first_and_again(
    live_server: str, new_page: Any, live_app: Any
) -> None:
    work_id = live_app.add_work("Квадрат теңдеулер", "Шешіңіз **бес** есепті.")
    page = new_page(locale="kk-KZ")
    sign_in(page, live_server, "pup")
    devtools = page.context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.send("Network.emulateNetworkConditions", RURAL)
    pages = ["/", "/work", f"/work/{work_id}", "/lessons", "/portfolio"]
    for path in pages:
        devtools.send("Network.clearBrowserCache")  # and what the service worker kept
        devtools.send("Storage.clearDataForOrigin", {"origin": live_server,
                                                     "storageTypes": "cache_storage,service_workers"})  # fmt: skip
        first = weigh(page, live_server + path)
        again = weigh(page, live_server + path)
        assert first["total"] <= FIRST_VISIT, (path, first)
        assert again["total"] <= REPEAT_VISIT, (path, again)
        # What was sent at all was compressed, and nothing but the page came again.
        assert first["page"] > 0 and all(size > 0 for _name, size in first["parts"]), first
        assert first["packed"], first
        assert all(size == 0 for _name, size in again["parts"]), again
