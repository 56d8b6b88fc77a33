"""Watching a recording: who may, signed links that expire, seeking by byte ranges, downloads, and
catching up counted in the register."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from flask import Flask

from intersession.auth.models import Role
from intersession.core.db import db, utcnow
from intersession.lessons.models import AttendanceRow, Presence
from intersession.recordings import services
from intersession.recordings.models import Recording
from tests.assignments.test_pages import signed_in
from tests.conftest import csrf_token
from tests.factories import make_user
from tests.recordings.conftest import LessonHub

LINK = re.compile(r'id="recording-player"[^>]*\ssrc="([^"]+)"')


def media_link(app: Flask, login: str, lesson_id: int, listen: bool = False) -> str:
    page = signed_in(app, login).client.get(
        f"/lessons/{lesson_id}/recording" + ("?listen=1" if listen else "")
    )
    assert page.status_code == 200
    found = LINK.search(page.get_data(as_text=True))
    assert found, "no player on the page"
    return found.group(1).replace("&amp;", "&")


def test_those_invited_watch_and_others_get_404(
    app: Flask, lessons: LessonHub, ready: Recording
) -> None:
    lesson_id = ready.lesson_id
    for login in ("pup", "pup2", "tut", "adv", "coord"):
        page = signed_in(app, login).client.get(f"/lessons/{lesson_id}/recording")
        assert page.status_code == 200, login
        assert 'id="recording-player"' in page.get_data(as_text=True)
    stranger = make_user("pup9", Role.PUPIL, lessons.people.magnet, grade=9)
    db.session.commit()
    assert stranger.id
    link = media_link(app, "pup", lesson_id)
    for login in ("adv2", "outsider", "pup9"):
        client = signed_in(app, login).client
        assert client.get(f"/lessons/{lesson_id}/recording").status_code == 404, login
        assert client.get(f"/recordings/{ready.id}/video").status_code == 404, login
        # Forged progress for a lesson they were not invited to, with a good CSRF token.
        progress = client.post(
            f"/recordings/{ready.id}/progress", json={"played": [[0, 5]]},
            headers={"X-CSRFToken": csrf_token(client, "/")},
        )  # fmt: skip
        assert progress.status_code == 404, login
    # Someone else's signed link for another kind of file, or a tampered one, opens nothing.
    anonymous = app.test_client()
    assert anonymous.get(link).status_code == 200
    assert anonymous.get(link.replace("/video?", "/audio?")).status_code == 404
    assert anonymous.get(link[:-3] + "abc").status_code == 404
    assert anonymous.get(f"/recordings/{ready.id}/video").status_code == 404

    # A pupil who leaves the cohort loses the recording, the link they already hold included.
    lessons.people.cohort.pupils.remove(lessons.people.pupil)
    db.session.commit()
    assert anonymous.get(link).status_code == 404
    assert signed_in(app, "pup").client.get(f"/lessons/{lesson_id}/recording").status_code == 404


def test_the_advisor_turns_recording_off_before_the_lesson(app: Flask, lessons: LessonHub) -> None:
    lesson = lessons.started_lesson()
    path = f"/lessons/{lesson.id}/recording/setting"
    for login in ("adv2", "pup", "tut"):
        actions = signed_in(app, login)
        assert actions.post(path, data={"record": "0"}).status_code == 404, login
    advisor = signed_in(app, "adv")
    assert advisor.post(path, data={"record": "0"}).status_code == 303
    db.session.refresh(lesson)
    assert lesson.record is False
    assert services.engine_instructions(lesson, "camera") is None
    page = advisor.client.get(f"/lessons/{lesson.id}").get_data(as_text=True)
    assert "The lesson will not be recorded." in page
    assert advisor.post(path, data={"record": "1"}).status_code == 303
    db.session.refresh(lesson)
    assert lesson.record is True
    assert services.engine_instructions(lesson, "camera") is not None
    # Once the recording has begun it can no longer be turned off.
    assert advisor.post(path, data={"record": "0"}).status_code == 303
    db.session.refresh(lesson)
    assert lesson.record is True


def test_a_signed_link_expires(app: Flask, ready: Recording) -> None:
    link = media_link(app, "pup", ready.lesson_id)
    app.config["RECORDING_LINK_SECONDS"] = -1
    expired = app.test_client().get(link)
    assert expired.status_code == 403
    assert "expired" in expired.get_data(as_text=True)


def test_seeking_gets_the_right_bytes_and_downloads_are_named(app: Flask, ready: Recording) -> None:
    client = app.test_client()
    whole = services.folder_of(ready) / "lesson.webm"
    data = whole.read_bytes()
    link = media_link(app, "pup", ready.lesson_id)
    full = client.get(link)
    assert full.status_code == 200 and full.mimetype == "video/webm"
    assert full.get_data() == data
    part = client.get(link, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.get_data() == data[1000:2000]
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    # Not kept by a shared computer's browser, through a signed link as well (core.web).
    assert part.headers["Cache-Control"] == full.headers["Cache-Control"] == "no-store"
    tail = client.get(link, headers={"Range": f"bytes={len(data) - 10}-"})
    assert tail.status_code == 206 and tail.get_data() == data[-10:]
    assert client.get(link, headers={"Range": f"bytes={len(data) + 5}-"}).status_code == 416

    voice = client.get(media_link(app, "pup", ready.lesson_id, listen=True))
    assert voice.status_code == 200 and voice.mimetype == "audio/webm"
    assert voice.get_data() == (services.folder_of(ready) / "audio.webm").read_bytes()
    download = client.get(link + "&download=1")
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename*=UTF-8''" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def _row(ready: Recording, pupil_id: int) -> AttendanceRow:
    row = db.session.query(AttendanceRow).filter_by(lesson_id=ready.lesson_id, pupil_id=pupil_id)
    return row.one()


def _progress(app: Flask, login: str, ready: Recording, body: object) -> tuple[int, dict]:
    actions = signed_in(app, login)
    page = actions.client.get(f"/lessons/{ready.lesson_id}/recording").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page)
    assert token
    answer = actions.client.post(
        f"/recordings/{ready.id}/progress",
        data=body if isinstance(body, str) else json.dumps(body),
        headers={"X-CSRFToken": token.group(1), "Content-Type": "application/json"},
    )
    return answer.status_code, answer.get_json() or {}


def test_an_absent_pupil_who_watches_enough_is_caught_up(
    app: Flask, lessons: LessonHub, ready: Recording
) -> None:
    pupil = lessons.people.pupil
    row = _row(ready, pupil.id)
    row.status = Presence.ABSENT
    db.session.commit()
    duration = ready.duration_seconds
    assert duration and duration > 5

    status, answer = _progress(app, "pup", ready, {"played": [[0, duration * 0.5]]})
    assert status == 200 and answer["caught_up"] is False
    assert 0.45 < answer["share"] < 0.55
    db.session.refresh(row)
    assert row.caught_up_at is None
    # Played again and skipped ahead: the same seconds count once.
    status, answer = _progress(
        app, "pup", ready, {"played": [[0, duration * 0.5], [duration * 0.95, duration]]}
    )
    assert status == 200 and answer["caught_up"] is False and answer["share"] < 0.6
    status, answer = _progress(app, "pup", ready, {"played": [[duration * 0.4, duration * 0.9]]})
    assert status == 200 and answer["caught_up"] is True
    db.session.refresh(row)
    assert row.caught_up_at is not None and row.status is Presence.ABSENT  # kept side by side

    page = signed_in(app, "tut").client.get(f"/lessons/{ready.lesson_id}").get_data(as_text=True)
    assert "caught up on the recording" in page
    report = signed_in(app, "coord").client.get("/reports/attendance")
    text = report.get_data(as_text=True)
    assert report.status_code == 200, text[-2000:]
    assert "caught up on the recording" in text


def test_progress_is_checked(app: Flask, lessons: LessonHub, ready: Recording) -> None:
    other = _row(ready, lessons.people.other_pupil.id)
    other.status = Presence.PRESENT
    db.session.commit()
    status, answer = _progress(app, "pup2", ready, {"played": [[0, ready.duration_seconds]]})
    assert status == 200 and answer["caught_up"] is False  # was there: nothing to catch up
    for bad in ({"played": "all"}, {"played": [[0]]}, {"played": [[0, "5"]]}, {"nothing": 1},
                {"played": [[0, True]]}, {"played": [[0, 1]] * 501}, '{"played": [[0, NaN]]}',
                "not json", {"played": [[0, 10**20]]}, '{"played": [[0, 1e400]]}',
                {"played": [[0, 1]], "note\x00": 1}):  # fmt: skip
        status, answer = _progress(app, "pup", ready, bad)
        assert status == 400, bad
        assert answer.get("error"), bad
    # More than could have been played since the page was opened.
    ready.duration_seconds = 3600
    db.session.commit()
    status, answer = _progress(app, "pup", ready, {"played": [[0, 3600]]})
    assert status == 400 and "More was reported" in answer["error"]
    assert _row(ready, lessons.people.pupil.id).caught_up_at is None


def test_retention_removes_exactly_the_expired_and_the_coordinator_sees_the_space(
    app: Flask, lessons: LessonHub, ready: Recording, recorded_tracks: object
) -> None:
    from tests.recordings.conftest import recorded

    assert ready.expires_at is not None
    year_end = lessons.people.year.ends_on
    assert ready.expires_at.date() in (year_end, year_end + timedelta(days=1))  # hub's midnight
    second = recorded(lessons.started_lesson(), recorded_tracks)  # type: ignore[arg-type]
    ready.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    old_folder, kept_folder = services.folder_of(ready), services.folder_of(second)
    size = sum(p.stat().st_size for p in old_folder.iterdir())
    removed, freed = services.purge()
    assert (removed, freed) == (1, size)
    assert not old_folder.exists() and (kept_folder / "lesson.webm").exists()
    assert ready.state.value == "expired" and second.state.value == "ready"
    assert signed_in(app, "pup").client.get(f"/recordings/{ready.id}/video").status_code == 404

    coordinator = signed_in(app, "coord")
    page = coordinator.client.get("/recordings").get_data(as_text=True)
    assert "1 recording</strong> is kept" in page
    for bad in ("0", "5000", "abc"):
        answer = coordinator.post("/recordings", data={"days": bad})
        assert answer.status_code == 400, bad
    answer = coordinator.post("/recordings", data={"days": "30"})
    assert answer.status_code == 303
    db.session.refresh(second)
    assert second.expires_at == second.lesson.ends_at + timedelta(days=30)
    for login in ("adv", "tut", "pup", "outsider"):
        assert (
            signed_in(app, login).client.get("/recordings").status_code == 404
            or login == "outsider"
        )
