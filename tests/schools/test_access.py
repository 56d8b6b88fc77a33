"""Every page of the hub's structure for every role, allowed and denied (shared ACCESS.md)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from flask import Flask

from intersession.core.db import db
from intersession.schools import imports
from intersession.schools.models import ImportKind, PlanTopic
from tests.conftest import AuthActions
from tests.factories import HubPeople

ROLES = (
    "adv",
    "adv2",
    "tut",
    "pup",
    "outsider",
    "coord",
)  # the coordinator last: they change things


def _status(
    app: Flask, login: str | None, method: str, path: str, data: dict[str, object] | None = None
) -> int:
    client = app.test_client()
    auth = AuthActions(client)
    if login:
        assert auth.login(login).status_code == 302
    if method == "GET":
        return client.get(path).status_code
    return auth.post(path, data or {}).status_code  # type: ignore[attr-defined, no-any-return]


def _paths(hub: HubPeople) -> dict[str, object]:
    topic = PlanTopic(
        year_id=hub.year.id,
        subject=hub.subject,
        grade=9,
        position=1,
        title="T",
        week=1,
        hours=Decimal(1),
    )
    db.session.add(topic)
    db.session.commit()
    job = imports.start_import(
        hub.coordinator,
        ImportKind.PEOPLE,
        None,
        "x.csv",
        "full_name,login,role,school\nА Б,newkid,pupil,Magnet\n".encode(),
    )
    return {
        "magnet": f"/schools/{hub.magnet.id}",
        "pupil": f"/people/{hub.pupil.id}",
        "other_pupil": f"/people/{hub.other_pupil.id}",
        "cohort": f"/cohorts/{hub.cohort.id}",
        "year": f"/years/{hub.year.id}",
        "subject": hub.subject.id,
        "topic": topic.id,
        "job": f"/imports/job/{job.id}",
    }


# (method, path template, expected status per role in ROLES order). The outsider is the coordinator
# of another hub: hub-wide pages show them their own hub; our objects do not exist for them.
MATRIX = [
    ("GET", "/schools", (200, 200, 200, 404, 200, 200)),
    ("GET", "/schools/new", (403, 403, 403, 404, 200, 200)),
    ("GET", "{magnet}/edit", (403, 403, 403, 404, 404, 200)),
    ("POST", "{magnet}/delete", (403, 403, 403, 404, 404, 409)),  # it still has people
    ("POST", "{magnet}/passwords", (403, 403, 403, 404, 404, 302)),
    ("GET", "/people", (200, 200, 200, 404, 200, 200)),
    ("GET", "{pupil}", (200, 404, 200, 404, 404, 200)),
    ("GET", "{other_pupil}", (404, 404, 404, 404, 404, 200)),
    ("GET", "{pupil}/edit", (403, 404, 403, 404, 404, 200)),
    ("POST", "{pupil}/password", (403, 404, 403, 404, 404, 200)),
    ("POST", "{pupil}/active", (403, 404, 403, 404, 404, 302)),
    ("GET", "/people/new", (403, 403, 403, 404, 200, 200)),
    ("GET", "/cohorts", (200, 200, 200, 404, 200, 200)),
    ("GET", "{cohort}", (200, 200, 200, 404, 404, 200)),
    ("POST", "{cohort}/delete", (403, 403, 403, 404, 404, 302)),
    ("GET", "/subjects/{subject}/edit", (403, 403, 403, 404, 404, 200)),
    ("GET", "/plan/topics/{topic}/edit", (403, 403, 403, 404, 404, 200)),
    ("POST", "/plan/topics/{topic}/up", (403, 403, 403, 404, 404, 302)),
    ("GET", "/years", (200, 200, 200, 200, 200, 200)),
    ("GET", "{year}", (200, 200, 200, 200, 404, 200)),
    ("POST", "{year}", (403, 403, 403, 403, 404, 400)),
    ("GET", "/plan", (200, 200, 200, 404, 200, 200)),
    ("GET", "/subjects", (200, 200, 200, 404, 200, 200)),
    ("POST", "/subjects", (403, 403, 403, 404, 400, 400)),
    ("GET", "/imports/people", (403, 403, 403, 404, 200, 200)),
    ("GET", "{job}", (404, 404, 404, 404, 404, 200)),
    ("GET", "{job}/status", (404, 404, 404, 404, 404, 200)),
]


@pytest.mark.parametrize(
    ("method", "template", "expected"), MATRIX, ids=[f"{m} {t}" for m, t, _e in MATRIX]
)
def test_every_role(
    app: Flask, hub: HubPeople, method: str, template: str, expected: tuple[int, ...]
) -> None:
    paths = _paths(hub)
    path = template.format(**paths)
    got = tuple(_status(app, role, method, path) for role in ROLES)
    assert got == expected, f"{method} {path}: {dict(zip(ROLES, got, strict=True))}"
    assert _status(app, None, method, path) in (
        302,
        400,
    )  # signed out: to the login page (or no CSRF)


def test_lists_show_only_what_the_viewer_may_see(app: Flask, hub: HubPeople) -> None:
    def people_page(login: str) -> str:
        client = app.test_client()
        AuthActions(client).login(login)
        return client.get("/people").get_data(as_text=True)

    tutor_page, advisor_page, coord_page = (
        people_page("tut"),
        people_page("adv"),
        people_page("coord"),
    )
    assert (
        f'/people/{hub.pupil.id}"' in tutor_page
        and f'/people/{hub.other_pupil.id}"' not in tutor_page
    )
    assert (
        f'/people/{hub.pupil.id}"' in advisor_page
        and f'/people/{hub.other_pupil.id}"' not in advisor_page
    )
    assert f'/people/{hub.tutor.id}"' not in tutor_page  # staff are not in a tutor's list
    assert all(
        f'/people/{p.id}"' in coord_page
        for p in (hub.pupil, hub.other_pupil, hub.tutor, hub.advisor)
    )
    assert f'/people/{hub.outsider.id}"' not in coord_page
    outsider_page = people_page("outsider")
    assert f'/people/{hub.pupil.id}"' not in outsider_page


def test_import_file_kept_under_a_generated_name(app: Flask, hub: HubPeople) -> None:
    job = imports.start_import(
        hub.coordinator,
        ImportKind.PEOPLE,
        None,
        "../../etc/passwd.csv",
        io.BytesIO("full_name,login,role,school\nА,b1,pupil,Magnet\n".encode()).read(),
    )
    assert job.stored_name.isalnum() and "passwd" not in job.stored_name
    db.session.refresh(job)
