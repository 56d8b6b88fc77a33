"""A pupil's 5 MB answer on a link that drops twice: the link goes for 5 s when the page's bar
shows 30% and again at 70%; the pupil presses "save" again only when the page asks them to. The
time from the first press to the saved draft, and the bytes the browser sent for it, counted by
a relay in front of gunicorn (what a dropped request had sent counts too). Run by
`bench/weak_link.py --upload`."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from bench.pages import demo_pupils_work, served

SIZE = 5 * 10**6
DROPS = (0.3, 0.7)
OFFLINE_S = 5.0
SHARE = """() => { const bar = [...document.querySelectorAll('progress')].find(b => !b.hidden);
  return bar && bar.max ? bar.value / bar.max : 0; }"""


class CountingRelay:
    """A TCP relay on loopback that counts the bytes going to the server, and whose link can be
    cut: every connection reset, new ones refused, until it is restored. (DevTools' offline
    mode alone only holds a request already under way, then lets it go on.)"""

    def __init__(self, target_port: int) -> None:
        self.target_port, self.sent, self.down = target_port, 0, False
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        with self.lock:
            self.down = True
            for end in self.open:
                with suppress(OSError):
                    end.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    end.close()
            self.open.clear()

    def restore(self) -> None:
        self.down = False

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.open.update((client, server))
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, counted: bool) -> None:
        try:
            while data := source.recv(65536):
                if counted:
                    with self.lock:
                        self.sent += len(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()


@contextmanager
def answer_file() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    path = folder / "Жоба.pdf"
    path.write_bytes(b"%PDF-1.4\n" + os.urandom(SIZE - 16) + b"\n%%EOF\n")
    try:
        yield path
    finally:
        path.unlink()
        folder.rmdir()


def measure_upload(root: Path, label: str, kbps: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    link = {"latency": 400, "downloadThroughput": 32_000, "uploadThroughput": kbps * 125}
    with served(root) as url, answer_file() as answer, sync_playwright() as driver:
        relay = CountingRelay(int(url.rsplit(":", 1)[1]))
        url = f"http://127.0.0.1:{relay.port}"
        browser = driver.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--disable-gpu"]
        )
        page = browser.new_context(locale="ru-RU").new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(f"{url}/work/{demo_pupils_work(page, url)}")
        devtools = page.context.new_cdp_session(page)
        devtools.send("Network.enable")
        devtools.send("Network.emulateNetworkConditions", {"offline": False, **link})
        page.set_input_files("input[type=file]", str(answer))
        before = relay.sent
        started = time.monotonic()
        page.click("button[name=save]")
        presses = 1
        for share in DROPS:
            deadline = time.monotonic() + 20 * SIZE * 8 / 1000 / kbps
            while (now := page.evaluate(SHARE)) < share:
                if time.monotonic() > deadline:
                    status = (
                        page.inner_text("[role=status]") if page.is_visible("[role=status]") else ""
                    )
                    raise SystemExit(
                        f"{label}: stuck at {now:.0%} before the drop at {share:.0%}: {status}"
                    )
                page.wait_for_timeout(100)
            print(f"{label}: the link drops at {now:.0%}", file=sys.stderr, flush=True)
            devtools.send("Network.emulateNetworkConditions", {"offline": True, **link})
            relay.cut()
            page.wait_for_timeout(OFFLINE_S * 1000)
            relay.restore()
            devtools.send("Network.emulateNetworkConditions", {"offline": False, **link})
            page.wait_for_timeout(1000)
            if page.is_enabled("button[name=save]"):  # the page asks for the file again
                page.click("button[name=save]")
                presses += 1
        page.wait_for_selector("text=Черновик сохранён", timeout=1_800_000)
        seconds = time.monotonic() - started
        sent = relay.sent - before
        browser.close()
        relay.close()
    return {"checkout": label, "upload_kbps": kbps, "bytes_sent": sent, "file_bytes": SIZE,
            "sent_twice_share": round((sent - SIZE) / SIZE, 3), "seconds": round(seconds, 1),
            "presses": presses}  # fmt: skip
