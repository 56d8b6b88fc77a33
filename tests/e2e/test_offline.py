"""A pupil without a connection: the work page they opened before opens again, with its banner;
an answer typed then is kept on the computer and saved as a draft (not sent) when the link
returns; the work's file kept for offline opens; signing out leaves nothing of them behind."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from intersession.assignments.models import Submission, SubmissionState
from intersession.core.db import db
from tests.assignments.test_rules import PDF
from tests.e2e.conftest import choose_language
from tests.e2e.test_coordinator_setup import shot
from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser

KEPT = """async () => {
  const names = await caches.keys();
  const entries = [];
  for (const name of names) {
    for (const request of await (await caches.open(name)).keys()) { entries.push(request.url); }
  }
  const databases = indexedDB.databases ? (await indexedDB.databases()).map(d => d.name) : [];
  const workers = (await navigator.serviceWorker.getRegistrations()).length;
  return {names, entries, databases, workers};
}"""


def _drafts(live_app: Any, work_id: int) -> list[tuple[str, str]]:
    with live_app.app.app_context():
        found = db.session.scalars(select(Submission).where(Submission.assignment_id == work_id))
        drafts = [(s.state.value, s.text or "") for s in found]
        db.session.remove()
    return drafts


def test_an_answer_typed_offline_is_kept_and_saved_as_a_draft(
    live_server: str, new_page: Any, live_app: Any
) -> None:
    work_id = live_app.add_work("Оффлайн жұмыс", "Есептерді шешіңіз.")
    live_app.attach(work_id, "Тапсырма.pdf", PDF)
    page = new_page(locale="ru-RU", viewport={"width": 375, "height": 800})
    sign_in(page, live_server, "pup")
    choose_language(page, "ru")  # the pupil's language, whatever another test left
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    work_url = f"{live_server}/work/{work_id}"
    page.goto(work_url)  # through the worker: kept for offline
    page.click("button.keep-offline")
    page.wait_for_selector(".kept-offline:has-text('Сохранено на этом компьютере')")

    page.context.set_offline(True)
    page.reload()
    assert "Есептерді шешіңіз." in page.inner_text(".instructions")
    page.fill("#text", "Жауап байланыссыз жазылды: x = 4.")
    page.wait_for_selector("#offline-banner:has-text('ответ сохранён на этом компьютере')")
    shot(page, "72-offline-answer-kept-ru-375")
    page.click("button[name=send]")  # without a connection: kept, not sent
    assert _drafts(live_app, work_id) == []
    page.goto(work_url + "/files/" + str(live_app.file_of(work_id)))
    assert page.evaluate("document.contentType") == "application/pdf"
    page.go_back()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector(
        "#offline-banner:has-text('Связь вернулась')"
    )  # saved, the page reloaded
    shot(page, "73-offline-answer-saved-ru-375")
    assert _drafts(live_app, work_id) == [("draft", "Жауап байланыссыз жазылды: x = 4.")]
    assert page.input_value("#text") == "Жауап байланыссыз жазылды: x = 4."
    assert _drafts(live_app, work_id)[0][0] == SubmissionState.DRAFT.value

    kept = page.evaluate(KEPT)
    assert any(name.startswith("intersession-pages-") for name in kept["names"])
    assert any(url.endswith(f"/work/{work_id}") for url in kept["entries"]), kept
    assert "intersession-offline" in kept["databases"] and kept["workers"] == 1, kept
    page.click("summary[title='Сәрсенбаев Әлихан']")
    page.click("#sign-out")
    page.wait_for_url(f"{live_server}/login")
    after = page.evaluate(KEPT)
    assert after == {"names": [], "entries": [], "databases": [], "workers": 0}, after
