"""Headers for shared school computers: nothing of a signed-in person is kept in the browser's
cache, sign-out clears what the site stored, and the page may use only what it needs."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient

from intersession.core.db import db
from intersession.core.files import StoredFile
from intersession.lessons import scheduling
from tests.conftest import AuthActions, LessonHub
from tests.factories import HubPeople

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def assert_not_stored(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["Cache-Control"] == "no-store", headers
    assert headers["Pragma"] == "no-cache"
    assert "Cookie" in headers["Vary"]


def test_signed_in_pages_are_not_stored(
    client: FlaskClient, auth: AuthActions, hub: HubPeople
) -> None:
    auth.login("pup")
    for path in ("/", "/work", "/portfolio", "/no-such-page"):
        assert_not_stored(client.get(path))


def test_static_assets_of_the_sign_in_page_stay_cacheable(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert_not_stored(page)  # it carries the session's CSRF token
    for path in ("/static/css/app.css", "/static/js/app.js"):
        asset = client.get(path)
        assert asset.status_code == 200
        assert "no-store" not in asset.headers.get("Cache-Control", "")
        assert "Pragma" not in asset.headers


def test_files_are_not_stored_and_byte_ranges_still_work(
    app: Flask, auth: AuthActions, lessons: LessonHub
) -> None:
    lesson = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson
    auth.login("adv")
    files = [(io.BytesIO(PDF), "plan.pdf"), (io.BytesIO("Сабақ жоспары\n".encode()), "жоспар.txt")]
    sent = auth.post(
        f"/lessons/{lesson.id}/materials", {"files": files}, content_type="multipart/form-data"
    )
    assert sent.status_code == 302
    pdf, text = db.session.query(StoredFile).order_by(StoredFile.id).all()
    pupil = AuthActions(app.test_client())
    pupil.login("pup")
    whole = pupil.client.get(f"/lessons/{lesson.id}/materials/{pdf.id}")
    assert whole.status_code == 200 and whole.data == PDF
    assert_not_stored(whole)
    part = pupil.client.get(
        f"/lessons/{lesson.id}/materials/{pdf.id}", headers={"Range": "bytes=0-7"}
    )
    assert part.status_code == 206 and part.data == PDF[:8]
    assert_not_stored(part)
    notes = pupil.client.get(f"/lessons/{lesson.id}/materials/{text.id}")
    assert notes.status_code == 200
    assert notes.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert_not_stored(notes)


def test_sign_out_clears_the_cache_and_storage_but_keeps_cookies(
    client: FlaskClient, auth: AuthActions, hub: HubPeople
) -> None:
    auth.login("pup")
    response = auth.logout()
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'  # type: ignore[attr-defined]
    assert_not_stored(response)
    # The signed-out pages keep the person's language: the new session cookie must survive.
    assert client.get_cookie("session") is not None


def test_permissions_policy_and_connect_src(client: FlaskClient, hub: HubPeople) -> None:
    response = client.get("/login")
    policy = {
        name.strip(): allow.strip()
        for name, allow in (
            item.split("=", 1) for item in response.headers["Permissions-Policy"].split(",")
        )
    }
    assert policy["camera"] == policy["microphone"] == policy["display-capture"] == "(self)"
    for feature in ("geolocation", "payment", "usb", "serial", "hid", "midi"):
        assert policy[feature] == "()", feature
    directives = {
        name: value
        for name, _space, value in (
            part.strip().partition(" ")
            for part in response.headers["Content-Security-Policy"].split(";")
        )
    }
    assert directives["connect-src"] == "'self'"


def test_a_phone_fetching_its_calendar_feed_keeps_its_own_caching(
    client: FlaskClient, hub: HubPeople
) -> None:
    from intersession.lessons import feeds

    token = feeds.renew_feed(hub.pupil)
    response = client.get(f"/ical/{token}.ics")  # no session: the secret address is the key
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, max-age=300"
