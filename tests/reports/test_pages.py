"""The report pages for every role: who reads which part, the filters, the exports' contents,
the coordinator's rules form and the progress page's figures with their rows."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader

from intersession.auth.models import Role
from intersession.core.db import db
from intersession.lessons.models import AbsenceReason, Presence
from intersession.reports import readiness
from intersession.reports.models import ReadinessRules
from tests.assignments.test_pages import signed_in
from tests.factories import make_user
from tests.reports.conftest import ReadyHub


def made(ready: ReadyHub) -> None:
    """Two lessons: the pupil present at one, absent (ill) at the other; the report made."""
    ready.mark(ready.held(1), Presence.PRESENT)
    ready.mark(ready.held(2), Presence.ABSENT, AbsenceReason.ILLNESS)
    readiness.build_report(ready.session, ready.people.coordinator)


def page_of(app: Flask, login: str, path: str) -> tuple[int, str]:
    client = signed_in(app, login).client
    response = client.get(path)
    return response.status_code, response.get_data(as_text=True)


def test_each_role_reads_its_own_part_of_the_readiness_report(app: Flask, ready: ReadyHub) -> None:
    made(ready)
    path = f"/reports/readiness/{ready.session.id}"
    status, page = page_of(app, "coord", path)
    assert status == 200 and "Сәрсенбаев Әлихан" in page and "Pup2" in page
    assert 'id="build-report"' in page
    status, page = page_of(app, "tut", path)  # the tutor of Magnet: their pupil only
    assert status == 200 and "Сәрсенбаев Әлихан" in page and "Pup2" not in page
    assert 'id="build-report"' not in page
    status, page = page_of(app, "adv", path)  # teaches the cohort both pupils are in
    assert status == 200 and "Pup2" in page
    make_user("adv3", Role.ADVISOR, ready.people.hub)  # teaches nobody
    db.session.commit()
    status, page = page_of(app, "adv3", path)
    assert status == 200 and "Сәрсенбаев Әлихан" not in page and "Виет теоремасы" not in page
    assert page_of(app, "pup", path)[0] == 404
    assert page_of(app, "outsider", path)[0] == 404
    assert page_of(app, "coord", "/reports/readiness/999999")[0] == 404
    assert page_of(app, "pup", "/reports/readiness")[0] == 404
    for kind in ("pdf", "xlsx"):
        assert page_of(app, "pup", f"{path}/export.{kind}")[0] == 404
        assert page_of(app, "outsider", f"{path}/export.{kind}")[0] == 404


def test_only_the_coordinator_makes_it(app: Flask, ready: ReadyHub) -> None:
    tutor = signed_in(app, "tut")
    path = f"/reports/readiness/{ready.session.id}"
    page = tutor.client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    refused = tutor.client.post(f"{path}/build", data={"csrf_token": token.group(1)})
    assert refused.status_code == 403
    assert readiness.builds_of(ready.session) == []
    coordinator = signed_in(app, "coord")
    page = coordinator.client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    answer = coordinator.client.post(f"{path}/build", data={"csrf_token": token.group(1)},
                                     follow_redirects=True)  # fmt: skip
    assert answer.status_code == 200 and "Сәрсенбаев Әлихан" in answer.get_data(as_text=True)
    assert len(readiness.builds_of(ready.session)) == 1


def test_the_school_filter_and_the_exports_hold_the_figures(app: Flask, ready: ReadyHub) -> None:
    made(ready)
    client = signed_in(app, "coord").client
    path = f"/reports/readiness/{ready.session.id}"
    page = client.get(f"{path}?school={ready.people.magnet.id}").get_data(as_text=True)
    assert "Сәрсенбаев Әлихан" in page and "Pup2" not in page

    xlsx = client.get(f"{path}/export.xlsx?school={ready.people.magnet.id}")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(xlsx.data))
    sheet = book[book.sheetnames[0]]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Pupil", "School", "Cohort", "Readiness", "Attendance, in percent")
    assert len(rows) == 2 and rows[1][0] == "Сәрсенбаев Әлихан" and rows[1][1] == "Magnet"
    assert rows[1][4] == 100 and rows[1][7] == 1  # the ill lesson left out: 1 of 1, one excused
    assert rows[1][3] == "ready"
    assert sheet.freeze_panes == "B2"
    topics = book[book.sheetnames[1]]
    assert ("9 класс", "Математика", ready.topic.week, "Виет теоремасы", "held") in list(
        topics.iter_rows(values_only=True)
    )

    pdf = client.get(f"{path}/export.pdf", headers={"Accept-Language": "kk"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Сәрсенбаев Әлихан" in text and "Pup2" in text and "Hub" in text
    assert "Виет теоремасы" in text
    assert re.search(r"1\s*/\s*1|1-бет", text) or "бет" in text.lower()


def test_the_rules_form_saves_and_refuses_with_a_message(app: Flask, ready: ReadyHub) -> None:
    client = signed_in(app, "coord").client
    page = client.get("/reports/rules").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None and 'value="70"' in page
    bad = client.post("/reports/rules", data={"csrf_token": token.group(1),
                                              "min_attendance": "150", "min_average": "3"})  # fmt: skip
    assert bad.status_code == 400 and "Enter a number from 0 to 100." in bad.get_data(as_text=True)
    assert db.session.query(ReadinessRules).count() == 0
    good = client.post("/reports/rules", data={
        "csrf_token": token.group(1), "min_attendance": "80", "excused": ["olympiad"],
        "no_missing_work": "y", "min_average": "3.5"})  # fmt: skip
    assert good.status_code == 302
    rules = db.session.query(ReadinessRules).one()
    assert (rules.min_attendance, rules.excused_reasons, rules.count_caught_up) == (
        80,
        "olympiad",
        False,
    )
    assert str(rules.min_average) == "3.5"
    assert page_of(app, "tut", "/reports/rules")[0] == 404
    assert page_of(app, "outsider", "/reports/rules")[0] == 200  # their own hub's rules
    assert db.session.query(ReadinessRules).count() == 1


@pytest.mark.parametrize(
    ("login", "status"),
    [("pup", 200), ("pup2", 404), ("tut", 200), ("adv", 200), ("adv2", 200), ("coord", 200),
     ("outsider", 404)],
)  # fmt: skip
def test_who_reads_a_pupils_progress(app: Flask, ready: ReadyHub, login: str, status: int) -> None:
    assert page_of(app, login, f"/reports/progress/{ready.people.pupil.id}")[0] == status


def test_a_tutor_of_another_school_and_an_advisor_of_other_cohorts_get_404(
    app: Flask, ready: ReadyHub
) -> None:
    make_user("tut2", Role.TUTOR, ready.people.other_magnet)
    make_user("adv3", Role.ADVISOR, ready.people.hub)
    db.session.commit()
    for login in ("tut2", "adv3"):
        assert page_of(app, login, f"/reports/progress/{ready.people.pupil.id}")[0] == 404
    assert page_of(app, "tut", f"/reports/progress/{ready.people.tutor.id}")[0] == 404


def test_the_progress_page_leads_from_each_figure_to_its_rows(app: Flask, ready: ReadyHub) -> None:
    ready.mark(ready.held(1), Presence.PRESENT)
    absent = ready.held(2)
    ready.mark(absent, Presence.ABSENT, AbsenceReason.ILLNESS)
    path = f"/reports/progress/{ready.people.pupil.id}"
    status, page = page_of(app, "tut", path)
    assert status == 200
    link = re.search(r'href="([^"]*show=absent[^"]*)" data-figure="absent"', page)
    assert link is not None and "<strong>1</strong>" in page
    status, rows = page_of(app, "tut", link.group(1).replace("&amp;", "&"))
    lessons = rows.split('id="lessons"')[1].split("</table>")[0]
    assert status == 200 and "illness" in lessons and "present" not in lessons
    assert page_of(app, "tut", f"{path}?span=year&show=nonsense")[0] == 200
    assert page_of(app, "tut", f"{path}?span=nonsense")[0] == 200


def test_plan_coverage_in_the_hub_and_in_each_school(app: Flask, ready: ReadyHub) -> None:
    ready.mark(ready.held(1), Presence.PRESENT)  # Сәрсенбаев (Magnet) there, Pup2 (Far) not
    people = ready.people
    plan = f"/reports/coverage?plan={people.subject.id}-9"
    status, page = page_of(app, "coord", plan)
    table = page.split('id="coverage"')[1].split("</table>")[0]
    assert status == 200 and "Виет теоремасы" in table and "held" in table
    assert "Magnet" in table and "Far" in table
    row = table.split("Виет теоремасы")[1].split("</tr>")[0]
    assert re.findall(r"<td>(\d+ of \d+)</td>", row) == ["0 of 1", "1 of 1"]  # Far, Magnet
    status, page = page_of(app, "tut", plan)  # their own school's column only
    table = page.split('id="coverage"')[1].split("</table>")[0]
    assert status == 200 and "Magnet" in table and "Far" not in table
    assert page_of(app, "pup", plan)[0] == 404
    assert page_of(app, "coord", "/reports/coverage?plan=x-y&span=%E2%80%AE")[0] == 200
    status, page = page_of(app, "outsider", plan)  # another hub: its own (empty) plans
    assert status == 200 and "Виет теоремасы" not in page


def test_the_charts_are_drawn_with_their_figures_beside(app: Flask, ready: ReadyHub) -> None:
    made(ready)
    status, page = page_of(app, "coord", f"/reports/readiness/{ready.session.id}")
    readiness_chart = page.split('id="chart-readiness"')[1].split("</figure>")[0]
    assert status == 200 and 'role="img"' in readiness_chart
    assert "<title>Magnet: ready 1</title>" in readiness_chart
    assert "<title>Far: not ready 1</title>" in readiness_chart  # nobody marked Pup2
    weeks = page.split('id="chart-attendance"')[1].split("</figure>")[0]
    assert "<polyline" in weeks and "<td>0%</td><td>100%</td>" in weeks  # Far, Magnet
    status, page = page_of(app, "tut", f"/reports/readiness/{ready.session.id}")
    readiness_chart = page.split('id="chart-readiness"')[1].split("</figure>")[0]
    assert "Magnet" in readiness_chart and "Far" not in readiness_chart


def test_a_pupils_progress_as_pdf_and_xlsx(app: Flask, ready: ReadyHub) -> None:
    ready.mark(ready.held(1), Presence.PRESENT)
    ready.mark(ready.held(2), Presence.ABSENT, AbsenceReason.ILLNESS)
    path = f"/reports/progress/{ready.people.pupil.id}/export"
    client = signed_in(app, "tut").client
    xlsx = client.get(f"{path}.xlsx?span=year")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    summary = {row[0]: row[1] for row in book[book.sheetnames[0]].iter_rows(values_only=True)}
    assert summary["Attendance, in percent"] == 100 and summary["Lessons held"] == 2
    assert summary["excused"] == 1
    lessons = list(book[book.sheetnames[1]].iter_rows(values_only=True))
    assert len(lessons) == 3 and [r[4] for r in lessons[1:]] == ["illness", None]
    pdf = client.get(f"{path}.pdf", headers={"Accept-Language": "kk"})
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert pdf.status_code == 200 and "Сәрсенбаев Әлихан" in text and "ауру" in text
    for login in ("outsider", "pup2"):
        assert page_of(app, login, f"{path}.pdf")[0] == 404


def test_the_kept_progress_follows_every_write(app: Flask, ready: ReadyHub) -> None:
    lesson = ready.held(1)
    client = signed_in(app, "tut").client
    path = f"/reports/progress/{ready.people.pupil.id}"

    def figure(key: str) -> str:
        page = client.get(path).get_data(as_text=True)
        found = re.search(rf'data-figure="{key}"[^>]*><strong>(\d+)</strong>', page)
        assert found is not None
        return found.group(1)

    assert (figure("unmarked"), figure("present")) == ("1", "0")
    ready.mark(lesson, Presence.PRESENT)  # a write through the ORM: the kept page is stale
    assert (figure("unmarked"), figure("present")) == ("0", "1")


def test_plan_coverage_as_xlsx_and_pdf(app: Flask, ready: ReadyHub) -> None:
    ready.mark(ready.held(1), Presence.PRESENT)
    client = signed_in(app, "tut").client
    plan = f"plan={ready.people.subject.id}-9"
    xlsx = client.get(f"/reports/coverage/export.xlsx?{plan}")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("Week", "Topic", "In the hub", "Magnet")  # the tutor's school only
    assert (ready.topic.week, "Виет теоремасы", "held", "1 of 1") in rows
    pdf = client.get(f"/reports/coverage/export.pdf?{plan}", headers={"Accept-Language": "kk"})
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Виет теоремасы" in text and "Жоспардың орындалуы" in text
    assert (
        signed_in(app, "pup").client.get(f"/reports/coverage/export.pdf?{plan}").status_code == 404
    )


def test_the_sessions_page_is_titled_by_its_name_alone(app: Flask, ready: ReadyHub) -> None:
    status, page = page_of(app, "coord", "/reports/readiness")
    title = page.split("<title>")[1].split("</title>")[0]
    assert status == 200 and "Readiness for the sessions" in title and "<" not in title
    assert page.count('id="progress-export"') == 1
