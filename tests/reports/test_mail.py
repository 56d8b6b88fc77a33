"""E-mail through a real SMTP server on loopback (aiosmtpd): the weekly digests and the readiness
report, sent once, in each person's language, plain text and HTML with a link back, not sent to
who turned them off, and sent after the server comes back."""

from __future__ import annotations

import email
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from intersession.auth.models import Language
from intersession.core.db import db
from intersession.core.mail import MailError
from intersession.lessons.models import Presence
from intersession.reports import digests, readiness, tasks
from intersession.reports.models import MailSent
from tests.assignments.test_pages import signed_in
from tests.conftest import start_worker
from tests.reports.conftest import ReadyHub


class Inbox:
    """What the server took, one parsed message each."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app: Flask) -> Iterator[Server]:
    server = Server(free_port())
    server.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT=5,
                      PUBLIC_URL="https://hub.example.kz", DIGEST_HOUR=0)  # fmt: skip
    yield server
    server.stop()


def parts(message: Message) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()  # type: ignore[attr-defined]


def absent_this_week(ready: ReadyHub) -> None:
    ready.people.tutor.email = "tutor@school.kz"
    ready.people.tutor.language = Language.KK
    ready.mark(ready.held(1), Presence.ABSENT)
    db.session.commit()


def test_the_tutors_digest_goes_once_in_their_language(ready: ReadyHub, smtp: Server) -> None:
    absent_this_week(ready)
    assert digests.send_digests() == 1
    assert digests.send_digests() == 0  # run again: nothing twice
    [message] = smtp.inbox.messages
    assert message["To"] == "tutor@school.kz"
    text, html = parts(message)
    assert "Сәлеметсіз бе" in text and "Сәрсенбаев Әлихан" in text
    assert "Осы аптада сабаққа келмегендер" in text
    assert "https://hub.example.kz/reports/mail" in text
    assert (
        '<a href="https://hub.example.kz/">' in html
        and "<strong>Сәрсенбаев Әлихан</strong>" in html
    )
    assert db.session.query(MailSent).count() == 1


def test_no_digest_after_turning_them_off(app: Flask, ready: ReadyHub, smtp: Server) -> None:
    absent_this_week(ready)
    tutor = signed_in(app, "tut").client
    page = tutor.get("/reports/mail").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None and 'name="digests"' in page and "checked" in page
    assert tutor.post("/reports/mail", data={"csrf_token": token.group(1)}).status_code == 302
    assert digests.send_digests() == 0
    assert smtp.inbox.messages == []
    assert (
        "checked"
        not in tutor.get("/reports/mail").get_data(as_text=True).split('name="digests"')[1][:40]
    )
    assert signed_in(app, "pup").client.get("/reports/mail").status_code == 404


def test_sent_after_the_server_comes_back(ready: ReadyHub, smtp: Server) -> None:
    absent_this_week(ready)
    smtp.stop()
    with pytest.raises(MailError):
        digests.send_digests()
    assert db.session.query(MailSent).count() == 0
    smtp.start()
    assert digests.send_digests() == 1 and len(smtp.inbox.messages) == 1


@pytest.mark.worker
def test_the_task_tries_again_until_the_server_is_back(
    app: Flask, ready: ReadyHub, smtp: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real worker: the server is down when the task runs, the task waits and tries again."""
    absent_this_week(ready)
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "DIGEST_HOUR": "0",
                        "MAIL_RETRY_SECONDS": "1", "PUBLIC_URL": "https://hub.example.kz"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    smtp.stop()
    tasks.send_digests.delay()
    worker = start_worker(app, tmp_path, tmp_path / "broker", stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "Retry in" not in _output_so_far(worker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert smtp.inbox.messages == []
        smtp.start()
        while not smtp.inbox.messages and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert len(smtp.inbox.messages) == 1, output[-3000:]
    db.session.expire_all()
    assert db.session.query(MailSent).count() == 1


_SEEN: dict[int, str] = {}


def _output_so_far(worker: subprocess.Popen[str]) -> str:
    """The worker's output read without blocking, kept across calls."""
    import os
    import select as waiting

    assert worker.stdout is not None
    while waiting.select([worker.stdout], [], [], 0)[0]:
        chunk = os.read(worker.stdout.fileno(), 65536).decode(errors="replace")
        if not chunk:
            break
        _SEEN[worker.pid] = _SEEN.get(worker.pid, "") + chunk
    return _SEEN.get(worker.pid, "")


def test_nothing_is_sent_without_a_server(app: Flask, ready: ReadyHub, smtp: Server) -> None:
    absent_this_week(ready)
    app.config["SMTP_HOST"] = ""
    assert digests.send_digests() == 0 and smtp.inbox.messages == []


def test_the_advisors_digest_and_the_readiness_letter(ready: ReadyHub, smtp: Server) -> None:
    from intersession.assignments import submitting
    from tests.assignments.test_rules import published

    people = ready.people
    people.advisor.email = "adv@hub.kz"
    people.advisor.language = Language.EN
    work = published(people)
    submitting.submit(people.pupil, submitting.save_draft(people.pupil, work, "жауап", []))
    assert digests.send_digests() == 1
    text, _html = parts(smtp.inbox.messages[0])
    assert "Work waiting for your grade" in text and f"{work.title}: 1 waiting" in text

    people.coordinator.email = "coord@hub.kz"
    ready.held(1)  # nobody marked: nobody attended
    report = readiness.build_report(ready.session, people.coordinator)
    assert digests.send_readiness_mail(report.id) == 1
    assert digests.send_readiness_mail(report.id) == 0
    letter = smtp.inbox.messages[-1]
    text, _html = parts(letter)
    assert letter["To"] == "coord@hub.kz" and "промежуточной сессии" in letter["Subject"]
    assert f"https://hub.example.kz/reports/readiness/{ready.session.id}" in text
    assert "Сәрсенбаев Әлихан" in text  # not ready: nothing attended
