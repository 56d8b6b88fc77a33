"""A lesson's sound downloaded for listening offline on a link that drops: it goes on from the
part it had reached, also after the page is reloaded, and the file saved is the recording's."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import choose_language
from tests.e2e.test_coordinator_setup import shot
from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser

SIZE = 3 * 2**20 + 12345
LINK = {"latency": 100, "downloadThroughput": 250_000, "uploadThroughput": 50_000}


def _share(page: Any) -> float:
    return float(page.evaluate(
        "(b => b && b.max ? b.value / b.max : 0)(document.getElementById('download-audio-progress'))"
    ))  # fmt: skip


def test_the_sound_downloads_across_a_drop_and_a_reload(
    live_server: str, new_page: Any, live_app: Any, tmp_path: Path
) -> None:
    lesson_id = live_app.lesson_now(-3600)
    audio = b"\x1aE\xdf\xa3" + os.urandom(SIZE - 4)
    live_app.add_recording(lesson_id, audio)
    page = new_page(locale="kk-KZ")
    sign_in(page, live_server, "pup")
    choose_language(page, "kk")  # the pupil's language, whatever another test left
    page.goto(f"{live_server}/lessons/{lesson_id}/recording")
    devtools = page.context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.send("Network.emulateNetworkConditions", {"offline": False, **LINK})
    page.click("#download-audio")
    deadline = time.monotonic() + 60
    while _share(page) < 0.3:
        assert time.monotonic() < deadline
        page.wait_for_timeout(100)
    page.context.set_offline(True)
    page.wait_for_selector("#download-audio-status:has-text('осы компьютерде сақталды')")
    shot(page, "74-download-dropped-kk")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    while _share(page) < 0.7:
        assert time.monotonic() < deadline
        page.wait_for_timeout(100)
    page.reload()  # the parts that came are kept
    devtools = page.context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.send("Network.emulateNetworkConditions", {"offline": False, **LINK})
    with page.expect_download(timeout=60_000) as waiting:
        page.click("#download-audio")
        page.wait_for_function("document.getElementById('download-audio-progress').value > 0")
        assert _share(page) >= 0.55  # it went on from the parts it had
    saved = Path(waiting.value.path())
    assert hashlib.sha256(saved.read_bytes()).digest() == hashlib.sha256(audio).digest()
    assert waiting.value.suggested_filename.endswith(".webm")
