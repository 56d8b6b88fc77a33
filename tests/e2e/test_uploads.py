"""A pupil's 5 MB answer on a link that drops: the upload goes on where it stopped after the link
comes back, and after the page is reloaded, and the file kept is the one sent, byte for byte."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from intersession.assignments.models import Submission
from intersession.core import storage
from intersession.core.db import db
from intersession.core.files import AREA
from tests.e2e.conftest import choose_language
from tests.e2e.test_coordinator_setup import shot
from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser

SIZE = 5 * 10**6
# Fast enough to take 5 MB in about half a minute, slow enough to drop it halfway.
UPLINK = {"latency": 100, "downloadThroughput": 250_000, "uploadThroughput": 160_000}


class _Counted:
    def __init__(self, stream: Any, counter: BytesReceived) -> None:
        self.stream, self.counter = stream, counter

    def read(self, *size: int) -> bytes:
        data: bytes = self.stream.read(*size)
        self.counter.total += len(data)
        return data

    def readline(self, *size: int) -> bytes:
        return self.read(*size)


class BytesReceived:
    """The bytes of chunks the server read, counted at the WSGI door."""

    def __init__(self, app: Any) -> None:
        self.app, self.inner, self.total = app, app.wsgi_app, 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ["REQUEST_METHOD"] == "PATCH" and environ["PATH_INFO"].startswith("/uploads/"):
            environ["wsgi.input"] = _Counted(environ["wsgi.input"], self)
        return self.inner(environ, start_response)


@pytest.fixture
def received(live_app: Any) -> Iterator[BytesReceived]:
    counter = BytesReceived(live_app.app)
    live_app.app.wsgi_app = counter
    yield counter
    live_app.app.wsgi_app = counter.inner


def _answer(tmp_path: Path) -> Path:
    data = b"%PDF-1.4\n" + os.urandom(SIZE - 16) + b"\n%%EOF\n"
    path = tmp_path / "Жоба жұмысы.pdf"
    path.write_bytes(data)
    return path


def _link(page: Any, offline: bool = False) -> Any:
    devtools = page.context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.send("Network.emulateNetworkConditions", {"offline": offline, **UPLINK})
    return devtools


def _sent_share(page: Any) -> float:
    return float(page.evaluate(
        "(b => b && !b.hidden && b.max ? b.value / b.max : 0)(document.getElementById('files-progress'))"
    ))  # fmt: skip


def _wait_for_share(page: Any, share: float, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while _sent_share(page) < share:
        assert time.monotonic() < deadline, f"the upload did not reach {share:.0%}"
        page.wait_for_timeout(200)


def _kept_file(live_app: Any) -> bytes:
    with live_app.app.app_context():
        draft = db.session.scalars(select(Submission).order_by(Submission.id.desc())).first()
        assert draft is not None and len(draft.files) == 1
        data = storage.read_bytes(AREA, draft.files[0].stored_name)
        db.session.remove()
    return data


def test_an_answer_goes_on_after_two_drops(
    live_server: str, new_page: Any, live_app: Any, tmp_path: Path, received: BytesReceived
) -> None:
    work_id = live_app.add_work("Жоба: екі үзіліс", "Жобаны PDF ретінде жіберіңіз.")
    answer = _answer(tmp_path)
    page = new_page(locale="ru-RU", viewport={"width": 375, "height": 800})
    sign_in(page, live_server, "pup")
    choose_language(page, "ru")  # the pupil's language, whatever another test left
    page.goto(f"{live_server}/work/{work_id}")
    devtools = _link(page)
    page.set_input_files("#files", str(answer))
    page.click("button[name=save]")
    for share in (0.3, 0.7):
        _wait_for_share(page, share)
        devtools.send("Network.emulateNetworkConditions", {"offline": True, **UPLINK})
        page.wait_for_selector("#files-status:has-text('Соединение прервалось')")
        shot(page, f"70-upload-dropped-at-{share:.0%}-ru-375")
        page.wait_for_timeout(5000)
        devtools.send("Network.emulateNetworkConditions", {"offline": False, **UPLINK})
    page.wait_for_selector("text=Черновик сохранён", timeout=180_000)
    kept = _kept_file(live_app)
    assert hashlib.sha256(kept).digest() == hashlib.sha256(answer.read_bytes()).digest()
    assert received.total - SIZE < SIZE // 10, received.total  # under a tenth sent twice


def test_an_answer_goes_on_after_the_page_is_reloaded(
    live_server: str, new_page: Any, live_app: Any, tmp_path: Path, received: BytesReceived
) -> None:
    work_id = live_app.add_work("Жоба: бетті қайта ашу", "Жобаны PDF ретінде жіберіңіз.")
    answer = _answer(tmp_path)
    page = new_page(locale="en-US")
    sign_in(page, live_server, "pup")
    page.goto(f"{live_server}/work/{work_id}")
    choose_language(page, "en")
    _link(page)
    page.set_input_files("#files", str(answer))
    page.click("button[name=save]")
    _wait_for_share(page, 0.4)
    page.on("dialog", lambda dialog: dialog.accept())  # "files are still being sent"
    page.reload()
    before_reload = received.total
    _link(page)
    page.set_input_files("#files", str(answer))  # the same file, chosen again
    page.click("button[name=save]")
    page.wait_for_selector("#files-status:has-text('Going on where it stopped')")
    shot(page, "71-upload-resumed-en")
    page.wait_for_selector("text=Your draft is saved", timeout=180_000)
    assert _kept_file(live_app) == answer.read_bytes()
    assert received.total - before_reload < SIZE * 0.7, (before_reload, received.total)
    assert received.total - SIZE < SIZE // 10, received.total
