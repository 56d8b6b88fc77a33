"""The pupil's main pages on a rural link, as a browser gets them: for each page, the bytes
transferred and the time to a usable page (its load event) at 256 kbit/s down, 128 up and a
400 ms round trip (DevTools' network conditions in Debian's Chromium), on a first visit (nothing
cached) and on a repeat visit. Served by gunicorn from a checkout (`root`) with the demo hub, in
a folder of its own; run by `bench/weak_link.py --pages`."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

prepared: dict[str, Any] = {}  # what `served(prepare=…)` printed last, as JSON
RURAL = {"offline": False, "latency": 400, "downloadThroughput": 32_000, "uploadThroughput": 16_000}
PAGES = ["/", "/work", "/work/{work}", "/lessons", "/portfolio"]
MEASURED = """() => {
  const page = performance.getEntriesByType('navigation')[0];
  const parts = performance.getEntriesByType('resource');
  return {bytes: page.transferSize + parts.reduce((sum, p) => sum + p.transferSize, 0),
          usable_s: page.loadEventEnd / 1000, parts: parts.length};
}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(root: Path, prepare: str = "") -> Iterator[str]:
    """gunicorn serving the checkout at `root` on the demo hub (SQLite, in a folder of its own);
    `prepare`, Python run in that instance before the server starts (what a benchmark needs in
    the database), prints what the benchmark is to know: see `prepared`."""
    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    port = _free_port()
    env = {**os.environ, "INTERSESSION_INSTANCE": str(folder), "PORT": str(port),
           "PYTHONPATH": str(root)}  # fmt: skip
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["db", "upgrade"], ["seed-if-empty"]):
        subprocess.run([*flask, *command], cwd=root, env=env, check=True, capture_output=True)
    if prepare:
        done = subprocess.run([sys.executable, "-c", prepare], cwd=root, env=env, check=True,
                              capture_output=True, text=True)  # fmt: skip
        prepared.update(json.loads(done.stdout.strip().splitlines()[-1]))
    start = "from intersession.server import WebServer, settings; WebServer(settings()).run()"
    server = subprocess.Popen([sys.executable, "-c", start], cwd=root, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url + "/login", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def demo_pupils_work(page: Any, url: str) -> str:
    """Signed in as the demo's 9th-grade pupil (the demo's work is theirs): its id."""
    from intersession.demo import DEMO_PASSWORD

    page.goto(url + "/login")
    page.fill("#login", "pupil2")
    page.fill("#password", DEMO_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(url + "/")
    page.goto(url + "/work")
    found = re.search(r'href="/work/(\d+)"', page.content())
    if found is None:
        raise SystemExit("The demo pupil has no work to open")
    return found.group(1)


def measure(root: Path, label: str) -> list[dict[str, Any]]:
    """One line per page and visit for the checkout at `root`."""
    from playwright.sync_api import sync_playwright

    lines = []
    with served(root) as url, sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--disable-gpu"]
        )
        # Without the service worker: DevTools throttles only the page, not what a worker fetches
        # for it (and a repeat visit under the worker only asks less: its cache holds the files).
        page = browser.new_context(locale="ru-RU", service_workers="block").new_page()
        work = demo_pupils_work(page, url)
        devtools = page.context.new_cdp_session(page)
        devtools.send("Network.enable")
        devtools.send("Network.emulateNetworkConditions", RURAL)
        for path in PAGES:
            address = path.format(work=work)
            devtools.send("Network.clearBrowserCache")
            for visit in ("first", "repeat"):
                page.goto(url + address, wait_until="load")
                seen = page.evaluate(MEASURED)
                lines.append({"checkout": label, "page": address, "visit": visit,
                              "bytes": seen["bytes"], "usable_s": round(seen["usable_s"], 2),
                              "files": seen["parts"]})  # fmt: skip
        browser.close()
    return lines
