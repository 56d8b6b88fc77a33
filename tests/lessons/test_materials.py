"""A lesson's materials: checked by content, stored under generated names, served to those invited."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask

from intersession.core.db import db
from intersession.core.files import StoredFile
from intersession.lessons import scheduling
from tests.conftest import AuthActions, LessonHub

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def upload(auth: AuthActions, lesson_id: int, *files: tuple[bytes, str]):  # type: ignore[no-untyped-def]
    data = {"files": [(io.BytesIO(content), name) for content, name in files]}
    return auth.post(f"/lessons/{lesson_id}/materials", data, content_type="multipart/form-data")


def media_files(app: Flask) -> list[Path]:
    root = Path(app.config["MEDIA_ROOT"]) / "files"
    return sorted(root.iterdir()) if root.exists() else []


def test_upload_and_download_for_the_invited(
    app: Flask, auth: AuthActions, lessons: LessonHub
) -> None:
    lesson = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson
    auth.login("adv")
    response = upload(
        auth, lesson.id, (PDF, "Тапсырма №1 — квадрат теңдеулер.pdf"), (PNG, "../../схема.png")
    )
    assert response.status_code == 302
    stored = db.session.query(StoredFile).order_by(StoredFile.id).all()
    assert [f.original_name for f in stored] == ["Тапсырма №1 — квадрат теңдеулер.pdf", "схема.png"]
    assert all(
        f.stored_name.isalnum() and f.stored_name in {p.name for p in media_files(app)}
        for f in stored
    )
    pupil = AuthActions(app.test_client())
    pupil.login("pup")
    pdf = pupil.client.get(f"/lessons/{lesson.id}/materials/{stored[0].id}")
    assert pdf.status_code == 200 and pdf.data == PDF and pdf.mimetype == "application/pdf"
    disposition = pdf.headers["Content-Disposition"]
    assert disposition.startswith("inline") and "filename*=UTF-8''" in disposition
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    part = pupil.client.get(
        f"/lessons/{lesson.id}/materials/{stored[0].id}", headers={"Range": "bytes=0-7"}
    )
    assert part.status_code == 206 and part.data == PDF[:8]
    for login, status in (("adv2", 404), ("outsider", 404), ("tut", 200), ("coord", 200)):
        other = AuthActions(app.test_client())
        other.login(login)
        assert (
            other.client.get(f"/lessons/{lesson.id}/materials/{stored[1].id}").status_code == status
        ), login
    # The right file id under another lesson is not found either.
    second = scheduling.schedule_lesson(
        lessons.people.advisor, lessons.plan(start=lessons.plan().start.replace(hour=12))
    ).lesson
    assert pupil.client.get(f"/lessons/{second.id}/materials/{stored[0].id}").status_code == 404


def test_bad_files_leave_nothing(app: Flask, auth: AuthActions, lessons: LessonHub) -> None:
    lesson = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson
    auth.login("adv")
    script = upload(auth, lesson.id, (PDF, "good.pdf"), (b"#!/bin/sh\nrm -rf /\n", "notes.pdf"))
    assert script.status_code == 400 and "is not a PDF, a picture" in script.get_data(as_text=True)
    assert media_files(app) == [] and db.session.query(StoredFile).count() == 0
    empty = upload(auth, lesson.id, (b"", "empty.pdf"))
    assert empty.status_code == 400
    nothing = auth.post(f"/lessons/{lesson.id}/materials", {}, content_type="multipart/form-data")
    assert nothing.status_code == 400 and "Choose a file." in nothing.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    huge = upload(auth, lesson.id, (PDF + b"0" * 5000, "big.pdf"))
    assert huge.status_code == 413 and media_files(app) == []
    app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    assert upload(auth, lesson.id, ("Сабақ жоспары\n".encode(), "жоспар.txt")).status_code == 302
    text = auth.client.get(
        f"/lessons/{lesson.id}/materials/{db.session.query(StoredFile).one().id}"
    )
    assert text.headers["Content-Disposition"].startswith("attachment")


def test_only_the_advisor_adds_and_removes(
    app: Flask, auth: AuthActions, lessons: LessonHub
) -> None:
    lesson = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson
    auth.login("adv")
    upload(auth, lesson.id, (PDF, "a.pdf"))
    stored = db.session.query(StoredFile).one()
    pupil = AuthActions(app.test_client())
    pupil.login("pup")
    assert upload(pupil, lesson.id, (PDF, "b.pdf")).status_code == 403
    assert pupil.post(f"/lessons/{lesson.id}/materials/{stored.id}/delete").status_code == 403
    assert auth.post(f"/lessons/{lesson.id}/materials/{stored.id}/delete").status_code == 302
    assert media_files(app) == [] and db.session.query(StoredFile).count() == 0
