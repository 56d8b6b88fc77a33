"""A live server on 127.0.0.1 and Debian's Chromium driven by Playwright (see shared BROWSER_TESTS.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from intersession.config import celery_settings
from intersession.core.db import db
from intersession.lessons.models import AttendanceRow, Lesson, LessonKind
from intersession.schools.models import AcademicYear, TeachingAssignment
from tests.conftest import make_app, start_worker
from tests.factories import build_hub

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


class LiveApp:
    """Changes made to the live server's database as if time had passed."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def free_day(self) -> date:
        """A day a week or more ahead that lies between sessions inside the year."""
        with self.app.app_context():
            year = db.session.scalars(select(AcademicYear)).first()
            today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Almaty")).date()
            year.starts_on, year.ends_on = today - timedelta(days=70), today + timedelta(days=250)
            for session, offset in zip(
                sorted(year.sessions, key=lambda s: s.kind.value), (150, 21, -60), strict=True
            ):
                session.starts_on = today + timedelta(days=offset)
                session.ends_on = session.starts_on + timedelta(days=9)
            db.session.commit()
            db.session.remove()
        return today + timedelta(days=8)

    def lesson_now(self, starts_in_seconds: int = -60) -> int:
        """A lesson of the hub's cohort that began a minute ago (or begins as said), as the
        advisor would have set it."""
        with self.app.app_context():
            teaching = db.session.scalars(select(TeachingAssignment)).first()
            lesson = Lesson(kind=LessonKind.LESSON, advisor_id=teaching.advisor_id, cohort_id=teaching.cohort_id,
                            subject_id=teaching.subject_id, title="Live", starts_at=datetime.now(UTC) + timedelta(seconds=starts_in_seconds),
                            duration_minutes=45)  # fmt: skip
            lesson.register = [AttendanceRow(pupil=p) for p in teaching.cohort.pupils]
            db.session.add(lesson)
            db.session.commit()
            lesson_id = lesson.id
            db.session.remove()
        return lesson_id

    def add_pupil(self, login: str, name: str) -> None:
        """Another pupil of the tutor's school in the advisor's cohort (once)."""
        from intersession.auth.models import Role, User
        from tests.factories import make_user

        with self.app.app_context():
            if db.session.scalar(select(User).where(User.login == login)) is None:
                teaching = db.session.scalars(select(TeachingAssignment)).first()
                school = teaching.cohort.pupils[0].school
                pupil = make_user(login, Role.PUPIL, school, grade=9, name=name)
                teaching.cohort.pupils.append(pupil)
                db.session.commit()
            db.session.remove()

    def drop_listener(self, lesson_id: int, participant: str) -> int:
        """Cut a participant's incoming connections in the media engine, as a fault would."""
        engine = self.app.extensions["media_engine"]
        return int(engine.request(lesson_id, "drop_listener", participant))

    def counters(self, lesson_id: int) -> dict[str, int]:
        return dict(self.app.extensions["media_engine"].request(lesson_id, "counters"))

    def tell_picture(self, lesson_id: int, login: str, picture: str | None) -> None:
        """The media engine's notice that a listener's link moved it to another picture of the
        advisor's camera (as the engine's link judge sends it), from there on as in the room."""
        from intersession.auth.models import User

        namespace = self.app.extensions["room_namespaces"][0]
        with self.app.app_context():
            user_id = db.session.scalar(select(User.id).where(User.login == login))
            db.session.remove()
        people = namespace.store.read(lesson_id).participants.values()
        listener = next(p.pid for p in people if p.user_id == user_id)
        advisor = next(p.pid for p in people if p.role == "advisor")
        namespace.media_event(
            lesson_id, "picture", {"listener": listener, "source": advisor, "picture": picture}
        )

    def add_link_check(self, login: str, down_kbps: int, up_kbps: int = 100) -> None:
        """A check of the person's school's link, as made on one of its computers."""
        from intersession.auth.models import User
        from intersession.rooms import link_check

        with self.app.app_context():
            user = db.session.scalar(select(User).where(User.login == login))
            link_check.record(user.school_id, user.id, down_kbps, up_kbps)
            db.session.remove()

    def add_work(self, title: str, instructions: str = "") -> int:
        """Work for the hub's cohort, open since yesterday and due in three days, published."""
        from intersession.assignments import services

        with self.app.app_context():
            teaching = db.session.scalars(select(TeachingAssignment)).first()
            now = datetime.now(UTC)
            plan = services.WorkPlan(
                cohort=teaching.cohort, subject=teaching.subject, title=title,
                instructions=instructions, opens_at=now - timedelta(days=1),
                due_at=now + timedelta(days=3),
            )  # fmt: skip
            work = services.create_assignment(teaching.advisor, plan)
            services.publish(teaching.advisor, work)
            work_id = work.id
            db.session.remove()
        return work_id

    def attach(self, work_id: int, name: str, data: bytes) -> None:
        """A file for the pupils, attached to the work by its advisor."""
        import io

        from werkzeug.datastructures import FileStorage

        from intersession.assignments import services
        from intersession.assignments.models import Assignment

        with self.app.app_context():
            work = db.session.get(Assignment, work_id)
            upload = FileStorage(stream=io.BytesIO(data), filename=name)
            services.attach_files(work.advisor, work, [upload], [])
            db.session.remove()

    def file_of(self, work_id: int) -> int:
        from intersession.assignments.models import Assignment

        with self.app.app_context():
            file_id = db.session.get(Assignment, work_id).files[0].id
            db.session.remove()
        return file_id

    def add_recording(self, lesson_id: int, audio: bytes) -> None:
        """The lesson's recording, finished: sound only."""
        from intersession.recordings import services as recording_services
        from intersession.recordings.finishing import AUDIO_FILE
        from intersession.recordings.models import Recording, RecordingState

        with self.app.app_context():
            now = datetime.now(UTC)
            recording = Recording(lesson_id=lesson_id, folder=f"e2e{lesson_id}recording",
                                  state=RecordingState.READY, duration_seconds=600.0,
                                  audio_bytes=len(audio), ended_at=now, finished_at=now)  # fmt: skip
            db.session.add(recording)
            db.session.commit()
            folder = recording_services.folder_of(recording)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / AUDIO_FILE).write_bytes(audio)
            db.session.remove()

    def record_board(
        self, lesson_id: int, audio: bytes, seconds: float, lead: float
    ) -> list[float]:
        """The lesson's recording, finished, as if it had started `lead` seconds before the board
        first showed a page; returns when each page turn falls in it, in its seconds."""
        from intersession.board.models import BoardTurn
        from intersession.recordings import services as recording_services
        from intersession.recordings.finishing import AUDIO_FILE
        from intersession.recordings.models import Recording, RecordingState

        with self.app.app_context():
            turns = list(db.session.scalars(
                select(BoardTurn).where(BoardTurn.lesson_id == lesson_id).order_by(BoardTurn.at)
            ))  # fmt: skip
            start = turns[0].at - timedelta(seconds=lead)
            recording = db.session.scalar(select(Recording).where(Recording.lesson_id == lesson_id))
            if recording is None:
                recording = Recording(lesson_id=lesson_id, folder=f"e2e{lesson_id}board")
                db.session.add(recording)
            recording.started_at, recording.duration_seconds = start, seconds
            recording.state, recording.audio_bytes, recording.has_video = (
                RecordingState.READY,
                len(audio),
                False,
            )
            recording.ended_at = recording.finished_at = start + timedelta(seconds=seconds)
            db.session.commit()
            folder = recording_services.folder_of(recording)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / AUDIO_FILE).write_bytes(audio)
            offsets = [(turn.at - start).total_seconds() for turn in turns]
            db.session.remove()
        return offsets

    def kill_media_worker(self, lesson_id: int) -> int:
        """Kill the media worker holding the lesson's room, as a crash would; returns its pid."""
        worker = self.app.extensions["media_engine"].worker_for(lesson_id)
        pid = worker.pid
        os.kill(pid, signal.SIGKILL)
        return pid

    def ends_at(self, lesson_id: int) -> datetime:
        with self.app.app_context():
            lesson = db.session.get(Lesson, lesson_id)
            ends = lesson.ends_at
            db.session.remove()
        return ends

    def tell_lesson_time(self, lesson_id: int, minutes_before_end: int) -> int:
        """The beat task as it runs that many minutes before the lesson's planned end."""
        from intersession.rooms.lesson_time import tell_lesson_time

        with self.app.app_context():
            lesson = db.session.get(Lesson, lesson_id)
            told = tell_lesson_time(lesson.ends_at - timedelta(minutes=minutes_before_end))
            db.session.remove()
        return told

    def start_lesson_now(self, lesson_id: int) -> None:
        with self.app.app_context():
            lesson = db.session.get(Lesson, lesson_id)
            lesson.starts_at = datetime.now(UTC) - timedelta(minutes=5)
            db.session.commit()
            db.session.remove()


@pytest.fixture(scope="session")
def live_app(live_server: str) -> LiveApp:
    return LiveApp(_LIVE["app"])


_LIVE: dict[str, Any] = {}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The web app on a free loopback port, with a real Celery worker on the same database and
    filesystem broker, as `make run` starts them."""
    tmp_path = tmp_path_factory.mktemp("live")
    broker = tmp_path / "broker"
    # The media engine in a worker process of its own, as `make run` has it.
    app = make_app(
        tmp_path, CELERY=celery_settings("filesystem://", broker, tmp_path), MEDIA_WORKERS=1
    )
    with app.app_context():
        db.create_all()
        build_hub()
        db.session.remove()
    worker = start_worker(
        app, tmp_path, broker, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _LIVE["app"] = app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    engine = app.extensions.get("media_engine")
    if engine is not None:
        engine.stop()
    worker.terminate()
    worker.wait(timeout=30)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """One Playwright for the session: its sync API cannot be started twice in one thread."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("INTERSESSION_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing and the browser tests are required here")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver: Any) -> Iterator[object]:
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser: object, request: pytest.FixtureRequest) -> Iterator[Callable[..., object]]:
    """A fresh browser context per participant; a screenshot of each page on failure."""
    contexts: list[object] = []

    def factory(locale: str = "ru-RU", viewport: dict[str, int] | None = None) -> object:
        # bypass_csp: Playwright evaluates the tests' probes as scripts, which our CSP forbids pages.
        context = browser.new_context(  # type: ignore[attr-defined]
            locale=locale, viewport=viewport or {"width": 1280, "height": 800}, bypass_csp=True
        )
        contexts.append(context)
        return context.new_page()

    yield factory
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for index, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for number, page in enumerate(context.pages):  # type: ignore[attr-defined]
                page.screenshot(
                    path=str(ARTIFACTS / f"{request.node.name}-failed-{index}-{number}.png"),
                    full_page=True,
                )
        context.close()  # type: ignore[attr-defined]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    setattr(item, f"rep_{report.when}", report)  # type: ignore[attr-defined]
    return report


def choose_language(page: Any, language: str) -> None:
    """The header's language button, and the page it leads to loaded: what comes next never
    meets the old page half-way through the navigation."""
    with page.expect_navigation():
        page.click(f"button[lang={language}]")
