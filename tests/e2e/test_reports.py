"""The reports in the browser: the coordinator makes the readiness report for the intermediate
session, narrows it to a school and downloads it as PDF and XLSX; the tutor follows a figure of
a pupil's progress to its rows. Both pages fit a phone and a desktop in Russian and Kazakh."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from intersession.auth.models import User
from intersession.core.db import db
from intersession.lessons.models import (
    AbsenceReason,
    AttendanceRow,
    Lesson,
    LessonKind,
    Presence,
    PresenceSource,
)
from intersession.schools.models import AcademicYear, Cohort, SessionKind, TeachingAssignment
from tests.e2e.conftest import choose_language
from tests.e2e.test_coordinator_setup import shot
from tests.e2e.test_home import WIDTHS
from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser


@dataclass
class Setting:
    session_id: int
    pupil_id: int


@pytest.fixture
def report_ready(live_app: Any) -> Iterator[Setting]:
    """The intermediate session five days ahead; the far school's pupil in the cohort; two lessons
    held, the pupil present at one and absent (ill) at the other. Put back afterwards."""
    live_app.free_day()
    app = live_app.app
    with app.app_context():
        year = db.session.scalars(select(AcademicYear)).one()
        session = next(s for s in year.sessions if s.kind is SessionKind.INTERMEDIATE)
        today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Almaty")).date()
        session.starts_on, session.ends_on = today + timedelta(days=5), today + timedelta(days=14)
        teaching = db.session.scalars(select(TeachingAssignment)).first()
        cohort = db.session.get_one(Cohort, teaching.cohort_id)
        far = db.session.scalars(select(User).where(User.login == "pup2")).one()
        cohort.pupils.append(far)
        made = []
        for days, status in ((2, Presence.PRESENT), (1, Presence.ABSENT)):
            lesson = Lesson(kind=LessonKind.LESSON, advisor_id=teaching.advisor_id, cohort_id=cohort.id,
                            subject_id=teaching.subject_id, title="Теңдеулер",
                            starts_at=datetime.now(UTC) - timedelta(days=days), duration_minutes=45)  # fmt: skip
            lesson.register = [AttendanceRow(pupil=p) for p in cohort.pupils]
            for row in lesson.register:
                row.status, row.source = status, PresenceSource.ADVISOR
                if status is Presence.ABSENT:
                    row.confirmed_status, row.reason = status, AbsenceReason.ILLNESS
            db.session.add(lesson)
            made.append(lesson)
        db.session.commit()
        setting = Setting(session.id, next(p.id for p in cohort.pupils if p.login == "pup"))
        lesson_ids = [lesson.id for lesson in made]
        db.session.remove()
    yield setting
    with app.app_context():
        from intersession.reports.models import ReadinessReport

        for report in db.session.scalars(select(ReadinessReport)):
            db.session.delete(report)
        for lesson_id in lesson_ids:
            db.session.delete(db.session.get_one(Lesson, lesson_id))
        cohort = db.session.get_one(Cohort, cohort.id)
        cohort.pupils = [p for p in cohort.pupils if p.login != "pup2"]
        db.session.commit()
        db.session.remove()
    live_app.free_day()


def downloaded(page: Any, selector: str, folder: Path) -> bytes:
    with page.expect_download() as waiting:
        page.click(selector)
    path = folder / waiting.value.suggested_filename
    waiting.value.save_as(str(path))
    return path.read_bytes()


def test_the_coordinator_makes_narrows_and_downloads_the_readiness_report(
    live_server: str, new_page: Any, report_ready: Setting, tmp_path: Path
) -> None:
    page = new_page(locale="en-US")
    sign_in(page, live_server, "coord")
    choose_language(page, "en")
    page.click("#nav-reports summary")
    page.click("#nav-reports a:has-text('Readiness for the sessions')")
    page.click("#sessions a:has-text('Intermediate session')")
    page.click("#build-report")
    page.wait_for_selector("#ready-count")
    assert "Pup2" in page.inner_text("main") and "Сәрсенбаев Әлихан" in page.inner_text("main")
    page.select_option("select[name=school]", label="Magnet")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**school=*")
    main = page.inner_text("main")
    assert "Сәрсенбаев Әлихан" in main and "Pup2" not in main
    shot(page, "reports-readiness-en-1280")

    pdf = downloaded(page, "#download-pdf", tmp_path)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Сәрсенбаев Әлихан" in text and "Pup2" not in text and "Page 1 of 1" in text
    book = load_workbook(io.BytesIO(downloaded(page, "#download-xlsx", tmp_path)))
    rows = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    # Magnet's pupils only (earlier tests may have added some), the ill lesson counted apart.
    assert "Сәрсенбаев Әлихан" in [r[0] for r in rows[1:]] and {r[1] for r in rows[1:]} == {
        "Magnet"
    }
    ours = next(r for r in rows[1:] if r[0] == "Сәрсенбаев Әлихан")
    assert ours[7] >= 1  # excused


def test_the_tutor_follows_a_figure_of_a_pupils_progress_to_its_rows(
    live_server: str, new_page: Any, report_ready: Setting
) -> None:
    page = new_page(locale="en-US")
    sign_in(page, live_server, "tut")
    choose_language(page, "en")
    page.goto(f"{live_server}/people")
    page.click("a:has-text('Сәрсенбаев Әлихан')")
    page.click("#person-progress")
    page.wait_for_url(f"**/reports/progress/{report_ready.pupil_id}")
    figure = page.locator("a[data-figure=absent]")
    absent = int(figure.inner_text().split()[0])
    assert absent >= 1  # the ill lesson (earlier tests may have left more)
    figure.click()
    page.wait_for_url("**show=absent*")
    rows = page.locator("#lessons tbody tr")
    assert rows.count() == absent
    assert all("absent" in rows.nth(n).inner_text() for n in range(absent))
    assert "illness" in page.inner_text("#lessons")


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_report_pages_fit_both_widths(
    live_server: str, new_page: Any, report_ready: Setting, live_app: Any, language: str
) -> None:
    from intersession.reports import readiness
    from intersession.schools.models import YearSession

    with live_app.app.app_context():
        session = db.session.get_one(YearSession, report_ready.session_id)
        readiness.build_report(session, None)
        db.session.remove()
    pages = [
        ("coord", "readiness", f"/reports/readiness/{report_ready.session_id}"),
        ("coord", "coverage", "/reports/coverage"),
        ("tut", "sessions", "/reports/readiness"),
        ("pup", "progress", f"/reports/progress/{report_ready.pupil_id}"),
    ]
    for login, name, path in pages:
        for width, viewport in WIDTHS.items():
            page = new_page(locale=f"{language}-KZ", viewport=viewport)
            sign_in(page, live_server, login)
            choose_language(page, language)
            page.goto(f"{live_server}{path}")
            assert page.locator("html").get_attribute("lang") == language
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            shot(page, f"reports-{name}-{language}-{width}")
            assert overflow <= 0, f"{login} {path} {language} {width}: {overflow} px too wide"
            page.close()
