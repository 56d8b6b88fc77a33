"""The coordinator imports pupils from a CSV: the bad rows first, then the fixed file, confirmed,
written by the real worker while the page follows the progress."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import choose_language
from tests.e2e.test_coordinator_setup import shot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

HEADER = "full_name;login;role;school;grade\n"


def upload(page: Any, live_server: str, text: str) -> None:
    page.goto(f"{live_server}/imports/people")
    page.set_input_files(
        "#file", files=[{"name": "pupils.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.click("button[type=submit]:has-text('Check the file')")


def test_import_with_preview_and_progress(live_server: str, new_page: Any) -> None:
    page = new_page(locale="en-US")
    page.goto(f"{live_server}/login")
    page.fill("#login", "coord")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{live_server}/")
    choose_language(page, "en")  # the person's language may have been set by another test
    page.wait_for_load_state()

    upload(
        page,
        live_server,
        HEADER + "Әлімжанов Ерболат;erbolat;pupil;Magnet;9\nБезымянный;pup;pupil;Nowhere;14\n",
    )
    page.wait_for_selector("table.row-errors")
    problems = page.inner_text("table.row-errors")
    assert "taken already" in problems and "Nowhere" in problems and "8 to 11" in problems
    assert page.locator("#confirm-import").count() == 0
    shot(page, "10-import-errors-en")

    upload(
        page,
        live_server,
        HEADER + "Әлімжанов Ерболат;erbolat;pupil;Magnet;9\nҚасымова Гүлнұр;gulnur;pupil;Far;10\n",
    )
    page.wait_for_selector("#confirm-import")
    assert "Әлімжанов Ерболат" in page.inner_text("main")
    shot(page, "11-import-preview-en")
    page.click("#confirm-import")
    page.wait_for_selector("#import-result", timeout=30_000)  # the page follows the job itself
    assert page.inner_text("#import-state") == "Imported"
    assert page.inner_text("#import-count") == "2 / 2"
    shot(page, "12-import-done-en")
    result = page.inner_text("#import-result")
    assert "2 people imported" in result and "Қасымова Гүлнұр" in result and "gulnur" in result
