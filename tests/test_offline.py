"""What the service worker needs from the server: its script at the root, allowed to look after
every page and never kept stale; the mark on the pupil's pages it may keep, and on no other."""

from __future__ import annotations

from flask import Flask

from tests.assignments.test_pages import published_work, signed_in
from tests.factories import HubPeople


def test_the_worker_is_served_from_the_root(app: Flask) -> None:
    served = app.test_client().get("/sw.js")
    assert served.status_code == 200 and served.mimetype == "text/javascript"
    assert served.headers["Service-Worker-Allowed"] == "/"
    assert served.headers["Cache-Control"] == "no-cache"
    assert b"X-Keep-Offline" in served.data


def test_only_the_pupil_s_own_pages_are_marked_to_keep(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub)
    pupil = signed_in(app, "pup")
    for path in ("/", "/work", f"/work/{work.id}"):
        page = pupil.client.get(path)
        assert page.status_code == 200 and page.headers["X-Keep-Offline"] == str(hub.pupil.id), path
    assert f'data-offline-user="{hub.pupil.id}"' in pupil.client.get("/").get_data(as_text=True)
    for path in ("/portfolio", "/lessons", f"/work/{work.id + 99}", "/password"):
        assert "X-Keep-Offline" not in pupil.client.get(path).headers, path
    advisor = signed_in(app, "adv")
    for path in ("/", "/work", f"/work/{work.id}"):
        page = advisor.client.get(path)
        assert page.status_code == 200 and "X-Keep-Offline" not in page.headers, path
    assert "data-offline-user" not in advisor.client.get("/").get_data(as_text=True)
    assert "X-Keep-Offline" not in app.test_client().get("/login").headers
