"""The resource bank: submitted, reviewed (returned with a note, changed, published), found by
words in Cyrillic and Kazakh whatever the case, downloaded (counted), rated, commented on,
attached to a route's step; who sees what."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from werkzeug.datastructures import FileStorage

from intersession.core.db import db
from intersession.core.errors import Conflict, DomainError, Forbidden
from intersession.methodics import bank, subscription
from intersession.methodics.bank_models import Resource, ResourceKind, ResourceState
from intersession.methodics.models import DeficitKind, Format
from tests.conftest import AuthActions
from tests.factories import HubPeople

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english(app):  # type: ignore[no-untyped-def]
    with force_locale("en"):
        yield


def _pdf(name: str = "Сабақ жоспары.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(PDF), filename=name)


def _submit(hub: HubPeople, title: str, theme: str = "", author=None) -> Resource:  # type: ignore[no-untyped-def]
    plan = bank.ResourcePlan(title=title, kind=ResourceKind.LESSON_PLAN, subject=hub.subject,
                             grade=9, theme=theme, format=Format.MASTER_CLASS)  # fmt: skip
    return bank.submit_resource(author or hub.tutor, plan, [_pdf()])


def test_review_and_search(app: Flask, hub: HubPeople) -> None:
    first = _submit(hub, "Квадрат ТЕҢДЕУЛЕР: үш деңгейлі тапсырмалар", "Саралап оқыту")
    second = _submit(hub, "Ёлочка и проценты", "Формативное оценивание", author=hub.advisor)
    assert bank.published(hub.hub.id, bank.Search()) == []  # nothing before the review
    with pytest.raises(Forbidden):
        bank.review_resource(hub.tutor, first, True, "")  # the author does not review
    with pytest.raises(Forbidden):
        bank.review_resource(hub.advisor, first, True, "")  # nor a teacher without the service
    with pytest.raises(DomainError):
        bank.review_resource(hub.coordinator, first, False, "  ")  # a return says why
    bank.review_resource(hub.coordinator, first, False, "Добавьте критерии оценивания")
    assert first.state is ResourceState.RETURNED
    bank.change_resource(hub.tutor, first, bank.ResourcePlan(
        title=first.title, kind=ResourceKind.LESSON_PLAN, theme="Саралап оқыту", grade=9))  # fmt: skip
    assert first.state is ResourceState.SUBMITTED
    bank.review_resource(hub.coordinator, first, True, "")
    bank.review_resource(hub.coordinator, second, True, "")
    with pytest.raises(Conflict):
        bank.change_resource(
            hub.tutor, first, bank.ResourcePlan(title="x", kind=ResourceKind.OTHER)
        )

    def titles(**search: object) -> list[str]:
        return [r.title for r in bank.published(hub.hub.id, bank.Search(**search))]  # type: ignore[arg-type]

    assert titles(q="теңдеулер") == [first.title]  # Kazakh letters, case aside
    assert titles(q="КВАДРАТ") == [first.title]
    assert titles(q="елочка") == [second.title]  # ё is read as е
    assert titles(q="оценивание формативное") == [second.title]  # every word, in any order
    assert titles(q="саралап", grade=9) == [first.title]
    assert titles(q="100%") == [] and titles(q="_") == []
    assert titles(kind=ResourceKind.LESSON_PLAN, format=Format.MASTER_CLASS) == [second.title]


def test_bad_materials_are_refused(app: Flask, hub: HubPeople) -> None:
    def plan(**changed: object) -> bank.ResourcePlan:
        values: dict[str, object] = {"title": "Жоспар", "kind": ResourceKind.OTHER} | changed
        return bank.ResourcePlan(**values)  # type: ignore[arg-type]

    for bad, field in ((plan(title="  "), "title"), (plan(grade=12), "grade"),
                       (plan(link="javascript:alert(1)"), "link"), (plan(link="http://["), "link"),
                       (plan(link="https://a b"), "link")):  # fmt: skip
        with pytest.raises(DomainError) as refused:
            bank.submit_resource(hub.tutor, bad, [_pdf()])
        assert refused.value.field == field
    with pytest.raises(DomainError):
        bank.submit_resource(hub.tutor, plan(), [])  # neither a file nor a link
    with pytest.raises(Forbidden):
        bank.submit_resource(hub.pupil, plan(), [_pdf()])
    assert db.session.query(Resource).count() == 0
    made = bank.submit_resource(hub.tutor, plan(link="https://video.example.kz/open-lesson"), [])
    assert made.link == "https://video.example.kz/open-lesson"


def test_ratings_comments_and_steps(app: Flask, hub: HubPeople) -> None:
    item = _submit(hub, "Ситуациялық тапсырма")
    with pytest.raises(Forbidden):
        bank.rate_resource(hub.advisor, item, 5)  # not published yet
    bank.review_resource(hub.coordinator, item, True, "")
    with pytest.raises(Conflict):
        bank.rate_resource(hub.tutor, item, 5)  # its author
    bank.rate_resource(hub.advisor, item, 5)
    bank.rate_resource(hub.advisor, item, 3)  # a new mark replaces the old
    bank.rate_resource(hub.other_advisor, item, 4)
    with pytest.raises(DomainError):
        bank.rate_resource(hub.other_advisor, item, 6)
    assert item.rating == 3.5
    with pytest.raises(DomainError):
        bank.comment_resource(hub.advisor, item, "   ")
    with pytest.raises(Forbidden):
        bank.comment_resource(hub.outsider, item, "Керемет")
    bank.comment_resource(hub.advisor, item, "Рахмет!")

    request = subscription.ask_for_help(
        hub.tutor, subscription.Asked(subject=None, difficulty="Саралау")
    )
    subscription.diagnose(
        hub.coordinator, request, [(DeficitKind.METHODICAL, "Саралау")], hub.advisor
    )
    step = subscription.add_step(hub.advisor, request, subscription.StepPlan(
        Format.PRACTICUM, "Практикум", date(2026, 12, 14), hub.advisor))  # fmt: skip
    with pytest.raises(Forbidden):
        bank.attach_to_step(hub.tutor, step, item)
    bank.attach_to_step(hub.advisor, step, item)
    bank.attach_to_step(hub.advisor, step, item)  # twice is once
    assert step.resources == [item]


def test_the_pages(app: Flask, client: FlaskClient, auth: AuthActions, hub: HubPeople) -> None:
    auth.login("tut")
    sent = auth.post("/support/bank/new", {"title": "Ашық сабақ <i>жазбасы</i>", "kind": "open_lesson",
                                           "subject": 0, "grade": -1, "format": "",
                                           "files": (io.BytesIO(PDF), "Жоспар.pdf")},
                     content_type="multipart/form-data")  # fmt: skip
    assert sent.status_code == 302, sent.get_data(as_text=True)
    item = db.session.query(Resource).one()
    bad = auth.post("/support/bank/new", {"title": "x", "kind": "poem", "subject": 0, "grade": -1})
    assert bad.status_code == 400
    auth.logout()
    auth.login("adv")  # a teacher of the hub: not published yet, so not theirs to see
    assert client.get(f"/support/bank/{item.id}").status_code == 404
    auth.logout()
    auth.login("coord")
    page = client.get(f"/support/bank/{item.id}").get_data(as_text=True)
    assert "&lt;i&gt;жазбасы&lt;/i&gt;" in page and "Publish in the bank" in page
    assert auth.post(f"/support/bank/{item.id}/review", {"decision": "maybe"}).status_code == 400
    assert (
        auth.post(
            f"/support/bank/{item.id}/review", {"decision": "publish", "note": ""}
        ).status_code
        == 302
    )
    auth.logout()
    auth.login("adv")
    listed = client.get("/support/bank?q=ЖАЗБАСЫ&grade=x&kind=poem").get_data(as_text=True)
    assert f"/support/bank/{item.id}" in listed
    link = re.search(
        rf'href="(/support/bank/{item.id}/files/\d+)"',
        client.get(f"/support/bank/{item.id}").get_data(as_text=True),
    )
    assert link is not None
    assert client.get(link.group(1)).data == PDF
    client.get(link.group(1), headers={"Range": "bytes=10-"})  # a resumed part is not counted
    db.session.expire_all()
    assert db.session.get(Resource, item.id).downloads == 1  # type: ignore[union-attr]
    assert auth.post(f"/support/bank/{item.id}/rate", {"stars": "0"}).status_code == 400
    assert auth.post(f"/support/bank/{item.id}/rate", {"stars": "4"}).status_code == 302
    assert (
        auth.post(f"/support/bank/{item.id}/comment", {"text": "<b>Пайдалы</b>"}).status_code == 302
    )
    assert "&lt;b&gt;Пайдалы&lt;/b&gt;" in client.get(f"/support/bank/{item.id}").get_data(
        as_text=True
    )
    assert auth.post(f"/support/bank/{item.id}/remove").status_code == 403
    auth.logout()
    auth.login("pup")
    for path in ("/support/bank", f"/support/bank/{item.id}", link.group(1)):
        assert client.get(path).status_code == 404
    auth.logout()
    auth.login("outsider")
    assert client.get(f"/support/bank/{item.id}").status_code == 404
