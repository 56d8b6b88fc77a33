"""Who opens an entry by its id, with its files and comments: the same rule as the lists
(ACCESS.md). The coordinator and advisors read verified entries only; the pupil and their tutor
read drafts too. What one may not see answers 404, as for a missing id."""

from __future__ import annotations

import io
from datetime import date, timedelta

from flask import Flask

from intersession.auth.models import Role
from intersession.core.db import db
from intersession.portfolio import export, services
from intersession.portfolio.models import EntryKind, ExportKind, PortfolioEntry
from tests.assignments.test_pages import signed_in
from tests.factories import HubPeople, make_user
from tests.portfolio.test_export import built
from tests.portfolio.test_pages import PNG

READERS_OF_DRAFTS = ("pup", "tut")
STRANGERS = ("tut9", "pup9", "adv2", "outsider")


def with_evidence(app: Flask, title: str) -> PortfolioEntry:
    """A draft made through the pupil's form, with one file of evidence."""
    pupil = signed_in(app, "pup")
    made = pupil.post("/portfolio/new", {
        "kind": "project", "title": title, "happened_on": (date.today() - timedelta(days=3)).isoformat(),
        "description": "", "level": "", "result": "", "links": "",
        "evidence": (io.BytesIO(PNG), "Жоба.png"),
    }, content_type="multipart/form-data")  # fmt: skip
    assert made.status_code == 303  # type: ignore[attr-defined]
    found = db.session.query(PortfolioEntry).filter_by(title=title).one()
    return found


def opens(app: Flask, login: str, entry: PortfolioEntry) -> tuple[int, int]:
    client = signed_in(app, login).client
    page = client.get(f"/portfolio/{entry.id}").status_code
    evidence = client.get(f"/portfolio/{entry.id}/files/{entry.evidence[0].id}").status_code
    return page, evidence


def test_a_draft_and_its_files_open_for_the_pupil_and_their_tutor_only(
    app: Flask, hub: HubPeople
) -> None:
    make_user("tut9", Role.TUTOR, hub.other_magnet)
    make_user("pup9", Role.PUPIL, hub.magnet, grade=9)
    db.session.commit()
    draft = with_evidence(app, "Жеке жоба")
    for login in READERS_OF_DRAFTS:
        assert opens(app, login, draft) == (200, 200), login
    for login in ("adv", "coord", *STRANGERS):
        assert opens(app, login, draft) == (404, 404), login

    # Comments follow the same rule: the advisor of the pupil's cohort cannot write on a draft.
    advisor = signed_in(app, "adv")
    assert advisor.post(f"/portfolio/{draft.id}/comments", {"text": "?"}).status_code == 404  # type: ignore[attr-defined]
    tutor = signed_in(app, "tut")
    assert tutor.post(f"/portfolio/{draft.id}/comments", {"text": "Жақсы"}).status_code == 303  # type: ignore[attr-defined]

    # Sent to the tutor, it is still not verified: the same answers.
    services.send_for_verification(hub.pupil, draft)
    for login in READERS_OF_DRAFTS:
        assert opens(app, login, draft) == (200, 200), login
    for login in ("adv", "coord", *STRANGERS):
        assert opens(app, login, draft) == (404, 404), login


def test_a_verified_entry_opens_for_the_advisor_and_the_coordinator_but_not_its_new_draft(
    app: Flask, hub: HubPeople
) -> None:
    make_user("tut9", Role.TUTOR, hub.other_magnet)
    make_user("pup9", Role.PUPIL, hub.magnet, grade=9)
    db.session.commit()
    entry = with_evidence(app, "Ғылыми жоба")
    services.send_for_verification(hub.pupil, entry)
    services.verify(hub.tutor, entry)
    for login in (*READERS_OF_DRAFTS, "adv", "coord"):
        assert opens(app, login, entry) == (200, 200), login
    for login in STRANGERS:
        assert opens(app, login, entry) == (404, 404), login
    advisor = signed_in(app, "adv")
    assert advisor.post(f"/portfolio/{entry.id}/comments", {"text": "Жарайсың!"}).status_code == 303  # type: ignore[attr-defined]

    # The pupil makes a new version: a draft again, sharing the evidence of the verified one.
    copy = services.new_version(hub.pupil, entry)
    for login in READERS_OF_DRAFTS:
        assert opens(app, login, copy) == (200, 200), login
    for login in ("adv", "coord", *STRANGERS):
        assert opens(app, login, copy) == (404, 404), login
    assert opens(app, "adv", entry) == (200, 200)  # the verified one counts until then

    # The pupil's page lists for the advisor exactly what opens for them.
    listed = advisor.client.get(f"/portfolio/pupils/{hub.pupil.id}").get_data(as_text=True)
    assert f'/portfolio/{entry.id}"' in listed and f'/portfolio/{copy.id}"' not in listed


def test_the_coordinators_export_holds_only_verified_entries(app: Flask, hub: HubPeople) -> None:
    plan = services.EntryPlan(kind=EntryKind.OLYMPIAD, title="Олимпиада", happened_on=date.today())
    verified = services.create_entry(hub.pupil, plan)
    services.send_for_verification(hub.pupil, verified)
    services.verify(hub.tutor, verified)
    services.create_entry(hub.pupil, plan)  # a draft
    services.send_for_verification(hub.pupil, services.create_entry(hub.pupil, plan))
    done = built(app, export.request_export(hub.coordinator, hub.pupil, ExportKind.ZIP).id)
    assert done.entries == 1
