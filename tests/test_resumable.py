"""Uploads that resume (tus 1.0): chunks written where the upload stands and only there, a file
of the platform only once the form that names a finished upload is saved, and nothing left of a
refused chunk or an abandoned upload."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

from flask import Flask

from intersession.assignments.models import Submission
from intersession.core import storage
from intersession.core.db import db, utcnow
from intersession.core.files import StoredFile
from intersession.core.resumable.models import ResumableUpload
from intersession.core.resumable.services import AREA, purge_abandoned
from tests.assignments.test_pages import published_work, signed_in
from tests.factories import HubPeople
from tests.uploads import TUS, Tus, metadata

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 80 + b"\n%%EOF\n"  # 20 KB


def _uploads_folder(app: Flask) -> list[str]:
    folder = Path(app.config["MEDIA_ROOT"]) / AREA
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _stored_files() -> int:
    return db.session.query(StoredFile).count()


def test_an_answer_sent_in_chunks_becomes_the_draft_s_file(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub)
    pupil = signed_in(app, "pup")
    tus = Tus(pupil.client)
    upload_id = tus.upload(f"work:{work.id}", "Жоба.pdf", PDF, chunk=7000)
    assert _stored_files() == 0  # a finished upload is nobody's file yet
    saved = pupil.post(
        f"/work/{work.id}/draft", {"text": "", "save": "1", "files-resumed": upload_id}
    )
    assert saved.status_code == 303  # type: ignore[attr-defined]
    draft = db.session.query(Submission).one()
    assert [f.original_name for f in draft.files] == ["Жоба.pdf"]
    download = pupil.client.get(f"/submissions/{draft.id}/files/{draft.files[0].id}")
    assert download.data == PDF and draft.files[0].content_type == "application/pdf"
    assert db.session.query(ResumableUpload).count() == 0 and _uploads_folder(app) == []
    again = pupil.post(
        f"/work/{work.id}/draft", {"text": "", "save": "1", "files-resumed": upload_id}
    )
    assert again.status_code == 400  # type: ignore[attr-defined]
    assert "not sent whole" in again.get_data(as_text=True)  # type: ignore[attr-defined]
    assert len(db.session.query(Submission).one().files) == 1


def test_a_dropped_chunk_resumes_where_the_server_says(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub)
    tus = Tus(signed_in(app, "pup").client)
    where = tus.begin(f"work:{work.id}", "a.pdf", len(PDF))
    assert tus.send(where, 0, PDF[:5000]).headers["Upload-Offset"] == "5000"
    assert tus.offset(where) == 5000
    head = tus.client.head(where, headers=TUS)
    assert head.headers["Upload-Length"] == str(len(PDF)) and "Upload-Expires" in head.headers
    assert head.headers["Cache-Control"] == "no-store"
    assert tus.send(where, 5000, PDF[5000:]).status_code == 204
    assert tus.offset(where) == len(PDF)


def test_a_chunk_out_of_order_is_refused_and_writes_nothing(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub)
    tus = Tus(signed_in(app, "pup").client)
    where = tus.begin(f"work:{work.id}", "a.pdf", len(PDF))
    tus.send(where, 0, PDF[:4000])
    for offset in (0, 3999, 8000):
        refused = tus.send(where, offset, b"x" * 1000)
        assert refused.status_code == 409 and refused.headers["Upload-Offset"] == "4000"
        assert "does not follow" in refused.get_data(as_text=True)
    data_file = Path(app.config["MEDIA_ROOT"]) / AREA / _uploads_folder(app)[0]
    assert data_file.read_bytes() == PDF[:4000]
    assert tus.send(where, 4000, b"").headers["Upload-Offset"] == "4000"


def test_someone_else_s_upload_is_not_found(app: Flask, hub: HubPeople) -> None:
    hub.cohort.pupils.append(hub.other_pupil)
    work = published_work(hub, pupils=[hub.pupil, hub.other_pupil])
    mine = Tus(signed_in(app, "pup").client)
    upload_id = mine.upload(f"work:{work.id}", "a.pdf", PDF[:3000])
    where = f"/uploads/{upload_id}"
    other = signed_in(app, "pup2")
    theirs = Tus(other.client)
    assert other.client.head(where, headers=TUS).status_code == 404
    assert theirs.send(where, 3000, b"x").status_code == 404
    assert other.client.delete(where, headers=theirs.headers()).status_code == 404
    for missing in ("/uploads/0" * 1, "/uploads/" + "f" * 32, "/uploads/..%2f..%2fetc"):
        assert other.client.head(missing, headers=TUS).status_code == 404
    claimed = other.post(
        f"/work/{work.id}/draft", {"text": "", "save": "1", "files-resumed": upload_id}
    )
    assert claimed.status_code == 400  # type: ignore[attr-defined]
    assert _stored_files() == 0 and mine.offset(where) == 3000  # still the owner's


def test_a_finished_upload_is_only_for_the_place_it_was_sent_for(
    app: Flask, hub: HubPeople
) -> None:
    first, second = published_work(hub), published_work(hub, title="Второе")
    pupil = signed_in(app, "pup")
    upload_id = Tus(pupil.client).upload(f"work:{first.id}", "a.pdf", PDF)
    refused = pupil.post(
        f"/work/{second.id}/draft", {"text": "", "save": "1", "files-resumed": upload_id}
    )
    assert refused.status_code == 400 and _stored_files() == 0  # type: ignore[attr-defined]


def test_an_unfinished_upload_cannot_be_kept(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub)
    pupil = signed_in(app, "pup")
    tus = Tus(pupil.client)
    where = tus.begin(f"work:{work.id}", "Жоба.pdf", len(PDF))
    tus.send(where, 0, PDF[:100])
    refused = pupil.post(f"/work/{work.id}/draft", {"text": "кept?", "save": "1",
                                                   "files-resumed": where.rsplit("/", 1)[-1]})  # fmt: skip
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "“Жоба.pdf” was not sent whole" in refused.get_data(as_text=True)  # type: ignore[attr-defined]
    assert _stored_files() == 0 and db.session.query(Submission).count() == 0


def test_a_file_larger_than_the_work_takes_is_refused_before_a_byte(
    app: Flask, hub: HubPeople
) -> None:
    work = published_work(hub, max_file_mb=5)
    tus = Tus(signed_in(app, "pup").client)
    too_large = tus.create(f"work:{work.id}", "big.pdf", 5 * 2**20 + 1)
    assert too_large.status_code == 413 and "at most 5 MB" in too_large.get_data(as_text=True)
    assert tus.create(f"work:{work.id}", "big.pdf", 5 * 2**20).status_code == 201
    assert db.session.query(ResumableUpload).count() == 1 and len(_uploads_folder(app)) == 1


def test_a_forged_size_is_refused(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub)
    tus = Tus(signed_in(app, "pup").client)
    for length in ("", "-5", "0", "1e6", "12abc", "9" * 40, " 100", "²", "١٢"):
        refused = tus.create(f"work:{work.id}", "a.pdf", length)
        assert refused.status_code == 400, (length, refused.status_code)
        assert refused.mimetype == "text/plain" and refused.get_data(as_text=True)
    assert db.session.query(ResumableUpload).count() == 0 and _uploads_folder(app) == []


def test_a_chunk_past_the_size_is_refused_and_keeps_nothing_of_it(
    app: Flask, hub: HubPeople
) -> None:
    work = published_work(hub)
    tus = Tus(signed_in(app, "pup").client)
    where = tus.begin(f"work:{work.id}", "a.pdf", 1000)
    tus.send(where, 0, PDF[:600])
    past = tus.send(where, 600, PDF[600:1401])
    assert past.status_code == 413 and "More was sent than the file's size" in past.get_data(
        as_text=True
    )
    data_file = Path(app.config["MEDIA_ROOT"]) / AREA / _uploads_folder(app)[0]
    assert data_file.read_bytes() == PDF[:600] and tus.offset(where) == 600
    # Sent without a length (chunked), the excess is found as it is read.
    chunked = tus.client.patch(where, input_stream=io.BytesIO(PDF[600:1000] + b"more"), headers=tus.headers(**{
        "Upload-Offset": "600", "Content-Type": "application/offset+octet-stream",
    }), environ_overrides={"wsgi.input_terminated": True})  # fmt: skip
    assert chunked.status_code == 413 and data_file.stat().st_size <= 1000
    assert tus.offset(where) == 600
    assert tus.send(where, 600, PDF[600:1000]).headers["Upload-Offset"] == "1000"


def test_what_is_not_a_tus_request_gets_a_clear_refusal(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub)
    pupil = signed_in(app, "pup")
    tus = Tus(pupil.client)
    target = f"work:{work.id}"
    plain = pupil.client.post("/uploads", headers={"X-CSRFToken": tus.token, "Upload-Length": "10"})
    assert plain.status_code == 412 and plain.headers["Tus-Version"] == "1.0.0"
    for meta in ("filename ***", "filename " + "QQ==" * 2000, f"for {metadata(x='a')[2:]}",
                 "filename AAE=," + metadata(**{"for": target})):  # fmt: skip
        refused = pupil.client.post("/uploads", headers=tus.headers(**{
            "Upload-Length": "10", "Upload-Metadata": meta,
        }))  # fmt: skip
        assert refused.status_code in (400, 404), (meta[:40], refused.status_code)
    for other in (
        "",
        "work",
        "work:x",
        f"work:{work.id + 1000}",
        "exam:1",
        "work:-1",
        "materials:1",
    ):
        assert tus.create(other, "a.pdf", 10).status_code == 404, other
    where = tus.begin(target, "a.pdf", 10)
    wrong_type = pupil.client.patch(where, data=b"x", headers=tus.headers(**{"Upload-Offset": "0"}))
    assert wrong_type.status_code == 415
    no_offset = pupil.client.patch(where, data=b"x", headers=tus.headers(**{
        "Content-Type": "application/offset+octet-stream"}))  # fmt: skip
    assert no_offset.status_code == 400
    assert tus.offset(where) == 0
    options = pupil.client.options("/uploads")
    assert options.status_code == 204 and "creation" in options.headers["Tus-Extension"]


def test_only_the_signed_in_may_upload(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub)
    pupil = signed_in(app, "pup")
    where = Tus(pupil.client).begin(f"work:{work.id}", "a.pdf", 10)
    stranger = app.test_client()
    assert stranger.head(where, headers=TUS).status_code == 401
    assert stranger.post("/uploads", headers={**TUS, "Upload-Length": "10"}).status_code in (
        400,
        401,
    )


def test_uploads_for_a_work_the_pupil_may_not_send_to_are_not_found(
    app: Flask, hub: HubPeople
) -> None:
    hub.cohort.pupils.append(hub.other_pupil)
    mine = published_work(hub, pupils=[hub.pupil])
    others = published_work(hub, pupils=[hub.other_pupil])
    tus = Tus(signed_in(app, "pup").client)
    assert tus.create(f"work:{others.id}", "a.pdf", 10).status_code == 404
    advisor = Tus(signed_in(app, "adv").client)
    assert advisor.create(f"work:{mine.id}", "a.pdf", 10).status_code == 404
    assert advisor.create("attachments", "a.pdf", 10).status_code == 201
    assert tus.create("attachments", "a.pdf", 10).status_code == 404


def test_a_cancelled_upload_leaves_nothing(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub)
    tus = Tus(signed_in(app, "pup").client)
    where = tus.begin(f"work:{work.id}", "a.pdf", 100)
    tus.send(where, 0, PDF[:50])
    assert tus.client.delete(where, headers=tus.headers()).status_code == 204
    assert db.session.query(ResumableUpload).count() == 0 and _uploads_folder(app) == []
    assert tus.client.head(where, headers=TUS).status_code == 404


def test_abandoned_uploads_are_removed_after_a_day(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub)
    tus = Tus(signed_in(app, "pup").client)
    old = tus.begin(f"work:{work.id}", "old.pdf", 100)
    fresh = tus.begin(f"work:{work.id}", "fresh.pdf", 100)
    stray = Path(app.config["MEDIA_ROOT"]) / AREA / ("ab" * 16 + storage.PARTIAL_SUFFIX)
    stray.write_bytes(b"a row never committed")
    day_ago = (utcnow() - timedelta(hours=25)).timestamp()
    os.utime(stray, (day_ago, day_ago))
    row = db.session.get(ResumableUpload, old.rsplit("/", 1)[-1])
    assert row is not None
    row.touched_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    assert purge_abandoned() == 2
    assert [u.filename for u in db.session.query(ResumableUpload)] == ["fresh.pdf"]
    assert len(_uploads_folder(app)) == 1 and tus.offset(fresh) == 0
    assert tus.client.head(old, headers=TUS).status_code == 404


def test_materials_and_evidence_resume_the_same_way(
    app: Flask, hub: HubPeople, lessons: object
) -> None:
    from intersession.lessons.models import Lesson
    from intersession.portfolio.models import PortfolioEntry

    lesson = lessons.started_lesson()  # type: ignore[attr-defined]
    advisor = signed_in(app, "adv")
    upload_id = Tus(advisor.client).upload(f"materials:{lesson.id}", "Слайды.pdf", PDF)
    added = advisor.post(f"/lessons/{lesson.id}/materials", {"files-resumed": upload_id})
    assert added.status_code == 302  # type: ignore[attr-defined]
    assert [f.original_name for f in db.session.get(Lesson, lesson.id).materials] == ["Слайды.pdf"]  # type: ignore[union-attr]
    assert (
        Tus(signed_in(app, "adv2").client).create(f"materials:{lesson.id}", "a.pdf", 10).status_code
        == 404
    )
    pupil = signed_in(app, "pup")
    evidence = Tus(pupil.client).upload("evidence", "Диплом.pdf", PDF)
    made = pupil.post("/portfolio/new", {"kind": "olympiad", "title": "Олимпиада", "happened_on": "2026-11-20",
                                         "level": "district", "result": "winner", "evidence-resumed": evidence})  # fmt: skip
    assert made.status_code == 303, made.get_data(as_text=True)  # type: ignore[attr-defined]
    entry = db.session.query(PortfolioEntry).one()
    assert [f.original_name for f in entry.evidence] == ["Диплом.pdf"]
    assert _uploads_folder(app) == []


def test_one_upload_is_kept_once_whatever_names_it_again(app: Flask, hub: HubPeople) -> None:
    """Two tabs, or a form sent again after a reload, naming the same finished upload."""
    work = published_work(hub)
    pupil = signed_in(app, "pup")
    upload_id = Tus(pupil.client).upload(f"work:{work.id}", "a.pdf", PDF)
    first = pupil.post(
        f"/work/{work.id}/draft", {"text": "", "save": "1", "files-resumed": upload_id}
    )
    assert first.status_code == 303  # type: ignore[attr-defined]
    twice = pupil.post(f"/work/{work.id}/draft", {"text": "", "save": "1",
                                                 "files-resumed": [upload_id, upload_id]})  # fmt: skip
    assert twice.status_code == 400  # type: ignore[attr-defined]
    assert len(db.session.query(Submission).one().files) == 1 and _stored_files() == 1


def test_a_refused_form_lets_go_of_the_uploads_it_named(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub, max_files=1)
    pupil = signed_in(app, "pup")
    tus = Tus(pupil.client)
    named = [tus.upload(f"work:{work.id}", f"{n}.pdf", PDF) for n in ("a", "b")]
    refused = pupil.post(
        f"/work/{work.id}/draft", {"text": "", "save": "1", "files-resumed": named}
    )
    assert refused.status_code == 400 and _stored_files() == 0  # type: ignore[attr-defined]
    # Still the pupil's, whole: one of them can be kept now.
    kept = pupil.post(
        f"/work/{work.id}/draft", {"text": "", "save": "1", "files-resumed": named[0]}
    )
    assert kept.status_code == 303 and _stored_files() == 1  # type: ignore[attr-defined]


def test_refusals_come_as_words_not_a_page(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub)
    pupil = signed_in(app, "pup")
    stale = pupil.client.post("/uploads", headers={**TUS, "X-CSRFToken": "stale", "Upload-Length": "10",
                                                   "Upload-Metadata": metadata(**{"for": f"work:{work.id}"})})  # fmt: skip
    assert stale.status_code == 400 and stale.mimetype == "text/plain"
    assert "Reload it" in stale.get_data(as_text=True)
    tus = Tus(pupil.client)
    where = tus.begin(f"work:{work.id}", "a.pdf", 10)
    oversized = pupil.client.patch(where, data=b"x" * 11, headers=tus.headers(**{
        "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}))  # fmt: skip
    assert oversized.status_code == 413 and oversized.mimetype == "text/plain"
