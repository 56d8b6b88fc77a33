"""The room's connection check: samples to time, each school's link history, and the picture a
listener of a weak school starts on."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from intersession.auth.models import User
from intersession.core.db import db, utcnow
from intersession.rooms import link_check
from intersession.rooms.models import LinkCheck
from tests.conftest import AuthActions, LessonHub, csrf_token
from tests.rooms.test_signalling import ack, room_client, started


def test_the_samples_are_timed_and_bad_sizes_refused(app: Flask, lessons: LessonHub) -> None:
    http = app.test_client()
    assert http.get("/link-check/sample").status_code == 302  # signed in only
    AuthActions(http).login("pup")
    sample = http.get("/link-check/sample?kb=16")
    assert sample.status_code == 200 and len(sample.data) == 16 * 1024
    assert sample.headers["Cache-Control"] == "no-store"
    assert http.get("/link-check/sample?kb=16").data != sample.data  # random: nothing to squeeze
    for bad in ("0", "513", "-1", "1e3", "٣", "abc", ""):
        refused = http.get(f"/link-check/sample?kb={bad}")
        assert refused.status_code == 400, bad
        assert "whole number of kilobytes from 1 to 512" in refused.get_data(as_text=True)
    assert http.post("/link-check/sample", data=b"x" * 4096).status_code == 400  # no CSRF token
    token = {"X-CSRFToken": csrf_token(http, "/")}
    assert http.post("/link-check/sample", data=b"x" * 4096, headers=token).status_code == 204
    too_big = http.post("/link-check/sample", data=b"x" * (513 * 1024), headers=token)
    assert too_big.status_code == 400 and "larger than 512 KB" in too_big.get_data(as_text=True)


def test_a_check_is_kept_as_the_schools_and_says_what_the_link_carries(
    app: Flask, lessons: LessonHub
) -> None:
    lesson_id = started(lessons)
    pupil = room_client(app, "pup")
    assert ack(pupil, "link_check", {"down_kbps": 300, "up_kbps": 200}) == {"error": "not-allowed"}
    ack(pupil, "join", {"lesson": lesson_id})
    for bad in (
        {"down_kbps": "300", "up_kbps": 200}, {"down_kbps": 0, "up_kbps": 200},
        {"down_kbps": True, "up_kbps": 200}, {"down_kbps": 300}, {"down_kbps": 10**12, "up_kbps": 1},
        "300",
    ):  # fmt: skip
        assert ack(pupil, "link_check", bad) == {"error": "bad-request"}, bad
    assert ack(pupil, "link_check", {"down_kbps": 300, "up_kbps": 200}) == {
        "ok": True, "picture": "small",
    }  # fmt: skip
    assert ack(pupil, "link_check", {"down_kbps": 5000, "up_kbps": 900})["picture"] == "full"
    assert ack(pupil, "link_check", {"down_kbps": 150, "up_kbps": 90})["picture"] == "none"
    with app.app_context():
        school_id = db.session.scalar(select(User.school_id).where(User.login == "pup"))
        history = db.session.scalars(
            select(LinkCheck).where(LinkCheck.school_id == school_id)
        ).all()
        assert [(c.down_kbps, c.up_kbps) for c in history] == [(300, 200), (5000, 900), (150, 90)]
        assert link_check.start_picture(school_id, 500) == "none"  # the latest one counts
        for check in history:
            check.measured_at = utcnow() - link_check.LINK_REMEMBERED - timedelta(days=1)
        db.session.commit()
        assert link_check.start_picture(school_id, 500) == "full"  # too old to go by
        assert link_check.start_picture(None, 500) == "full"


def test_what_a_link_carries() -> None:
    assert link_check.picture_for(900, 500) == "full"
    assert link_check.picture_for(899, 500) == "small"
    assert link_check.picture_for(264, 500) == "small"  # the rural link of the weak-link bench
    assert link_check.picture_for(263, 500) == "none"
    assert link_check.picture_for(400, 150) == "full"  # a lesson whose camera is set low
