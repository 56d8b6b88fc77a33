"""The export: exactly the verified entries, Kazakh letters that survive text extraction, a ZIP with
the evidence, progress counted, access for the pupil, their tutor and the coordinator only."""

from __future__ import annotations

import io
import subprocess
import time
import zipfile
from datetime import date
from pathlib import Path

import pypdf
import pytest
from flask import Flask

from intersession.auth.models import Role
from intersession.config import celery_settings
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
from intersession.portfolio.tasks import build_export
from tests.assignments.test_pages import signed_in
from tests.conftest import make_app, start_worker
from tests.factories import HubPeople, build_hub, make_user
from tests.pictures import huge_png

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


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.mark.worker
def test_a_huge_picture_is_not_decoded_by_the_worker(tmp_path: Path) -> None:
    """Issue 14, item 7: a 420 KB PNG of 12000 x 12000 pixels took the worker from 190 MB to
    1.6 GB. It is now left out of the PDF with a note, and the worker stays under 400 MB."""
    broker = tmp_path / "broker"
    app = make_app(tmp_path, CELERY=celery_settings("filesystem://", broker, tmp_path))
    with app.app_context():
        db.create_all()
        hub = build_hub()
        entry_id = entry(hub, "Диплом", EntryState.VERIFIED)
        stored = StoredFile(stored_name="b" * 32, original_name="скан.png",
                            content_type="image/png", size=0, uploaded_by_id=hub.pupil.id)  # fmt: skip
        folder = Path(app.config["MEDIA_ROOT"]) / "files"
        folder.mkdir(parents=True, exist_ok=True)
        stored.size = huge_png(folder / stored.stored_name).stat().st_size
        target = db.session.get(PortfolioEntry, entry_id)
        assert target is not None
        target.evidence.append(stored)
        db.session.commit()
        made = export.request_export(hub.pupil, hub.pupil, ExportKind.PDF)
        build_export.delay(made.id, "en")
        worker = start_worker(
            app, tmp_path, broker, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        peak = 0.0
        try:
            deadline = time.monotonic() + 120
            state = ExportState.QUEUED
            while time.monotonic() < deadline and state not in (
                ExportState.DONE,
                ExportState.FAILED,
            ):
                time.sleep(0.3)
                peak = max(peak, peak_rss_mb(worker.pid))
                db.session.expire_all()
                found = db.session.get(PortfolioExport, made.id)
                assert found is not None
                state = found.state
            peak = max(peak, peak_rss_mb(worker.pid))
        finally:
            worker.terminate()
            output = worker.communicate(timeout=30)[0]
        print(f"worker peak RSS exporting a 12000 x 12000 PNG: {peak:.0f} MB")
        assert state is ExportState.DONE, output[-3000:]
        assert peak < 400, f"the worker peaked at {peak:.0f} MB"
        assert found.stored_name is not None
        text = pdf_text(
            (Path(app.config["MEDIA_ROOT"]) / "exports" / found.stored_name).read_bytes()
        )
        assert "12000 × 12000" in " ".join(text.split()) and "скан.png" in text
        db.session.remove()
        db.engine.dispose()


def test_a_photo_is_printed_scaled_down(app: Flask, hub: HubPeople) -> None:
    """A phone photo goes into the PDF at the print size, not at the camera's."""
    from PIL import Image

    entry_id = entry(hub, "Диплом", EntryState.VERIFIED)
    stored = StoredFile(stored_name="c" * 32, original_name="photo.jpg", content_type="image/jpeg",
                        size=0, uploaded_by_id=hub.pupil.id)  # fmt: skip
    folder = Path(app.config["MEDIA_ROOT"]) / "files"
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4000, 3000), (200, 30, 30)).save(folder / stored.stored_name, "JPEG")
    target = db.session.get(PortfolioEntry, entry_id)
    assert target is not None
    target.evidence.append(stored)
    db.session.commit()
    done = built(app, export.request_export(hub.pupil, hub.pupil, ExportKind.PDF).id)
    assert done.state is ExportState.DONE and done.stored_name is not None
    data = (Path(app.config["MEDIA_ROOT"]) / "exports" / done.stored_name).read_bytes()
    printed = [image for page in pypdf.PdfReader(io.BytesIO(data)).pages for image in page.images]
    assert len(printed) == 1 and printed[0].image is not None
    assert printed[0].image.size == (1600, 1200)
