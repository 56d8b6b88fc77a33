"""A pupil adds an olympiad entry with a photo of the diploma, the tutor asks for a change, the
pupil edits and sends it again, the tutor verifies, the pupil exports the PDF."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PIL import Image

from tests.e2e.conftest import choose_language
from tests.e2e.test_coordinator_setup import shot
from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser


def test_an_olympiad_entry_from_draft_to_pdf(
    live_server: str, new_page: Any, live_app: Any, tmp_path: Path
) -> None:
    photo = tmp_path / "Диплом фотосы.png"
    Image.new("RGB", (320, 200), (200, 170, 60)).save(photo)

    pupil = new_page(locale="en-US")
    sign_in(pupil, live_server, "pup")
    choose_language(pupil, "en")
    pupil.click("nav a:has-text('Portfolio')")
    pupil.click("a:has-text('Add an achievement')")
    pupil.select_option("#kind", "olympiad")
    pupil.fill("#title", "Облыстық математика олимпиадасы")
    pupil.fill("#happened_on", (date.today() - timedelta(days=10)).isoformat())
    pupil.select_option("#level", "region")
    pupil.select_option("#result", "prize")
    pupil.fill("#place", "3")
    pupil.set_input_files("#evidence", str(photo))
    pupil.click("button[type=submit]:has-text('Save')")
    pupil.wait_for_selector("text=Saved as a draft")
    assert "Диплом фотосы.png" in pupil.inner_text("main")
    pupil.click("button:has-text('Send to the tutor')")
    pupil.wait_for_selector("text=Sent to your tutor.")
    entry_url = pupil.url

    tutor = new_page(locale="en-US")
    sign_in(tutor, live_server, "tut")
    choose_language(tutor, "en")
    tutor.click("nav a:has-text('Portfolio')")
    tutor.click(
        "section:has-text('Waiting for your verification') a:has-text('Облыстық математика')"
    )
    tutor.fill("#note", "Орын 2 емес пе? Дипломды қайта қараңыз.")
    tutor.click("button:has-text('Ask for changes')")
    tutor.wait_for_selector("text=Sent back to the pupil with your note.")

    pupil.goto(entry_url)
    assert "Дипломды қайта қараңыз" in pupil.inner_text("main")
    pupil.click("main a:text-is('Change')")
    pupil.fill("#place", "2")
    pupil.click("button[type=submit]:has-text('Save')")
    pupil.wait_for_selector("text=The changes are saved.")
    pupil.click("button:has-text('Send to the tutor')")
    pupil.wait_for_selector("text=Sent to your tutor.")

    tutor.goto(entry_url)
    tutor.click("button:has-text('Verify')")
    tutor.wait_for_selector("text=Verified: the entry counts in reports and exports.")
    shot(tutor, "50-portfolio-verified-en")

    pupil.click("nav a:has-text('Portfolio')")
    pupil.click("#export-pdf")
    pupil.wait_for_selector("#export-download", timeout=60_000)  # the page follows the task
    shot(pupil, "51-portfolio-export-en")
    with pupil.expect_download() as waiting:
        pupil.click("#export-download")
    download = waiting.value
    assert download.suggested_filename.endswith(".pdf")
    data = Path(download.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Облыстық математика олимпиадасы" in text and "Сәрсенбаев Әлихан" in text
    assert "place 2" in text

    coordinator = new_page(locale="en-US")
    sign_in(coordinator, live_server, "coord")
    choose_language(coordinator, "en")
    coordinator.click("nav a:has-text('Portfolio')")  # the search across the schools
    coordinator.select_option("select[name=level]", "region")
    coordinator.select_option("select[name=result]", "prize")
    coordinator.click("button:has-text('Show')")
    assert "Облыстық математика олимпиадасы" in coordinator.inner_text("table")
    shot(coordinator, "52-portfolio-search-en")
    coordinator.select_option("select[name=level]", "republic")
    coordinator.click("button:has-text('Show')")
    assert "No verified entries match." in coordinator.inner_text("table")

    tutor.click("nav a:has-text('Portfolio')")
    counts = tutor.inner_text("section:has-text('verified entries by kind and level') table")
    assert "Сәрсенбаев Әлихан" in counts and "region: 1" in counts
    shot(tutor, "53-portfolio-school-en")
