"""Portfolio pages for pupils and tutors: the workflow through the forms, bad evidence, 409, access."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

from flask import Flask

from intersession.auth.models import Role
from intersession.core.db import db
from intersession.core.files import StoredFile
from intersession.portfolio.models import EntryState, PortfolioEntry
from tests.assignments.test_pages import signed_in
from tests.factories import HubPeople, make_user
from tests.pictures import huge_png

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def entry_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "olympiad", "title": "Облыстық олимпиада", "happened_on": (date.today() - timedelta(days=5)).isoformat(),
        "description": "Математика", "level": "region", "result": "prize", "place": "2",
        "links": "https://example.org/diplom",
    }  # fmt: skip
    data.update(changes)
    return data


def test_the_workflow_through_the_pages(app: Flask, hub: HubPeople) -> None:
    pupil, tutor = signed_in(app, "pup"), signed_in(app, "tut")
    bad = pupil.post("/portfolio/new", entry_form(evidence=(io.BytesIO(b"<html>x</html>"), "diplom.png")),
                     content_type="multipart/form-data")  # fmt: skip
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert (
        db.session.query(PortfolioEntry).count() == 0 and db.session.query(StoredFile).count() == 0
    )
    assert not list((Path(app.config["MEDIA_ROOT"]) / "files").glob("*"))
    made = pupil.post("/portfolio/new", entry_form(evidence=(io.BytesIO(PNG), "Диплом фотосы.png")),
                      content_type="multipart/form-data")  # fmt: skip
    assert made.status_code == 303  # type: ignore[attr-defined]
    entry = db.session.query(PortfolioEntry).one()
    assert [f.original_name for f in entry.evidence] == ["Диплом фотосы.png"]
    page = f"/portfolio/{entry.id}"
    assert pupil.post(f"{page}/verify", {"version": entry.version}).status_code == 403  # type: ignore[attr-defined]
    assert pupil.post(f"{page}/send", {"version": entry.version}).status_code == 303  # type: ignore[attr-defined]
    assert (
        "Облыстық олимпиада"
        in tutor.client.get("/portfolio").get_data(as_text=True).split("<h2")[1]
    )
    db.session.expire_all()
    asked = tutor.post(
        f"{page}/changes", {"version": entry.version, "note": "Дипломның екі жағын да қосыңыз"}
    )
    assert asked.status_code == 303  # type: ignore[attr-defined]
    db.session.expire_all()
    assert entry.state is EntryState.CHANGES_REQUESTED
    stale = entry.version
    assert pupil.post(f"{page}/edit", entry_form(place="1", version=stale)).status_code == 303  # type: ignore[attr-defined]
    assert pupil.post(f"{page}/edit", entry_form(place="3", version=stale)).status_code == 409  # type: ignore[attr-defined]
    db.session.expire_all()
    pupil.post(f"{page}/send", {"version": entry.version})
    db.session.expire_all()
    assert tutor.post(f"{page}/verify", {"version": entry.version}).status_code == 303  # type: ignore[attr-defined]
    db.session.expire_all()
    assert (entry.state, entry.place) == (EntryState.VERIFIED, 1)
    assert (
        pupil.post(f"{page}/edit", entry_form(place="2", version=entry.version)).status_code == 403
    )  # type: ignore[attr-defined]
    comment = tutor.post(f"{page}/comments", {"text": "<script>x()</script> Құттықтаймын!"})
    assert comment.status_code == 303  # type: ignore[attr-defined]
    assert "&lt;script&gt;x()&lt;/script&gt; Құттықтаймын!" in pupil.client.get(page).get_data(
        as_text=True
    )
    evidence = pupil.client.get(f"{page}/files/{entry.evidence[0].id}")
    assert evidence.status_code == 200 and evidence.data == PNG


def test_who_may_open_an_entry(app: Flask, hub: HubPeople) -> None:
    pupil = signed_in(app, "pup")
    pupil.post("/portfolio/new", entry_form())
    entry = db.session.query(PortfolioEntry).one()
    make_user("tut9", Role.TUTOR, hub.other_magnet)
    make_user("pup9", Role.PUPIL, hub.magnet, grade=9)
    db.session.commit()
    # A draft: the pupil and their tutor only (the advisor and coordinator read verified ones).
    for login in ("tut9", "pup9", "adv2", "outsider", "adv", "coord"):
        assert signed_in(app, login).client.get(f"/portfolio/{entry.id}").status_code == 404, login
    assert signed_in(app, "tut").client.get(f"/portfolio/{entry.id}").status_code == 200
    assert signed_in(app, "adv").client.get("/portfolio").status_code == 200  # their pupils
    assert signed_in(app, "tut9").post(f"/portfolio/{entry.id}/verify", {}).status_code == 404  # type: ignore[attr-defined]


def test_a_picture_too_large_to_use_is_refused_at_upload(
    app: Flask, hub: HubPeople, tmp_path: Path
) -> None:
    """Refused while the pupil is there to save it smaller: kept, it could never be printed in the
    export, and the teacher's browser would have to decode 576 MB to show it."""
    huge = huge_png(tmp_path / "скан.png").read_bytes()
    pupil = signed_in(app, "pup")
    refused = pupil.post("/portfolio/new", entry_form(evidence=(io.BytesIO(huge), "скан.png")),
                         content_type="multipart/form-data")  # fmt: skip
    assert refused.status_code == 400  # type: ignore[attr-defined]
    page = " ".join(refused.get_data(as_text=True).split())  # type: ignore[attr-defined]
    assert "скан.png" in page and "12000 × 12000" in page
    assert (
        db.session.query(StoredFile).count() == 0 and db.session.query(PortfolioEntry).count() == 0
    )
    assert not list((Path(app.config["MEDIA_ROOT"]) / "files").glob("*"))
