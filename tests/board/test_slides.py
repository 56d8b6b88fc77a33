"""Slides from a lesson's PDF: checked when given (bad ones refused with a message and nothing
kept), rendered by the task at two sizes into pictures the browser keeps, removed whole."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from intersession.board import slides
from intersession.board.models import DeckState, SlideDeck
from intersession.core.db import db
from intersession.core.files import StoredFile
from intersession.lessons import scheduling
from intersession.lessons.models import Lesson
from tests.board import pdfs
from tests.conftest import AuthActions, LessonHub


def send(auth: AuthActions, lesson_id: int, content: bytes, name: str, as_slides: bool = True):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"files": [(io.BytesIO(content), name)]}
    if as_slides:
        data["as_slides"] = "1"
    return auth.post(f"/lessons/{lesson_id}/materials", data, content_type="multipart/form-data")


def files_in(app: Flask, area: str) -> list[Path]:
    root = Path(app.config["MEDIA_ROOT"]) / area
    return sorted(root.rglob("*")) if root.exists() else []


def size_of(path: Path) -> tuple[int, int]:
    with Image.open(path) as picture:
        return picture.size


def lesson_of(lessons: LessonHub) -> Lesson:
    return scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson


def test_a_pdf_becomes_slides_at_two_sizes_kept_by_the_browser(
    app: Flask, auth: AuthActions, lessons: LessonHub
) -> None:
    lesson = lesson_of(lessons)
    auth.login("adv")
    assert send(auth, lesson.id, pdfs.deck(3), "Квадрат теңдеулер.pdf").status_code == 302
    deck = db.session.scalars(select(SlideDeck)).one()
    assert (deck.title, deck.page_count, deck.state) == (
        "Квадрат теңдеулер",
        3,
        DeckState.RENDERING,
    )
    page = auth.client.get(f"/lessons/{lesson.id}")
    assert "Квадрат теңдеулер" in page.text and "being made" in page.text
    assert slides.render(deck.id) is DeckState.READY
    pictures = {p.name: size_of(p) for p in files_in(app, "slides") if p.is_file()}
    assert sorted(pictures) == sorted(
        f"{n}-{s}.webp" for n in (1, 2, 3) for s in ("large", "small")
    )
    assert pictures["1-large.webp"] == (1280, 905) and pictures["1-small.webp"] in (
        (640, 452),
        (640, 453),
    )
    pupil = AuthActions(app.test_client())
    pupil.login("pup")
    got = pupil.client.get(f"/lessons/{lesson.id}/slides/{deck.id}/2-small.webp")
    assert got.status_code == 200 and got.mimetype == "image/webp"
    assert got.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert len(got.data) < 30_000  # a slide weighs tens of kilobytes at most
    for path in (f"{deck.id}/4-large.webp", f"{deck.id}/0-large.webp", f"{deck.id}/1-huge.webp",
                 f"{deck.id + 1}/1-large.webp"):  # fmt: skip
        assert pupil.client.get(f"/lessons/{lesson.id}/slides/{path}").status_code == 404, path
    for login in ("adv2", "outsider"):
        other = AuthActions(app.test_client())
        other.login(login)
        assert (
            other.client.get(f"/lessons/{lesson.id}/slides/{deck.id}/1-large.webp").status_code
            == 404
        )


@pytest.mark.parametrize(
    ("content", "name", "says"),
    [
        (b"just some words, not a PDF\n", "notes.pdf", "is not a PDF"),
        (pdfs.DAMAGED, "damaged.pdf", "could not be read as a PDF"),
        (pdfs.encrypted(), "secret.pdf", "protected by a password"),
        (pdfs.blank_pages(2000), "long.pdf", "has 2000 pages: slides have at most 200 pages"),
    ],
)
def test_a_pdf_unfit_for_slides_is_refused_and_nothing_is_kept(
    app: Flask, auth: AuthActions, lessons: LessonHub, content: bytes, name: str, says: str
) -> None:
    lesson = lesson_of(lessons)
    auth.login("adv")
    response = send(auth, lesson.id, content, name)
    assert response.status_code == 400 and says in response.text
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0
    assert db.session.scalar(select(func.count()).select_from(SlideDeck)) == 0
    assert files_in(app, "files") == [] and files_in(app, "slides") == []


def test_a_huge_page_is_rendered_within_the_box(
    app: Flask, auth: AuthActions, lessons: LessonHub
) -> None:
    lesson = lesson_of(lessons)
    auth.login("adv")
    assert send(auth, lesson.id, pdfs.deck(1, (20000, 20000)), "huge.pdf").status_code == 302
    deck = db.session.scalars(select(SlideDeck)).one()
    assert slides.render(deck.id) is DeckState.READY
    assert size_of(slides.page_path(deck, 1, "large")) == (960, 960)
    assert size_of(slides.page_path(deck, 1, "small")) == (480, 480)


def test_a_material_shown_as_slides_later_and_a_failed_render_leaves_nothing(
    app: Flask, auth: AuthActions, lessons: LessonHub
) -> None:
    lesson = lesson_of(lessons)
    auth.login("adv")
    assert send(auth, lesson.id, pdfs.deck(2), "later.pdf", as_slides=False).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SlideDeck)) == 0
    stored = db.session.scalars(select(StoredFile)).one()
    page = auth.client.get(f"/lessons/{lesson.id}")
    assert "Show as slides in the room" in page.text
    for login in ("pup", "adv2"):  # only the advisor makes slides
        other = AuthActions(app.test_client())
        other.login(login)
        made = other.post(f"/lessons/{lesson.id}/slides", {"file": stored.id})
        assert made.status_code in (403, 404), login
    assert auth.post(f"/lessons/{lesson.id}/slides", {"file": "x"}).status_code == 404
    assert auth.post(f"/lessons/{lesson.id}/slides", {"file": stored.id}).status_code == 302
    again = auth.post(f"/lessons/{lesson.id}/slides", {"file": stored.id}, follow_redirects=True)
    assert "already made from this file" in again.text
    deck = db.session.scalars(select(SlideDeck)).one()
    # The PDF is taken away before the task runs: the deck fails with why, no picture is left.
    assert auth.post(f"/lessons/{lesson.id}/materials/{stored.id}/delete").status_code == 302
    db.session.expire_all()
    assert slides.render(deck.id) is DeckState.FAILED
    assert "удалили раньше, чем сделались слайды" in (
        db.session.get(SlideDeck, deck.id).failure or ""
    )
    assert files_in(app, "slides") == []
    removed = auth.post(f"/lessons/{lesson.id}/slides/{deck.id}/delete", follow_redirects=True)
    assert "The slides have been removed" in removed.text
    assert db.session.scalar(select(func.count()).select_from(SlideDeck)) == 0
