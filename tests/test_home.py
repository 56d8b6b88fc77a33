"""The home page as each role's day: the pupil's lessons to join, work, lessons to catch up on,
new grades and comments; the tutor's today, absences, overdue work and entries to verify; the
advisor's today, grading queue and requests. And "coming" means not over yet."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask

from intersession.assignments import grading, submitting
from intersession.assignments.models import Scale
from intersession.core.db import db
from intersession.core.errors import DomainError
from intersession.lessons import scheduling
from intersession.lessons.models import (
    AttendanceRow,
    ConsultationRequest,
    Lesson,
    Presence,
    RequestState,
)
from intersession.portfolio import services as portfolio
from intersession.portfolio.models import EntryKind
from intersession.recordings.models import Recording, RecordingState
from tests.assignments.test_pages import published_work, signed_in
from tests.conftest import ALMATY, LessonHub


def _lesson_at(lessons: LessonHub, starts: datetime, minutes: int = 45) -> Lesson:
    lesson = scheduling.schedule_lesson(
        lessons.people.advisor, lessons.plan(minutes=minutes)
    ).lesson
    lesson.starts_at = starts
    db.session.commit()
    return lesson


def _row(lesson: Lesson, pupil_id: int) -> AttendanceRow:
    return next(r for r in lesson.register if r.pupil_id == pupil_id)


def _home(app: Flask, login: str) -> str:
    return (
        signed_in(app, login)
        .client.get("/", headers={"Accept-Language": "en"})
        .get_data(as_text=True)
    )


def test_the_pupils_day(app: Flask, lessons: LessonHub) -> None:
    hub = lessons.people
    now = datetime.now(UTC)
    open_now = _lesson_at(lessons, now - timedelta(minutes=5))
    later = _lesson_at(lessons, now + timedelta(hours=2))
    ended_early = _lesson_at(lessons, now - timedelta(minutes=20))
    ended_early.room_ended_at = now - timedelta(minutes=2)  # planned for 45 minutes
    missed = _lesson_at(lessons, now - timedelta(days=2))
    _row(missed, hub.pupil.id).status = Presence.ABSENT
    db.session.add(Recording(lesson_id=missed.id, folder="home0missed0lesson", state=RecordingState.READY,
                             duration_seconds=600.0, ended_at=now, finished_at=now))  # fmt: skip
    caught_up = _lesson_at(lessons, now - timedelta(days=3))
    row = _row(caught_up, hub.pupil.id)
    row.status, row.caught_up_at = Presence.ABSENT, now
    db.session.commit()
    work = published_work(hub, title="Квадрат теңдеулер: 10 есеп", scale=Scale.FIVE)
    graded = published_work(hub, title="Бағаланған жұмыс", scale=Scale.FIVE)
    sent = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, graded, "Жауап", []))
    grading.grade(hub.advisor, sent, sent.version, "Жақсы", "5")
    entry = portfolio.create_entry(hub.pupil, portfolio.EntryPlan(
        kind=EntryKind.OLYMPIAD, title="Аудандық олимпиада", happened_on=date(2026, 10, 3)))  # fmt: skip
    portfolio.comment(hub.tutor, entry, "Сертификатты қосыңыз")
    portfolio.comment(hub.tutor, entry, "Және орныңызды")

    page = _home(app, "pup")
    coming = page[page.index('id="day-lessons"') : page.index('id="day-work"')]
    assert f'id="day-lesson-{open_now.id}"' in coming
    assert f'href="/lessons/{open_now.id}/room">Join the lesson<' in coming
    later_item = coming[coming.index(f'id="day-lesson-{later.id}"') :]
    opens_in = float(re.search(r'data-opens-in="([\d.]+)"', later_item).group(1))  # type: ignore[union-attr]
    assert 7000 < opens_in <= 7200 and "disabled" in later_item.split("</li>")[0]
    assert f"/lessons/{ended_early.id}" not in coming  # the advisor ended it: it is over
    assert "Квадрат теңдеулер: 10 есеп" in page[page.index('id="day-work"') :]
    assert (
        "Бағаланған жұмыс" not in page[page.index('id="day-work"') : page.index('id="day-missed"')]
    )
    missed_part = page[page.index('id="day-missed"') : page.index('id="day-grades"')]
    assert f'href="/lessons/{missed.id}/recording"' in missed_part
    assert f"/lessons/{caught_up.id}" not in missed_part
    grades = page[page.index('id="day-grades"') : page.index('id="day-comments"')]
    assert "Бағаланған жұмыс" in grades and "5 of 5" in grades and "with feedback" in grades
    assert "2 new comments" in page[page.index('id="day-comments"') :]
    assert work.id

    pupil = signed_in(app, "pup")
    assert pupil.client.get(f"/work/{graded.id}").status_code == 200
    assert pupil.client.get(f"/portfolio/{entry.id}").status_code == 200
    page = _home(app, "pup")
    assert 'id="day-grades"' not in page and 'id="day-comments"' not in page  # read now
    portfolio.comment(hub.tutor, entry, "Рахмет!")
    assert "1 new comment<" in _home(app, "pup")


def test_the_tutors_day(app: Flask, lessons: LessonHub) -> None:
    hub = lessons.people
    now = datetime.now(UTC)
    today = _lesson_at(lessons, now - timedelta(minutes=30), minutes=90)
    _row(today, hub.pupil.id).status = Presence.ABSENT
    _row(today, hub.other_pupil.id).status = Presence.ABSENT  # another school's pupil
    ended = _lesson_at(lessons, now - timedelta(minutes=40), minutes=90)
    ended.room_ended_at = now - timedelta(minutes=1)
    db.session.commit()
    overdue = published_work(hub, title="Мерзімі өткен", due_at=now - timedelta(days=1), cutoff_at=None,
                             opens_at=now - timedelta(days=5))  # fmt: skip
    published_work(hub, title="Әлі ерте")
    entry = portfolio.create_entry(hub.pupil, portfolio.EntryPlan(
        kind=EntryKind.OLYMPIAD, title="Аудандық олимпиада", happened_on=date(2026, 10, 3)))  # fmt: skip
    portfolio.send_for_verification(hub.pupil, entry)

    page = _home(app, "tut")
    day = page[page.index('id="day-today"') : page.index('id="day-waiting"')]
    item = day[day.index(f'id="day-lesson-{today.id}"') :].split("</li>")[0]
    assert "Absent: 1 pupil" in item and "Сәрсенбаев Әлихан" in item and "Pup2" not in item
    assert f'href="/lessons/{today.id}/room">Join as the classroom<' in item
    overdue_part = page[page.index('id="day-overdue"') :]
    assert "Сәрсенбаев Әлихан" in overdue_part and "Мерзімі өткен" in overdue_part
    assert "Әлі ерте" not in overdue_part and overdue.id
    assert "1 portfolio entry waits for verification" in page
    coming = page[page.index("Coming lessons") :]
    assert f'/lessons/{today.id}"' not in coming  # listed under today already
    assert f'/lessons/{ended.id}"' not in coming
    assert f'href="/lessons/{ended.id}/room"' not in page  # held today, over: no way in


def test_the_advisors_day(app: Flask, lessons: LessonHub) -> None:
    hub = lessons.people
    now = datetime.now(UTC)
    soon = _lesson_at(lessons, now + timedelta(minutes=10))
    work = published_work(hub, scale=Scale.FIVE)
    submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, work, "Жауап", []))
    db.session.add(ConsultationRequest(requested_by_id=hub.pupil.id, advisor_id=hub.advisor.id,
                                       subject_id=hub.subject.id, topic="Дискриминант",
                                       state=RequestState.OPEN))  # fmt: skip
    db.session.commit()
    page = _home(app, "adv")
    if soon.starts_at.astimezone(ALMATY).date() == lessons.today:  # not just before midnight
        item = page[page.index(f'id="day-lesson-{soon.id}"') :].split("</li>")[0]
        assert ">Enter the room<" in item  # the advisor may come in 15 minutes early
    assert "1 work waits for a grade" in page
    assert "1 consultation request waits for an answer" in page


def test_a_lesson_ended_early_frees_its_time(app: Flask, lessons: LessonHub) -> None:
    first = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan(minutes=90)).lesson
    first.room_ended_at = first.starts_at + timedelta(minutes=30)  # 10:00-10:30 of 10:00-11:30
    db.session.commit()
    with pytest.raises(DomainError):
        scheduling.schedule_lesson(lessons.people.advisor, lessons.plan(start=time(10, 20)))
    second = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan(start=time(10, 40)))
    assert second.lesson.starts_at == first.starts_at + timedelta(minutes=40)
