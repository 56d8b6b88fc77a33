"""The export: exactly the verified entries, Kazakh letters that survive text extraction, a ZIP with
the evidence, progress counted, access for the pupil, their tutor and the coordinator only."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pypdf
import pytest
from flask import Flask

from intersession.auth.models import Role
from intersession.core.db import db
from intersession.core.files import StoredFile
from intersession.portfolio import export, services
from intersession.portfolio.models import (
    EntryKind,
    EntryState,
    ExportKind,
    ExportState,
    Level,
    PortfolioEntry,
    PortfolioExport,
    Result,
)
from tests.assignments.test_pages import signed_in
from tests.factories import HubPeople, make_user

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS"
    b"\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def entry(hub: HubPeople, title: str, state: EntryState) -> int:
    plan = services.EntryPlan(kind=EntryKind.OLYMPIAD, title=title, happened_on=date(2026, 10, 3),
                              level=Level.REPUBLIC, result=Result.PRIZE, place=2,
                              description="Қазақстан Республикасы, математика")  # fmt: skip
    made = services.create_entry(hub.pupil, plan)
    if state is not EntryState.DRAFT:
        services.send_for_verification(hub.pupil, made)
    if state is EntryState.VERIFIED:
        services.verify(hub.tutor, made)
    return made.id


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def built(app: Flask, export_id: int) -> PortfolioExport:
    export.run_export(export_id, "kk")
    db.session.expire_all()
    found = db.session.get(PortfolioExport, export_id)
    assert found is not None
    return found


def test_the_pdf_holds_exactly_the_verified_entries(app: Flask, hub: HubPeople) -> None:
    entry(hub, "Республикалық олимпиада — жүлде", EntryState.VERIFIED)
    entry(hub, "Ғылыми жоба", EntryState.VERIFIED)
    entry(hub, "Жоба әлі жобада", EntryState.DRAFT)
    entry(hub, "Тексерілмеген сертификат", EntryState.SUBMITTED)
    made = export.request_export(hub.pupil, hub.pupil, ExportKind.PDF)
    done = built(app, made.id)
    assert done.state is ExportState.DONE and done.entries == 2 and done.done == done.total == 2
    assert done.stored_name is not None
    data = (Path(app.config["MEDIA_ROOT"]) / "exports" / done.stored_name).read_bytes()
    text = pdf_text(data)
    assert "Сәрсенбаев Әлихан" in text  # the Kazakh letters come back out of the font
    assert "Республикалық олимпиада" in text and "Ғылыми жоба" in text
    assert "Жоба әлі жобада" not in text and "Тексерілмеген" not in text
    assert "Портфолио" in text  # in the language asked for (Kazakh)


def test_the_zip_has_the_pdf_and_the_evidence(app: Flask, hub: HubPeople) -> None:
    entry_id = entry(hub, "Диплом", EntryState.VERIFIED)
    stored = StoredFile(stored_name="a" * 32, original_name="Диплом фотосы.png",
                        content_type="image/png", size=len(PNG), uploaded_by_id=hub.pupil.id)  # fmt: skip
    (Path(app.config["MEDIA_ROOT"]) / "files").mkdir(parents=True, exist_ok=True)
    (Path(app.config["MEDIA_ROOT"]) / "files" / stored.stored_name).write_bytes(PNG)
    target = db.session.get(PortfolioEntry, entry_id)
    assert target is not None
    target.evidence.append(stored)
    db.session.commit()
    done = built(app, export.request_export(hub.tutor, hub.pupil, ExportKind.ZIP).id)
    assert done.state is ExportState.DONE and done.total == 2  # one entry, one file
    assert done.stored_name is not None
    path = Path(app.config["MEDIA_ROOT"]) / "exports" / done.stored_name
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names[0].endswith(".pdf") and "Сәрсенбаев" in pdf_text(archive.read(names[0]))
        picture = [n for n in names if n.endswith("Диплом фотосы.png")]
        assert picture and archive.read(picture[0]) == PNG


def test_a_failed_export_leaves_no_file_and_says_so(app: Flask, hub: HubPeople) -> None:
    entry(hub, "Олимпиада", EntryState.VERIFIED)
    made = export.request_export(hub.pupil, hub.pupil, ExportKind.PDF)
    app.static_folder = str(Path(app.config["MEDIA_ROOT"]) / "no-fonts-here")
    with pytest.raises(RuntimeError):
        export.run_export(made.id, "en")
    db.session.expire_all()
    assert made.state is ExportState.FAILED and "font" in made.error
    assert not list((Path(app.config["MEDIA_ROOT"]) / "exports").glob("*"))


def test_who_may_export_and_download(app: Flask, hub: HubPeople) -> None:
    entry(hub, "Олимпиада", EntryState.VERIFIED)
    pupil = signed_in(app, "pup")
    asked = pupil.post(f"/portfolio/pupils/{hub.pupil.id}/export", {"kind": "pdf"})
    assert asked.status_code == 303  # type: ignore[attr-defined]
    made = db.session.query(PortfolioExport).one()
    built(app, made.id)
    page = f"/portfolio/exports/{made.id}"
    for login in ("pup", "tut", "coord"):
        client = pupil.client if login == "pup" else signed_in(app, login).client
        assert client.get(page).status_code == 200
        download = client.get(f"{page}/file")
        assert download.status_code == 200 and download.data.startswith(b"%PDF")
        assert "attachment" in download.headers["Content-Disposition"]
        assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
        status = client.get(f"{page}/status").get_json()
        assert status["state"] == "done" and status["done"] == status["total"] == 1
    other_tutor = make_user("tut2", Role.TUTOR, hub.other_magnet)
    db.session.commit()
    for login in ("tut2", "adv", "pup2", "outsider"):
        client = signed_in(app, login).client
        assert client.get(page).status_code == 404
        assert client.get(f"{page}/file").status_code == 404
        refused = signed_in(app, login).post(
            f"/portfolio/pupils/{hub.pupil.id}/export", {"kind": "pdf"}
        )
        assert refused.status_code == 404  # type: ignore[attr-defined]
    assert other_tutor.school_id != hub.pupil.school_id
    bad = pupil.post(f"/portfolio/pupils/{hub.pupil.id}/export", {"kind": "exe"})
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert db.session.query(PortfolioExport).count() == 1


def test_old_exports_are_purged_with_their_files(app: Flask, hub: HubPeople) -> None:
    from datetime import timedelta

    from intersession.core.db import utcnow

    entry(hub, "Олимпиада", EntryState.VERIFIED)
    old, new = (
        built(app, export.request_export(hub.pupil, hub.pupil, ExportKind.PDF).id) for _ in "ab"
    )
    old.created_at = utcnow() - timedelta(days=8)
    db.session.commit()
    folder = Path(app.config["MEDIA_ROOT"]) / "exports"
    assert len(list(folder.glob("*"))) == 2
    assert export.purge_old_exports(7) == 1
    assert [p.name for p in folder.glob("*")] == [new.stored_name]
    assert db.session.query(PortfolioExport).count() == 1
