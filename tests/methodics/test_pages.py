"""The pages of methodical help through the test client: the whole cycle by its forms, what each
role sees of it, the refusals as pages, a step's materials, and the notifications sent."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from intersession.core.db import db
from intersession.methodics.models import HelpRequest, HelpState, RouteResult
from intersession.notifications.models import Notification
from tests.conftest import AuthActions
from tests.factories import HubPeople

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english(app):  # type: ignore[no-untyped-def]
    with force_locale("en"):
        yield


def _as(auth: AuthActions, login: str) -> None:
    auth.logout()
    auth.login(login)


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def _kinds(user_id: int) -> list[str]:
    return sorted(n.kind for n in db.session.query(Notification).filter_by(user_id=user_id))


def _fresh(help_id: int) -> HelpRequest:
    """The request as the database holds it now (the pages changed it in their own sessions)."""
    db.session.expire_all()
    found = db.session.get(HelpRequest, help_id)
    assert found is not None
    return found


def _ask(auth: AuthActions, hub: HubPeople) -> HelpRequest:
    auth.login("tut")
    sent = auth.post("/support/ask", {"subject": hub.subject.id, "preferred_format": "mentoring_hour",
                                      "difficulty": "Как давать задания разного уровня <b>сразу</b>?",
                                      "preferred_time": "после 15:00"})  # fmt: skip
    assert sent.status_code == 302, _text(sent)
    return db.session.query(HelpRequest).one()


def test_the_cycle_through_the_pages(app: Flask, client: FlaskClient, auth: AuthActions,
                                     hub: HubPeople) -> None:  # fmt: skip
    item = _ask(auth, hub)
    page = _text(client.get(f"/support/{item.id}"))
    assert "waiting for the diagnosis" in page and "&lt;b&gt;сразу&lt;/b&gt;" in page
    assert "help-asked" in _kinds(hub.coordinator.id)

    _as(auth, "coord")
    listed = _text(client.get(f"/support?state=sent&school={hub.magnet.id}"))
    assert f"/support/{item.id}" in listed
    assert f"/support/{item.id}" not in _text(client.get("/support?state=ended"))
    form = _text(client.get(f"/support/{item.id}/diagnosis"))
    assert f'value="{hub.tutor.id}"' not in form  # the teacher does not mentor themself
    refused = auth.post(f"/support/{item.id}/diagnosis", {"subject_deficits": " \n ",
                                                          "methodical_deficits": "", "mentor": hub.advisor.id})  # fmt: skip
    assert refused.status_code == 400 and "Name at least one deficit" in _text(refused)
    done = auth.post(f"/support/{item.id}/diagnosis", {
        "methodical_deficits": "Дифференциация заданий\n\nОценивание", "subject_deficits": "",
        "mentor": hub.advisor.id})  # fmt: skip
    assert done.status_code == 302
    assert _fresh(item.id).state is HelpState.IN_ROUTE

    _as(auth, "adv")  # the mentor builds the route
    assert f"/support/{item.id}" in _text(client.get("/support"))
    for title in ("Практикум: задания трёх уровней", "Наставнический час"):
        added = auth.post(f"/support/{item.id}/steps/new", {"format": "mentoring_hour", "title": title,
                                                            "planned_on": "2026-12-14", "responsible": hub.advisor.id})  # fmt: skip
        assert added.status_code == 302, _text(added)
    bad = auth.post(f"/support/{item.id}/steps/new", {"format": "séance", "title": "x",
                                                      "planned_on": "2026-12-14", "responsible": hub.advisor.id})  # fmt: skip
    assert bad.status_code == 400 and "Not a valid choice" in _text(bad)
    steps = _fresh(item.id).steps
    first, second = steps[0].id, steps[1].id
    sent = auth.post(f"/support/steps/{first}/materials",
                     {"files": (io.BytesIO(PDF), "Задания.pdf")}, content_type="multipart/form-data")  # fmt: skip
    assert sent.status_code == 302
    page = _text(client.get(f"/support/{item.id}"))
    link = re.search(rf'href="(/support/steps/{first}/materials/\d+)"', page)
    assert link is not None

    _as(auth, "tut")
    assert client.get(link.group(1)).data == PDF
    assert auth.post(f"/support/steps/{first}/confirm").status_code == 403  # not their own
    empty = auth.post(f"/support/steps/{first}/done", {"reflection": "  "})
    assert empty.status_code == 400 and "Write what the step gave you" in _text(empty)
    for step_id in (first, second):
        assert (
            auth.post(f"/support/steps/{step_id}/done", {"reflection": "Попробовала"}).status_code
            == 302
        )

    _as(auth, "adv")
    refused = auth.post(f"/support/{item.id}/end", {"result": "closed", "note": ""})
    assert refused.status_code == 409 or "Confirm the steps" in _text(refused)
    for step_id in (first, second):
        assert auth.post(f"/support/steps/{step_id}/confirm").status_code == 302
    assert (
        auth.post(
            f"/support/{item.id}/end", {"result": "partly", "note": "Ещё практика"}
        ).status_code
        == 302
    )

    _as(auth, "tut")
    assert "How useful was the route?" in _text(client.get(f"/support/{item.id}"))
    bad = auth.post(f"/support/{item.id}/feedback", {"usefulness": "6", "feedback": "x"})
    assert bad.status_code == 400
    assert (
        auth.post(
            f"/support/{item.id}/feedback", {"usefulness": "4", "feedback": "Помогло"}
        ).status_code
        == 302
    )
    kept = _fresh(item.id)
    assert kept.result is RouteResult.PARTLY and kept.usefulness == 4
    assert _kinds(hub.tutor.id) == ["help-diagnosed", "help-ended", "help-step", "help-step",
                                    "help-step-confirmed", "help-step-confirmed"]  # fmt: skip
    assert _kinds(hub.advisor.id) == ["help-feedback", "help-mentor", "help-step-done", "help-step-done"]  # fmt: skip
    notices = _text(client.get("/notifications"))
    assert "Your route has ended: closed in part" in notices


def test_who_sees_a_request(app: Flask, client: FlaskClient, auth: AuthActions,
                            hub: HubPeople) -> None:  # fmt: skip
    item = _ask(auth, hub)
    for login in ("adv", "adv2", "pup", "outsider"):  # no mentor yet, nor a methodologist
        _as(auth, login)
        for path in (f"/support/{item.id}", f"/support/{item.id}/diagnosis",
                     f"/support/{item.id}/steps/new"):  # fmt: skip
            assert client.get(path).status_code == 404, (login, path)
        assert f"/support/{item.id}" not in _text(client.get("/support"))
    assert client.get("/support").status_code == 200  # their own hub's page
    _as(auth, "pup")
    assert (
        client.get("/support").status_code == 404 and client.get("/support/ask").status_code == 404
    )

    _as(auth, "coord")
    auth.post(f"/support/{item.id}/diagnosis", {"methodical_deficits": "Оценивание",
                                                "mentor": hub.advisor.id})  # fmt: skip
    _as(auth, "adv2")  # another teacher: not this route's mentor
    assert client.get(f"/support/{item.id}").status_code == 404
    _as(auth, "adv")
    assert client.get(f"/support/{item.id}").status_code == 200
    assert (
        client.get(f"/support/{item.id}/diagnosis").status_code == 403
    )  # a mentor, not a methodologist


def test_the_coordinator_gives_the_methodical_service(app: Flask, client: FlaskClient,
                                                      auth: AuthActions, hub: HubPeople) -> None:  # fmt: skip
    item = _ask(auth, hub)
    _as(auth, "coord")
    assert auth.post("/support/service", {"teacher": hub.pupil.id}).status_code == 400
    assert auth.post("/support/service", {"teacher": hub.other_advisor.id}).status_code == 302
    assert hub.other_advisor.full_name in _text(client.get("/support/service"))
    _as(auth, "adv2")
    assert client.get(f"/support/{item.id}/diagnosis").status_code == 200
    assert client.get("/support/service").status_code == 404
    _as(auth, "coord")
    assert auth.post(f"/support/service/{hub.other_advisor.id}/revoke").status_code == 302
    assert auth.post(f"/support/service/{hub.outsider.id}/revoke").status_code == 404
    _as(auth, "adv2")
    assert client.get(f"/support/{item.id}").status_code == 404


def test_a_request_taken_back(app: Flask, client: FlaskClient, auth: AuthActions,
                              hub: HubPeople) -> None:  # fmt: skip
    item = _ask(auth, hub)
    assert auth.post(f"/support/{item.id}/withdraw").status_code == 302
    assert "taken back" in _text(client.get(f"/support/{item.id}"))
    again = auth.post(f"/support/{item.id}/withdraw")
    assert again.status_code == 409 and "can no longer be taken back" in _text(again)
    _as(auth, "coord")
    assert client.get(f"/support/{item.id}/diagnosis").status_code == 409


def test_the_teachers_card(app: Flask, client: FlaskClient, auth: AuthActions,
                           hub: HubPeople) -> None:  # fmt: skip
    item = _ask(auth, hub)
    card = client.get(f"/support/teachers/{hub.tutor.id}")
    assert card.status_code == 200 and f"/support/{item.id}" in _text(card)
    assert client.get(f"/support/teachers/{hub.advisor.id}").status_code == 404  # another's
    assert client.get("/support/teachers").status_code == 404  # the list is the methodologist's
    _as(auth, "coord")
    assert hub.tutor.full_name in _text(client.get("/support/teachers"))
    assert f"/support/{item.id}" in _text(client.get(f"/support/teachers/{hub.tutor.id}"))
    assert client.get(f"/support/teachers/{hub.pupil.id}").status_code == 404  # not a teacher
    _as(auth, "outsider")
    assert client.get(f"/support/teachers/{hub.tutor.id}").status_code == 404
