"""What the pupil's main pages weigh on a rural link (DevTools' network conditions: 256 kbit/s
down, 128 up, 400 ms round trip), from the browser's own resource timing: on a first visit
(nothing cached) at most 100 KB, on a repeat visit at most 15 KB."""

from __future__ import annotations

from pathlib import Path
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
  // The favicon is fetched by the browser's own favicon service, which may answer it from its
  // own cache whatever was cleared: it is weighed by its file below when it shows nothing.
  const own = parts.filter(p => !p.name.includes('/static/img/icon'));
  return {page: page.transferSize, parts: own.map(p => [p.name, p.transferSize]),
          icon: parts.filter(p => p.name.includes('/static/img/icon')).map(p => p.transferSize),
          packed: [page, ...own].every(p => p.encodedBodySize < p.decodedBodySize)};
}"""
ICON = Path(__file__).resolve().parents[2] / "static" / "img" / "icon.svg"


def weigh(page: Any, url: str, first: bool) -> dict[str, Any]:
    page.goto(url, wait_until="load")
    seen = page.evaluate(TRANSFERRED)
    icon = sum(size or (ICON.stat().st_size if first else 0) for size in seen.pop("icon"))
    seen["total"] = seen["page"] + sum(size for _name, size in seen["parts"]) + icon
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
        first = weigh(page, live_server + path, first=True)
        again = weigh(page, live_server + path, first=False)
        assert first["total"] <= FIRST_VISIT, (path, first)
        assert again["total"] <= REPEAT_VISIT, (path, again)
        # What was sent at all was compressed, and nothing but the page came again.
        assert first["page"] > 0 and all(size > 0 for _name, size in first["parts"]), (path, first)
        assert first["packed"], first
        assert all(size == 0 for _name, size in again["parts"]), again
