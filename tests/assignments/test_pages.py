"""The pages of assignments for every role: setting, doing, grading; refusals and bad input."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from intersession.assignments import services, submitting
from intersession.assignments.models import Assignment, Scale, Submission
from intersession.auth.models import Role
from intersession.core.db import db
from intersession.core.files import StoredFile
from tests.assignments.test_rules import PDF, plan
from tests.conftest import AuthActions, csrf_token
from tests.factories import HubPeople, make_user


def multipart(fields: dict[str, str], name: str, body: bytes) -> tuple[bytes, str]:
    """A form with one file, encoded here: Werkzeug's test client spools large bodies to a
    temporary file it never closes."""
    parts = [
        f'--b\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    head = f'--b\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
    parts.append(
        head.encode() + b"Content-Type: application/octet-stream\r\n\r\n" + body + b"\r\n--b--\r\n"
    )
    return b"".join(parts), "multipart/form-data; boundary=b"


def signed_in(app: Flask, login: str) -> AuthActions:
    actions = AuthActions(app.test_client())
    actions.login(login)
    return actions


def form_for_new_work(hub: HubPeople, **changes: object) -> dict[str, Any]:
    from intersession.schools.models import TeachingAssignment

    teaching = db.session.query(TeachingAssignment).filter_by(advisor_id=hub.advisor.id).first()
    assert teaching is not None
    due = datetime.now(UTC) + timedelta(days=3)
    data: dict[str, Any] = {
        "teaching": teaching.id, "topic": 0, "title": "Жоба жұмысы", "instructions": "**Шешіңіз** <script>x()</script>",
        "opens_day": (due - timedelta(days=4)).date().isoformat(), "opens_time": "08:00",
        "due_day": due.date().isoformat(), "due_time": "18:00", "accepts_text": "y",
        "accepts_files": "y", "file_kinds": ["pdf", "image"], "max_files": 3, "max_file_mb": 5,
        "attempts": 2, "scale": "rubric", "release_at_once": "",
        "criteria-0-name": "Шешім", "criteria-0-max_points": "6", "criteria-0-levels": "толық шешім",
        "criteria-1-name": "Рәсімдеу", "criteria-1-max_points": "4",
    }  # fmt: skip
    data.update(changes)
    return data


def test_an_advisor_sets_work_and_pupils_see_it_once_published(app: Flask, hub: HubPeople) -> None:
    advisor = signed_in(app, "adv")
    bad = advisor.post("/work/new", form_for_new_work(hub, due_day="2020-01-01"))
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert db.session.query(Assignment).count() == 0
    created = advisor.post("/work/new", form_for_new_work(hub))
    assert created.status_code == 302  # type: ignore[attr-defined]
    work = db.session.query(Assignment).one()
    assert work.scale is Scale.RUBRIC and [c.name for c in work.criteria] == ["Шешім", "Рәсімдеу"]
    pupil = signed_in(app, "pup")
    assert pupil.client.get(f"/work/{work.id}").status_code == 404  # a draft
    assert advisor.post(f"/work/{work.id}/publish").status_code == 302  # type: ignore[attr-defined]
    page = pupil.client.get(f"/work/{work.id}").get_data(as_text=True)
    assert "<strong>Шешіңіз</strong>" in page and "<script>x()" not in page  # Markdown, sanitised
    assert "Жоба жұмысы" in pupil.client.get("/work").get_data(as_text=True)
    assert signed_in(app, "pup2").client.get(f"/work/{work.id}").status_code == 404
    assert signed_in(app, "tut").client.get(f"/work/{work.id}").status_code == 200
    assert signed_in(app, "adv2").client.get(f"/work/{work.id}").status_code == 404
    assert pupil.post(f"/work/{work.id}/publish").status_code == 403  # type: ignore[attr-defined]


def published_work(hub: HubPeople, **changes: object) -> Assignment:
    work = services.create_assignment(hub.advisor, plan(hub, **changes))
    services.publish(hub.advisor, work)
    return work


def test_a_pupil_sends_work_with_a_kazakh_file_name(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub)
    pupil = signed_in(app, "pup")
    data = {"text": "<script>alert(1)</script> жауап", "save": "1",
            "files": (io.BytesIO(PDF), "Жоба жұмысы.pdf")}  # fmt: skip
    saved = pupil.post(f"/work/{work.id}/draft", data, content_type="multipart/form-data")
    assert saved.status_code == 303  # type: ignore[attr-defined]
    draft = db.session.query(Submission).one()
    assert [f.original_name for f in draft.files] == ["Жоба жұмысы.pdf"]
    page = pupil.client.get(f"/work/{work.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; жауап" in page
    download = pupil.client.get(f"/submissions/{draft.id}/files/{draft.files[0].id}")
    assert download.status_code == 200 and download.data == PDF
    assert "filename*=UTF-8''%D0%96" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    version = draft.version
    send = {"text": "<script>alert(1)</script> жауап", "send": "1", "version": str(version)}
    assert pupil.post(f"/work/{work.id}/draft", send).status_code == 303  # type: ignore[attr-defined]
    again = pupil.post(f"/work/{work.id}/draft", send)  # the second click of a double submit
    assert again.status_code in (400, 409)  # type: ignore[attr-defined]
    assert db.session.query(Submission).filter_by(state="submitted").count() == 1
    no_token = pupil.client.post(f"/work/{work.id}/draft", data={"text": "x", "save": "1"})
    assert no_token.status_code == 400


def test_bad_files_leave_nothing(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub, max_file_mb=1)
    pupil = signed_in(app, "pup")
    for name, body in (("Жоба.pdf", b"<html><script>alert(1)</script></html>"), ("empty.pdf", b""),
                       ("../../etc/passwd", b"root:x:0:0"), ("big.pdf", PDF + b"0" * (1024 * 1024 + 10))):  # fmt: skip
        token = csrf_token(pupil.client, "/")
        data, kind = multipart({"save": "1", "csrf_token": token}, name, body)
        reply = pupil.client.post(f"/work/{work.id}/draft", data=data, content_type=kind)
        assert reply.status_code == 400, name  # type: ignore[attr-defined]
        assert db.session.query(StoredFile).count() == 0
        assert not list((Path(app.config["MEDIA_ROOT"]) / "files").glob("*"))
    # The work's own limit (5 files of 1 MB) holds before the body is read, not the site's.
    body = b"--b\r\nContent-Disposition: form-data; name=files; filename=a.pdf\r\n\r\n" + b"0" * (
        7 << 20
    )
    huge = pupil.client.post(f"/work/{work.id}/draft", data=body,
                             content_type="multipart/form-data; boundary=b")  # fmt: skip
    assert huge.status_code == 413  # refused before the body is read
    assert db.session.query(StoredFile).count() == 0


def test_work_may_take_files_larger_than_the_sites_limit(app: Flask, hub: HubPeople) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20
    work = published_work(hub, max_file_mb=30, max_files=1)
    pupil = signed_in(app, "pup")
    data, kind = multipart({"save": "1", "csrf_token": csrf_token(pupil.client, "/")}, "Жоба.pdf",
                           PDF + b"0" * (3 << 20))  # fmt: skip
    reply = pupil.client.post(f"/work/{work.id}/draft", data=data, content_type=kind)
    assert reply.status_code == 303
    assert db.session.query(StoredFile).one().size > 3 << 20
    assert pupil.client.post("/password", data=data, content_type=kind).status_code == 413


def sent_work(hub: HubPeople, **changes: object) -> Submission:
    work = published_work(hub, **changes)
    return submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, work, "Жауап", []))


def test_grading_pages_refusals_and_conflicts(app: Flask, hub: HubPeople) -> None:
    sent = sent_work(hub, scale=Scale.HUNDRED, release_at_once=False)
    classmate = make_user("pup7", Role.PUPIL, hub.magnet, grade=9)
    db.session.commit()
    assert signed_in(app, "pup7").client.get(f"/submissions/{sent.id}").status_code == 404
    assert classmate.id != hub.pupil.id
    other_tutor = make_user("tut8", Role.TUTOR, hub.other_magnet)
    db.session.commit()
    assert signed_in(app, "tut8").client.get(f"/submissions/{sent.id}").status_code == 404
    assert other_tutor.school_id != hub.tutor.school_id
    pupil = signed_in(app, "pup")
    grade = {"version": str(sent.version), "grade": "100", "feedback": "мен өзім"}
    assert pupil.post(f"/submissions/{sent.id}/grade", grade).status_code == 403  # type: ignore[attr-defined]
    advisor = signed_in(app, "adv")
    for bad in ("-1", "101", "NaN", "abc", "1E+30", "-Infinity", "9" * 400):
        reply = advisor.post(f"/submissions/{sent.id}/grade", grade | {"grade": bad})
        assert reply.status_code == 400, bad  # type: ignore[attr-defined]
    loaded = str(sent.version)
    feedback = "<script>alert(1)</script> Жақсы"
    ok = advisor.post(
        f"/submissions/{sent.id}/grade", {"version": loaded, "grade": "88", "feedback": feedback}
    )
    assert ok.status_code == 303  # type: ignore[attr-defined]
    second = advisor.post(
        f"/submissions/{sent.id}/grade", {"version": loaded, "grade": "40", "feedback": "?"}
    )
    assert second.status_code == 409  # type: ignore[attr-defined]
    db.session.expire_all()
    assert sent.grade == 88
    page = pupil.client.get(f"/work/{sent.assignment_id}").get_data(as_text=True)
    page = re.sub(r"<script[^>]*>", "", page)  # a hashed file name may hold the digits
    assert "88" not in page  # not released yet
    assert advisor.post(f"/work/{sent.assignment_id}/release").status_code == 303  # type: ignore[attr-defined]
    page = pupil.client.get(f"/work/{sent.assignment_id}").get_data(as_text=True)
    assert "88" in page and "&lt;script&gt;alert(1)&lt;/script&gt; Жақсы" in page


def test_extensions_and_files_for_the_pupils(app: Flask, hub: HubPeople) -> None:
    advisor = signed_in(app, "adv")
    data = form_for_new_work(hub) | {"attachments": (io.BytesIO(b"<html>no</html>"), "task.pdf")}
    refused = advisor.post("/work/new", data, content_type="multipart/form-data")
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert db.session.query(Assignment).count() == 0 and db.session.query(StoredFile).count() == 0
    data = form_for_new_work(hub) | {"attachments": (io.BytesIO(PDF), "Тапсырма.pdf")}
    assert advisor.post("/work/new", data, content_type="multipart/form-data").status_code == 302  # type: ignore[attr-defined]
    work = db.session.query(Assignment).one()
    advisor.post(f"/work/{work.id}/publish")
    pupil = signed_in(app, "pup")
    attached = work.files[0]
    assert pupil.client.get(f"/work/{work.id}/files/{attached.id}").data == PDF
    assert (
        signed_in(app, "pup2").client.get(f"/work/{work.id}/files/{attached.id}").status_code == 404
    )
    later = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    extend = {"pupil": hub.pupil.id, "due_day": later, "due_time": "12:00"}
    assert pupil.post(f"/work/{work.id}/extensions", extend).status_code == 403  # type: ignore[attr-defined]
    assert advisor.post(f"/work/{work.id}/extensions", extend).status_code == 303  # type: ignore[attr-defined]
    assert services.deadlines(work, hub.pupil.id)[0].date().isoformat() in (later,
        (datetime.fromisoformat(later) + timedelta(days=1)).date().isoformat(),
        (datetime.fromisoformat(later) - timedelta(days=1)).date().isoformat())  # fmt: skip
