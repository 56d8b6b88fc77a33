"""Polls kept with the lesson: on its page (results to the advisor and coordinator, to the rest
once published; each pupil's answer to those who read the pupil's register row), in the pupil's
progress, and in the progress workbooks."""

from __future__ import annotations

import io

from flask import Flask
from openpyxl import load_workbook

from intersession.auth.models import User
from intersession.lessons.models import Lesson
from intersession.polls import asking
from intersession.polls.models import Poll
from intersession.reports import bulk
from tests.assignments.test_pages import signed_in
from tests.reports.conftest import ReadyHub
from tests.reports.test_bulk import asked
from tests.reports.test_pages import page_of


def polled(lesson: Lesson, people: object) -> Poll:
    """A single-choice poll the two pupils answered, the second through a classroom computer,
    and a number poll the first answered."""
    advisor: User = people.advisor  # type: ignore[attr-defined]
    pupil: User = people.pupil  # type: ignore[attr-defined]
    other: User = people.other_pupil  # type: ignore[attr-defined]
    choice = asking.ask(advisor, lesson, {"question": "Түбірі қайсы?", "kind": "single",
                                          "options": ["x = 1", "x = 2"]})  # fmt: skip
    asking.answer(choice, pupil.id, pupil, {"choices": [1]})
    asking.answer(choice, other.id, people.tutor, {"choices": [0]})  # type: ignore[attr-defined]
    number = asking.ask(advisor, lesson, {"question": "2,5 · 2 = ?", "kind": "number"})
    asking.answer(number, pupil.id, pupil, {"number": 5.5})
    asking.close(number)
    return choice


def section(html: str) -> str:
    return html.split('id="polls"')[1].split("</section>")[0]


def test_the_lesson_page_shows_the_polls_to_each_as_theirs(app: Flask, ready: ReadyHub) -> None:
    lesson = ready.held(1)
    choice = polled(lesson, ready.people)
    path = f"/lessons/{lesson.id}"
    status, html = page_of(app, "adv", path)
    assert status == 200
    shown = section(html)
    assert "Түбірі қайсы?" in shown and "2 answers" in shown and "1 (50%)" in shown
    assert "Сәрсенбаев Әлихан" in shown and "x = 2" in shown and "Pup2" in shown
    assert "given by the classroom computer" in shown  # the other pupil's, given by a tutor
    assert "Median: 5.5; from 5.5 to 5.5." in shown
    # The pupil: their own answer, the results not yet (not published).
    shown = section(page_of(app, "pup", path)[1])
    assert "Your answer: x = 2" in shown and "Your answer: 5.5" in shown
    assert "The results are shown once the advisor publishes them." in shown
    assert "Pup2" not in shown and "50%" not in shown
    # The tutor reads their school's pupil's answers, not another school's.
    shown = section(page_of(app, "tut", path)[1])
    assert "Сәрсенбаев Әлихан" in shown and "Pup2" not in shown
    # Published, the results are everyone's; in Russian the number has its decimal comma.
    asking.publish(choice)
    client = signed_in(app, "pup").client
    shown = section(client.get(path, headers={"Accept-Language": "ru"}).get_data(as_text=True))
    assert "1 (50" in shown and "5,5" in shown
    assert page_of(app, "outsider", path)[0] == 404


def test_the_pupils_progress_and_the_workbooks_hold_the_answers(
    app: Flask, ready: ReadyHub
) -> None:
    lesson = ready.held(1)
    polled(lesson, ready.people)
    pupil_id = ready.people.pupil.id
    page = page_of(app, "pup", f"/reports/progress/{pupil_id}?span=year")[1]
    assert "Poll · Түбірі қайсы?: x = 2" in page and "Poll · 2,5 · 2 = ?: 5.5" in page
    client = signed_in(app, "tut").client
    book = load_workbook(
        io.BytesIO(client.get(f"/reports/progress/{pupil_id}/export.xlsx?span=year").data)
    )
    lessons = list(book[book.sheetnames[1]].iter_rows(values_only=True))
    assert lessons[0][-1] == "Poll answers"
    assert lessons[1][-1] == "Түбірі қайсы?: x = 2; 2,5 · 2 = ?: 5.5"
    client, export_id = asked(app, "coord")
    bulk.run_progress_export(export_id)
    book = load_workbook(io.BytesIO(client.get(f"/reports/exports/{export_id}/file").data))  # type: ignore[attr-defined]
    rows = {r[0]: r for r in book[book.sheetnames[1]].iter_rows(values_only=True)}
    assert rows["Pup2"][-1] == "Түбірі қайсы?: x = 1"
