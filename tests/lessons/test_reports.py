"""Attendance reports: counts, rates, absences with reasons, per pupil, school and cohort, per role."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import Flask

from intersession.lessons import attendance
from intersession.lessons.models import AbsenceReason, Presence
from intersession.lessons.reports import Grouping, attendance_lines
from tests.conftest import AuthActions, LessonHub


def held_lessons(lessons: LessonHub) -> None:
    """Two lessons held: the pupil present at one and absent (olympiad) at the other; the pupil of
    the far school absent without a confirmed reason."""
    first = lessons.started_lesson()
    rows = {row.pupil.login: row for row in first.register}
    attendance.mark_register(lessons.people.advisor, first, [
        attendance.Mark(rows["pup"], Presence.PRESENT), attendance.Mark(rows["pup2"], Presence.ABSENT)])  # fmt: skip
    second = lessons.started_lesson()
    second.starts_at -= timedelta(hours=2)
    rows = {row.pupil.login: row for row in second.register}
    attendance.confirm_register(lessons.people.tutor, second, [
        attendance.Mark(rows["pup"], Presence.ABSENT, reason=AbsenceReason.OLYMPIAD)])  # fmt: skip


def test_lines_per_pupil_school_and_cohort(lessons: LessonHub) -> None:
    held_lessons(lessons)
    window = (lessons.today - timedelta(days=1), lessons.today)
    by_pupil = {
        line.name: line
        for line in attendance_lines(lessons.people.coordinator, *window, Grouping.PUPIL)
    }
    pupil = by_pupil["Сәрсенбаев Әлихан"]
    assert (pupil.held, pupil.present, pupil.absent, pupil.rate) == (2, 1, 1, 0.5)
    assert [a.reason for a in pupil.absences] == [AbsenceReason.OLYMPIAD]
    far = by_pupil["Pup2"]
    assert (far.held, far.absent, far.unmarked, far.rate) == (2, 1, 1, 0.0)
    by_school = {
        line.name: line
        for line in attendance_lines(lessons.people.coordinator, *window, Grouping.SCHOOL)
    }
    assert set(by_school) == {"Magnet", "Far"} and by_school["Magnet"].held == 2
    by_cohort = attendance_lines(lessons.people.coordinator, *window, Grouping.COHORT)
    assert [(line.name, line.held) for line in by_cohort] == [("9 класс", 4)]
    # Outside the window nothing counts.
    assert attendance_lines(lessons.people.coordinator, lessons.today - timedelta(days=9),
                            lessons.today - timedelta(days=8), Grouping.PUPIL) == []  # fmt: skip


def test_each_role_sees_its_own_part(lessons: LessonHub) -> None:
    held_lessons(lessons)
    window = (lessons.today - timedelta(days=1), lessons.today)

    def names(login_user) -> set[str]:  # type: ignore[no-untyped-def]
        return {line.name for line in attendance_lines(login_user, *window, Grouping.PUPIL)}

    people = lessons.people
    assert names(people.coordinator) == {"Сәрсенбаев Әлихан", "Pup2"}
    assert names(people.advisor) == {"Сәрсенбаев Әлихан", "Pup2"}
    assert names(people.other_advisor) == set()
    assert names(people.tutor) == {"Сәрсенбаев Әлихан"}
    assert names(people.pupil) == {"Сәрсенбаев Әлихан"}
    assert names(people.outsider) == set()


def test_report_page_and_csv(app: Flask, auth: AuthActions, lessons: LessonHub) -> None:
    held_lessons(lessons)
    auth.login("coord")
    window = (
        f"from={(lessons.today - timedelta(days=1)).isoformat()}&to={lessons.today.isoformat()}"
    )
    page = auth.client.get(f"/reports/attendance?by=school&{window}").get_data(as_text=True)
    assert "Magnet" in page and "Far" in page and "olympiad or competition" in page
    response = auth.client.get(f"/reports/attendance?by=pupil&{window}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert table[0][0] == "Name"
    row = next(r for r in table if r[0] == "Сәрсенбаев Әлихан")
    assert row[2:9] == ["2", "1", "0", "1", "0", "0", "50"] and "olympiad or competition" in row[9]
    odd = auth.client.get("/reports/attendance?by=nonsense&from=2026-02-30&to=yesterday")
    assert odd.status_code == 200  # unknown values fall back to the defaults
    auth.logout()
    auth.login("pup2")
    own = auth.client.get(f"/reports/attendance?{window}").get_data(as_text=True)
    assert "Pup2" in own and "Сәрсенбаев" not in own


def test_the_csv_runs_no_formula(app: Flask, auth: AuthActions, lessons: LessonHub) -> None:
    """Names come from people and from imports: in the CSV each one is shown, never run."""
    from intersession.core.db import db

    held_lessons(lessons)
    names = {"pup": '=HYPERLINK("http://evil.example","x")', "pup2": "+1+cmd|' /C calc'!A0"}
    for person in (lessons.people.pupil, lessons.people.other_pupil):
        person.full_name = names[person.login]
    lessons.people.other_magnet.name = "-2+3"
    db.session.commit()
    auth.login("coord")
    window = (
        f"from={(lessons.today - timedelta(days=1)).isoformat()}&to={lessons.today.isoformat()}"
    )
    response = auth.client.get(f"/reports/attendance?by=pupil&{window}&format=csv")
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    rows = {r[0]: r for r in table[1:]}
    assert set(rows) == {"'" + name for name in names.values()}
    far = rows["'" + names["pup2"]]
    assert far[1] == "'-2+3" and far[2:9] == ["2", "0", "0", "1", "1", "0", "0"]
    by_school = auth.client.get(f"/reports/attendance?by=school&{window}&format=csv")
    schools = {r[0] for r in csv.reader(io.StringIO(by_school.data.decode("utf-8-sig")))}
    assert "'-2+3" in schools and "-2+3" not in schools


def test_an_unmarked_lesson_is_not_full_attendance(lessons: LessonHub) -> None:
    first = lessons.started_lesson()
    rows = {row.pupil.login: row for row in first.register}
    attendance.mark_register(
        lessons.people.advisor, first, [attendance.Mark(rows["pup"], Presence.PRESENT)]
    )
    second = lessons.started_lesson()
    second.starts_at -= timedelta(hours=2)  # held, nobody marked
    window = (lessons.today - timedelta(days=1), lessons.today)
    lines = attendance_lines(lessons.people.coordinator, *window, Grouping.PUPIL)
    pupil = next(line for line in lines if line.name == "Сәрсенбаев Әлихан")
    assert (pupil.held, pupil.present, pupil.unmarked, pupil.rate) == (2, 1, 1, 0.5)


def test_report_as_xlsx_and_pdf(app: Flask, auth: AuthActions, lessons: LessonHub) -> None:
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    held_lessons(lessons)
    auth.login("coord")
    window = (
        f"from={(lessons.today - timedelta(days=1)).isoformat()}&to={lessons.today.isoformat()}"
    )
    xlsx = auth.client.get(f"/reports/attendance?by=pupil&{window}&format=xlsx")
    assert xlsx.status_code == 200
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    pupil = next(r for r in rows if r[0] == "Сәрсенбаев Әлихан")
    assert pupil[2:4] == (2, 1) and pupil[8] == 50  # held, present; the rate a number
    pdf = auth.client.get(f"/reports/attendance?by=pupil&{window}&format=pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert (
        pdf.mimetype == "application/pdf" and "Сәрсенбаев Әлихан" in text and "Page 1 of 1" in text
    )
