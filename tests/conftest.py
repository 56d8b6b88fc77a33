"""Shared fixtures: an app on a real SQLite file per test, clients, sign-in helpers, a demo hub,
and that hub with its year laid around today, so lessons can be scheduled in the future."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intersession import create_app
from intersession.config import TestConfig, celery_settings
from intersession.core.db import db
from intersession.lessons import scheduling
from intersession.lessons.models import Lesson
from intersession.schools.models import PlanTopic, Subject, TeachingAssignment
from intersession.serve import worker_command
from tests.factories import PASSWORD, HubPeople, build_hub, lay_year_around

CSRF_RE = re.compile(r'name="(?:[\w-]*-)?csrf_token" type="hidden" value="([^"]+)"')
ALMATY = ZoneInfo("Asia/Almaty")


@pytest.fixture(scope="session", autouse=True)
def _instance_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["INTERSESSION_INSTANCE"] = str(tmp_path_factory.mktemp("instance"))


class IsolatedClient(FlaskClient):
    """Each request in an app context of its own, as in production: a fresh `g` (Flask-Login's
    cached user) and its own database session, apart from the test's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = (
            "en"  # assertions read English unless a test says
        )

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)  # read and close streamed bodies (files) at once
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(tmp_path: Path, **overrides: object) -> Flask:
    # INTERSESSION_TEST_DATABASE_URL runs the suite on another database (PostgreSQL).
    database = (
        os.environ.get("INTERSESSION_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite'}"
    )
    settings: dict[str, object] = {
        "SQLALCHEMY_DATABASE_URI": database,
        "MEDIA_ROOT": str(tmp_path / "media"),
        # A broker folder per test: a task a page queues stays with that test's app.
        "CELERY": celery_settings("filesystem://", tmp_path / "broker", tmp_path),
    }
    config = TestConfig(**(settings | overrides))
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


def start_worker(app: Flask, tmp_path: Path, broker: Path, **popen: Any) -> subprocess.Popen[str]:
    """A real Celery worker process on the app's database and filesystem broker."""
    env = dict(
        os.environ,
        INTERSESSION_INSTANCE=str(tmp_path),
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        MEDIA_ROOT=app.config["MEDIA_ROOT"],
        CELERY_BROKER_URL="filesystem://",
        CELERY_BROKER_FOLDER=str(broker),
        PASSWORD_HASH_METHOD=app.config["PASSWORD_HASH_METHOD"],
    )
    options = ("--loglevel=INFO", "--without-heartbeat", "--without-gossip", "--without-mingle")
    return subprocess.Popen(worker_command(*options), env=env, text=True, **popen)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """A fresh app and schema (create_all is for tests only; real databases use migrations)."""
    app = make_app(tmp_path)
    with app.app_context():
        db.drop_all()  # a shared server database may hold the last test's tables
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def hub(app: Flask) -> HubPeople:
    """A hub with two magnet schools, one person of each role, and a second hub for outsiders."""
    return build_hub()


@dataclass
class LessonHub:
    """The demo hub ready for lessons, with the dates and plan a test schedules them by."""

    people: HubPeople
    today: date  # in Almaty, the hub's zone
    window_day: date  # a day a week ahead, between sessions
    intermediate_starts: date
    topic: PlanTopic
    physics: Subject

    def plan(
        self, day: date | None = None, start: time = time(10, 0), minutes: int = 45
    ) -> scheduling.LessonPlan:
        return scheduling.LessonPlan(
            cohort=self.people.cohort, subject=self.people.subject, topic=self.topic,
            day=day or self.window_day, start=start, duration_minutes=minutes,
        )  # fmt: skip

    def started_lesson(self) -> Lesson:
        """A lesson scheduled for the future, then moved to have begun ten minutes ago."""
        lesson = scheduling.schedule_lesson(self.people.advisor, self.plan()).lesson
        lesson.starts_at = datetime.now(UTC) - timedelta(minutes=10)
        db.session.commit()
        return lesson


@pytest.fixture
def lessons(hub: HubPeople) -> LessonHub:
    """A hub whose year is laid around today, so lessons can be scheduled in the future."""
    today = datetime.now(UTC).astimezone(ALMATY).date()
    year = hub.year
    lay_year_around(year, today)
    hub.other_magnet.timezone = "Europe/Moscow"
    week = (
        today + timedelta(days=7) - (year.starts_on - timedelta(days=year.starts_on.weekday()))
    ).days // 7 + 1
    topic = PlanTopic(year_id=year.id, subject=hub.subject, grade=9, position=1, title="Квадрат теңдеулер",
                      week=week, hours=Decimal(2))  # fmt: skip
    physics = Subject(hub_id=hub.hub.id, name="Физика")
    db.session.add_all([topic, physics])
    db.session.add(
        TeachingAssignment(advisor=hub.other_advisor, cohort=hub.cohort, subject=physics)
    )
    hub.cohort.pupils.append(hub.other_pupil)
    db.session.commit()
    return LessonHub(
        hub, today, today + timedelta(days=7), today + timedelta(days=21), topic, physics
    )


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real forms, CSRF included."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, login: str, password: str = PASSWORD, next_path: str = "") -> object:
        token = csrf_token(self.client, "/login")
        return self.client.post(
            "/login",
            data={"login": login, "password": password, "next": next_path, "csrf_token": token},
        )

    def logout(self) -> object:
        token = csrf_token(self.client, "/")
        return self.client.post("/logout", data={"csrf_token": token})

    def post(self, path: str, data: dict[str, object] | None = None, **kwargs: object) -> object:
        """POST with the session's CSRF token added."""
        body = dict(data or {})
        signed_in = self.client.get("/").status_code == 200
        body.setdefault("csrf_token", csrf_token(self.client, "/" if signed_in else "/login"))
        return self.client.post(path, data=body, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
