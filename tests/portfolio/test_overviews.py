"""The portfolio's overviews: by kind, the tutor's counts, the advisor's pupils, the coordinator's
search with filters, one pupil's page for each role, and the "worth the portfolio" mark."""

from __future__ import annotations

from datetime import date

from flask import Flask

from intersession.auth.models import Role
from intersession.core.db import db
from intersession.portfolio import services
from intersession.portfolio.models import EntryKind, EntryState, Level, PortfolioEntry, Result
from tests.assignments.test_pages import signed_in
from tests.factories import HubPeople, make_user


def verified(hub: HubPeople, title: str, kind: EntryKind, level: Level | None,
             result: Result | None, pupil: object = None) -> PortfolioEntry:  # fmt: skip
    owner = pupil or hub.pupil
    plan = services.EntryPlan(kind=kind, title=title, happened_on=date.today(), level=level,
                              result=result, place=1 if result is Result.PRIZE else None)  # fmt: skip
    made = services.create_entry(owner, plan)  # type: ignore[arg-type]
    services.send_for_verification(owner, made)  # type: ignore[arg-type]
    tutor = (
        hub.tutor
        if owner is hub.pupil
        else db.session.query(type(hub.tutor)).filter_by(login="tut2").one()
    )
    services.verify(tutor, made)
    return made


def test_views_for_each_role(app: Flask, hub: HubPeople) -> None:
    make_user("tut2", Role.TUTOR, hub.other_magnet)
    db.session.commit()
    verified(hub, "Республикалық олимпиада", EntryKind.OLYMPIAD, Level.REPUBLIC, Result.PRIZE)
    verified(hub, "Аудандық жарыс", EntryKind.COMPETITION, Level.DISTRICT, Result.WINNER)
    verified(hub, "Басқа мектептің олимпиадасы", EntryKind.OLYMPIAD, Level.REPUBLIC, Result.PRIZE,
             pupil=hub.other_pupil)  # fmt: skip
    draft = services.create_entry(hub.pupil, services.EntryPlan(
        kind=EntryKind.PROJECT, title="Жеке жоба", happened_on=date.today()))  # fmt: skip

    mine = signed_in(app, "pup").client.get("/portfolio?by=kind").get_data(as_text=True)
    assert mine.index("Olympiad") < mine.index("Республикалық олимпиада")
    assert "Жеке жоба" in mine and 'id="export-pdf"' in mine

    tutor_page = signed_in(app, "tut").client.get("/portfolio").get_data(as_text=True)
    counts = tutor_page.split("verified entries by kind and level")[1].split("</table>")[0]
    assert hub.pupil.full_name in counts and hub.other_pupil.full_name not in counts
    assert "republic: 1" in counts and "district: 1" in counts

    advisor = signed_in(app, "adv").client
    assert hub.pupil.full_name in advisor.get("/portfolio").get_data(as_text=True)
    page = advisor.get(f"/portfolio/pupils/{hub.pupil.id}").get_data(as_text=True)
    assert "Республикалық олимпиада" in page and "Жеке жоба" not in page  # no drafts for advisors
    assert 'id="export-pdf"' not in page  # advisors read; the pupil, tutor, coordinator export
    assert advisor.get(f"/portfolio/pupils/{hub.other_pupil.id}").status_code == 404
    assert (
        signed_in(app, "tut").client.get(f"/portfolio/pupils/{draft.pupil_id}").status_code == 200
    )
    assert signed_in(app, "tut2").client.get(f"/portfolio/pupils/{hub.pupil.id}").status_code == 404
    assert (
        signed_in(app, "outsider").client.get(f"/portfolio/pupils/{hub.pupil.id}").status_code
        == 404
    )
    assert signed_in(app, "pup2").client.get(f"/portfolio/pupils/{hub.pupil.id}").status_code == 404

    coordinator = signed_in(app, "coord").client
    assert coordinator.get("/portfolio").status_code == 302
    found = coordinator.get("/portfolio/search?level=republic&result=prize").get_data(as_text=True)
    assert "Республикалық олимпиада" in found and "Басқа мектептің олимпиадасы" in found
    assert "Аудандық жарыс" not in found
    one_school = coordinator.get(f"/portfolio/search?level=republic&school={hub.magnet.id}")
    assert "Басқа мектептің" not in one_school.get_data(as_text=True)
    year = coordinator.get(f"/portfolio/search?year={hub.year.id}&grade=9&kind=competition")
    assert "Аудандық жарыс" in year.get_data(as_text=True)
    assert "Жеке жоба" not in coordinator.get("/portfolio/search").get_data(as_text=True)
    nonsense = coordinator.get("/portfolio/search?kind=<script>&grade=99999999999&year=x")
    assert nonsense.status_code == 200 and "<script>" not in nonsense.get_data(as_text=True)
    advisor_search = advisor.get("/portfolio/search?level=republic").get_data(as_text=True)
    assert "Республикалық олимпиада" in advisor_search
    assert "Басқа мектептің" not in advisor_search  # not in the advisor's cohorts
    assert signed_in(app, "pup").client.get("/portfolio/search").status_code == 404
    assert signed_in(app, "tut").client.get("/portfolio/search").status_code == 404
    assert db.session.query(PortfolioEntry).filter_by(state=EntryState.VERIFIED).count() == 3
