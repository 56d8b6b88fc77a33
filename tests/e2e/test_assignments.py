"""An advisor sets work with a rubric, a pupil sends a file named in Kazakh, the advisor grades and
releases, the pupil reads grade and feedback, the tutor sees the status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.assignments.test_previews import photo
from tests.assignments.test_rules import PDF
from tests.e2e.conftest import choose_language
from tests.e2e.test_coordinator_setup import shot
from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser


def test_work_from_setting_to_grade(
    live_server: str, new_page: Any, live_app: Any, tmp_path: Path
) -> None:
    advisor = new_page(locale="en-US")
    sign_in(advisor, live_server, "adv")
    choose_language(advisor, "en")
    advisor.click("nav a:has-text('Work')")
    advisor.click("a:has-text('Set new work')")
    now = datetime.now(UTC)
    advisor.fill("#title", "Квадрат теңдеулер: жоба")
    advisor.fill("#instructions", "Шешіңіз **бес** есепті.\n\n- 1-есеп\n- 2-есеп")
    advisor.fill("#opens_day", (now - timedelta(days=1)).date().isoformat())
    advisor.fill("#opens_time", "08:00")
    advisor.fill("#due_day", (now + timedelta(days=2)).date().isoformat())
    advisor.fill("#due_time", "18:00")
    advisor.select_option("#scale", "rubric")
    advisor.fill("#criteria-0-name", "Шешім")
    advisor.fill("#criteria-0-max_points", "6")
    advisor.fill("#criteria-1-name", "Рәсімдеу")
    advisor.fill("#criteria-1-max_points", "4")
    advisor.uncheck("#release_at_once")
    shot(advisor, "40-work-form-en")
    advisor.click("button[type=submit]:has-text('Save')")
    advisor.wait_for_selector("text=The work is saved as a draft")
    advisor.click("button:has-text('Publish to the pupils')")
    advisor.wait_for_selector("text=Published: the pupils see the work now.")
    work_url = advisor.url

    pupil = new_page(locale="en-US")
    sign_in(pupil, live_server, "pup")
    choose_language(pupil, "en")
    pupil.click("nav a:has-text('Work')")
    pupil.click("a:has-text('Квадрат теңдеулер: жоба')")
    assert pupil.inner_html(".instructions").count("<strong>бес</strong>") == 1
    document = tmp_path / "Жоба жұмысы.pdf"
    document.write_bytes(PDF)
    picture = tmp_path / "Есеп 3.jpg"  # a phone's photo of the working
    picture.write_bytes(photo(3000, 2000))
    pupil.fill("#text", "Жауаптар файлда.")
    pupil.set_input_files("#files", [str(document), str(picture)])
    pupil.click("button:has-text('Send to the advisor')")
    # The photo (5 MB) goes in 256 KB chunks first, each a request: longer than one POST.
    pupil.wait_for_selector("text=Your work has been sent.", timeout=120_000)
    assert "Жоба жұмысы.pdf" in pupil.inner_text(".attempt")
    shot(pupil, "41-work-sent-en")

    advisor.goto(work_url)
    advisor.click("table a:has-text('Сәрсенбаев Әлихан')")
    submission_url = advisor.url
    advisor.fill("input[aria-label='Шешім']", "5.5")
    advisor.fill("input[aria-label='Рәсімдеу']", "4")
    advisor.fill("#feedback", "Жақсы! <b>3-есепті</b> тексер.")
    # The photo is shown sized for the page (its preview), the original a click away.
    advisor.wait_for_function(
        "(img => img && img.complete && img.naturalWidth > 0)"
        "(document.querySelector('.work-file img'))"
    )
    assert advisor.evaluate("document.querySelector('.work-file img').naturalWidth") == 1280
    assert advisor.get_attribute(".work-file img", "src").endswith("/preview")
    shot(advisor, "42-work-grading-en")
    advisor.click("button:has-text('Save the grade')")
    advisor.wait_for_selector("text=The grade is saved:")
    # The PDF opens on the page on demand (after grading here: Chromium's PDF viewer takes the
    # focus when it loads, which can swallow a click made at that moment).
    advisor.goto(submission_url)
    advisor.click("summary:has-text('Show the PDF here')")
    frame_src = advisor.get_attribute("iframe.pdf", "src")
    shown = advisor.request.get(f"{live_server}{frame_src}")
    assert shown.status == 200 and shown.headers["content-type"] == "application/pdf"
    advisor.goto(work_url)
    assert "not shown yet" in advisor.inner_text("table")
    advisor.click("button:has-text('Show the grades to the pupils')")
    advisor.wait_for_selector("text=Grades shown to the pupils: 1.")

    pupil.reload()
    attempt = pupil.inner_text(".attempt")
    assert "Grade: 9.5 of 10" in attempt
    assert "Жақсы! <b>3-есепті</b> тексер." in attempt  # shown as text
    shot(pupil, "43-work-graded-en")

    tutor = new_page(locale="en-US")
    sign_in(tutor, live_server, "tut")
    choose_language(tutor, "en")
    tutor.goto(work_url)
    row = tutor.locator("table tr", has_text="Сәрсенбаев Әлихан")
    assert "graded" in row.inner_text() and "9.5" in row.inner_text()
    shot(tutor, "44-work-tutor-en")
