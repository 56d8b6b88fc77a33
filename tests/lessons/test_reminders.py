"""Reminders 24 hours and 15 minutes before a lesson, once each, and word of cancellations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from intersession.core.db import db
from intersession.lessons import reminders, scheduling
from intersession.lessons.tasks import send_lesson_reminders
from intersession.notifications.models import Notification
from tests.conftest import AuthActions, LessonHub
from tests.factories import make_user


def kinds_for(user_id: int) -> list[str]:
    query = (
        select(Notification.kind).where(Notification.user_id == user_id).order_by(Notification.id)
    )
    return list(db.session.scalars(query))


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)) or 0


def test_reminders_once_each_even_when_run_again(lessons: LessonHub) -> None:
    make_user("tut2", lessons.people.tutor.role, lessons.people.other_magnet)
    lesson = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson
    people = lessons.people
    day_before = lesson.starts_at - timedelta(hours=23)
    assert reminders.send_lesson_reminders(lesson.starts_at - timedelta(hours=25)) == 0
    sent = reminders.send_lesson_reminders(day_before)
    assert sent == 4  # two pupils and the tutor of each one's school
    assert reminders.send_lesson_reminders(day_before + timedelta(minutes=1)) == 0  # a second run
    assert kinds_for(people.pupil.id) == ["lesson-24h"] and kinds_for(people.tutor.id) == [
        "lesson-24h"
    ]
    assert kinds_for(people.advisor.id) == [] and kinds_for(people.outsider.id) == []
    soon = lesson.starts_at - timedelta(minutes=10)
    assert reminders.send_lesson_reminders(soon) == 4
    assert reminders.send_lesson_reminders(soon) == 0
    assert kinds_for(people.pupil.id) == ["lesson-24h", "lesson-15m"]
    assert reminders.send_lesson_reminders(lesson.starts_at + timedelta(minutes=1)) == 0


def test_the_periodic_task_sends_what_is_due_now(lessons: LessonHub) -> None:
    lesson = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson
    lesson.starts_at = datetime.now(UTC) + timedelta(minutes=12)
    db.session.commit()
    assert send_lesson_reminders.run() == 3  # the far school has no tutor here
    assert send_lesson_reminders.run() == 0  # as after a worker restart: nothing twice


def test_cancelled_lessons_are_not_reminded_but_announced(lessons: LessonHub) -> None:
    lesson = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson
    scheduling.cancel_lesson(lessons.people.advisor, lesson, "Жол жабық")
    assert reminders.send_lesson_reminders(lesson.starts_at - timedelta(minutes=10)) == 0
    assert kinds_for(lessons.people.pupil.id) == ["lesson-cancelled"]
    assert count() == 3


def test_bell_list_and_language(app: Flask, auth: AuthActions, lessons: LessonHub) -> None:
    lesson = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson
    reminders.send_lesson_reminders(lesson.starts_at - timedelta(minutes=10))
    auth.login("pup")
    home = auth.client.get("/").get_data(as_text=True)
    assert "Notifications: 1 unread" in home
    page = auth.client.get("/notifications").get_data(as_text=True)
    assert "In 15 minutes: Математика: Квадрат теңдеулер." in page
    assert f'href="/lessons/{lesson.id}"' in page
    assert auth.post("/notifications/read").status_code == 302
    assert "Notifications: 0 unread" in auth.client.get("/").get_data(as_text=True)
    auth.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "kk"
    assert "15 минуттан кейін" in auth.client.get("/notifications").get_data(as_text=True)
